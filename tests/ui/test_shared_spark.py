"""A workshop student's Spark lesson through the UI at 80x24 with a shared Spark Connect server
configured (CDC_TUTOR_SPARK_REMOTE, as `workshop up --engines` hands it out): the student pastes the
first step's exercise, runs the step with the keys and passes its checks; the step's session was a
Spark Connect session on the server (its foreachBatch relays started there under the student's
name), and the student's kernel ran no JVM of its own."""

from __future__ import annotations

from functools import partial

import pytest

from cdc_tutor.stack.config import StackConfig
from cdc_tutor.stack.native import NativeStack
from cdc_tutor.stack.spark_connect import SPARK_CONNECT
from cdc_tutor.ui import messages
from tests.engines import link_engine
from tests.stack.test_shared_engines import java_processes_under

from .conftest import record
from .test_code_kernel import wait_until
from .test_scripted_student import COURSE, JVM_WALK_LIMIT, SMALL, Student, app_for
from .test_walk import open_lesson, posted

LESSON = "module-5/05-pyspark-structured-streaming"


@pytest.fixture
def spark_server(tmp_path, tmp_path_factory):
    """Only the stack's Spark Connect server (the lesson's broker is the tutor's own broker lab)."""
    home = tmp_path / "instructor"
    link_engine(home, "spark", tmp_path_factory)
    stack = NativeStack(StackConfig.with_free_ports(home / "stack", engines=True), report=lambda _: None)
    try:
        stack.start_engines(only=("spark",))
        yield stack
    finally:
        stack.down(purge=True)


@pytest.mark.timeout(JVM_WALK_LIMIT)
async def test_a_students_spark_step_runs_on_the_workshops_server(
    spark_server, store, tmp_path, tmp_path_factory, monkeypatch
):
    lesson = COURSE.find(LESSON)
    remote = spark_server.config.spark_remote
    monkeypatch.setenv("CDC_TUTOR_SPARK_REMOTE", remote)  # as the student's config.toml gives it
    app = app_for(lesson, store, tmp_path, tmp_path_factory, monkeypatch)
    assert app.settings.spark_remote == remote
    log = spark_server.config.logs_dir / f"{SPARK_CONNECT}.out"
    async with app.run_test(size=SMALL, message_hook=record(app)) as pilot:
        await open_lesson(pilot, LESSON)
        ready = partial(posted, app, messages.KernelReady)
        await wait_until(pilot, lambda: ready() or posted(app, messages.KernelFailed), 300)
        assert not posted(app, messages.KernelFailed), posted(app, messages.KernelFailed)[0].problem
        student, step = Student(pilot, app), lesson.steps[0]
        await student.write_exercises(step)
        await student.run_step(step)
        for checkpoint in step.checkpoints:
            assert student.sees(checkpoint.prompt), (checkpoint.id, student.screen())
            await student.check(checkpoint, passes=True)
        assert f"user_id={app.screen.user} " in log.read_text(errors="replace")  # its relays ran there
        runner = app.screen.kernel.runner
        assert not java_processes_under(runner.kernel._km.provisioner.process.pid)
