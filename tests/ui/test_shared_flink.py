"""A workshop student's Flink lesson through the UI at 80x24 with a shared Flink cluster configured
(CDC_TUTOR_FLINK_URL, as `workshop up --engines` hands it out): the student pastes the first
step's exercise, runs the step with the keys and passes its checks, and the jobs of that code ran
on the cluster under the student's name, not in the kernel."""

from __future__ import annotations

from functools import partial

import pytest

from cdc_tutor.engines.flink_rest import jobs, overview
from cdc_tutor.stack.config import StackConfig
from cdc_tutor.stack.native import NativeStack
from cdc_tutor.ui import messages
from tests.engines import link_engine

from .conftest import record
from .test_code_kernel import wait_until
from .test_scripted_student import COURSE, JVM_WALK_LIMIT, SMALL, Student, app_for
from .test_walk import open_lesson, posted

LESSON = "module-5/03-pyflink-cdc-connector"


@pytest.fixture
def flink_cluster(tmp_path, tmp_path_factory):
    """Only the stack's Flink cluster (the lesson's broker is the tutor's own broker lab)."""
    home = tmp_path / "instructor"
    link_engine(home, "flink", tmp_path_factory)
    stack = NativeStack(StackConfig.with_free_ports(home / "stack", engines=True, flink_slots=2), report=lambda _: None)
    try:
        stack.start_engines(only=("flink",))
        yield stack.config.flink_url
    finally:
        stack.down(purge=True)


async def pass_first_step(pilot, app, lesson) -> None:
    """As a student with the keys: open the lesson, wait for its kernel, type the first step's
    exercises, run the step and pass each of its checks, reading them on the screen."""
    await open_lesson(pilot, lesson.id)
    ready = partial(posted, app, messages.KernelReady)
    await wait_until(pilot, lambda: ready() or posted(app, messages.KernelFailed), 300)
    assert not posted(app, messages.KernelFailed), posted(app, messages.KernelFailed)[0].problem
    student, step = Student(pilot, app), lesson.steps[0]
    await student.write_exercises(step)
    await student.run_step(step)
    for checkpoint in step.checkpoints:
        assert student.sees(checkpoint.prompt), (checkpoint.id, student.screen())
        await student.check(checkpoint, passes=True)


@pytest.mark.timeout(JVM_WALK_LIMIT)
async def test_a_students_flink_step_runs_on_the_workshops_cluster(
    flink_cluster, store, tmp_path, tmp_path_factory, monkeypatch
):
    lesson = COURSE.find(LESSON)
    monkeypatch.setenv("CDC_TUTOR_FLINK_URL", flink_cluster)  # as the student's config.toml gives it
    app = app_for(lesson, store, tmp_path, tmp_path_factory, monkeypatch)
    assert app.settings.flink_url == flink_cluster
    async with app.run_test(size=SMALL, message_hook=record(app)) as pilot:
        await pass_first_step(pilot, app, lesson)
        name = f"{app.screen.user}: {LESSON}"
        ran = [job for job in jobs(flink_cluster) if job["name"] == name]
        assert ran and all(job["state"] == "FINISHED" for job in ran), jobs(flink_cluster)
    assert overview(flink_cluster).slots_available == 2  # nothing of the student's holds a slot
