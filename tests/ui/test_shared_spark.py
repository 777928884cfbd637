"""A workshop student's Spark lesson through the UI at 80x24 with a shared Spark Connect server
configured (CDC_TUTOR_SPARK_REMOTE, as `workshop up --engines` hands it out): the student pastes the
first step's exercise, runs the step with the keys and passes its checks; the step's session was a
Spark Connect session on the server (its foreachBatch relays started there under the student's
name), and the student's kernel ran no JVM of its own."""

from __future__ import annotations

import pytest

from cdc_tutor.stack.config import StackConfig
from cdc_tutor.stack.native import NativeStack
from cdc_tutor.stack.spark_connect import SPARK_CONNECT
from tests.engines import link_engine
from tests.stack.test_shared_engines import java_processes_under

from .conftest import record
from .test_scripted_student import COURSE, JVM_WALK_LIMIT, SMALL, app_for
from .test_shared_flink import pass_first_step

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
        await pass_first_step(pilot, app, lesson)
        assert f"user_id={app.screen.user} " in log.read_text(errors="replace")  # its relays ran there
        runner = app.screen.kernel.runner
        assert not java_processes_under(runner.kernel._km.provisioner.process.pid)
