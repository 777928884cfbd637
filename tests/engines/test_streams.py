"""`tutor.stream`: a Flink or Spark streaming query on the broker lab runs in the background of
the lesson's kernel, its changes reach the windows pane's events while no cell runs, and Ctrl+Z
(Practice.interrupt with nothing running) cancels the job for real. Through Practice, as the TUI."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from cdc_tutor.course.changelog import CHANGELOG_MIME
from cdc_tutor.course.model import Checkpoint, Lesson, Snippet, Step
from cdc_tutor.kernel import DisplayOutput
from cdc_tutor.lab import embedded_lab
from cdc_tutor.lab.options import LabOptions
from cdc_tutor.practice.events import SnippetEnded, StreamsStopped
from cdc_tutor.practice.practice import Practice
from tests.engines import ensure_engine

FLINK = """
from pyflink.table import EnvironmentSettings, TableEnvironment
t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.get_config().set("pipeline.jars", ";".join("file://" + jar for jar in tutor.jars))
t_env.get_config().set("parallelism.default", "1")
t_env.execute_sql(f'''CREATE TABLE orders (id INT, status STRING) WITH ('connector' = 'kafka',
    'topic' = 'dbserver1.inventory.orders', 'properties.bootstrap.servers' = '{tutor.bootstrap}',
    'properties.group.id' = 'stream-test', 'scan.startup.mode' = 'earliest-offset',
    'format' = 'debezium-json', 'debezium-json.schema-include' = 'true')''')
orders_stream = tutor.stream(t_env.execute_sql("SELECT id, status FROM orders"), key=["id"], name="orders")
"""

SPARK = """
from pyspark.sql import SparkSession, functions as F
spark = (SparkSession.builder.master("local[1]").config("spark.jars", ",".join(tutor.jars))
         .config("spark.sql.shuffle.partitions", "1").config("spark.ui.enabled", "false").getOrCreate())
frame = (spark.readStream.format("kafka").option("kafka.bootstrap.servers", tutor.bootstrap)
         .option("subscribe", "dbserver1.inventory.orders").option("startingOffsets", "earliest").load()
         .select(F.col("partition"), F.col("offset")))
orders_stream = tutor.stream(frame, key=["partition", "offset"], name="orders")
"""


@dataclass
class Settings:
    data_dir: Path
    user: str = "tester"
    bootstrap_servers: str | None = None


def streaming_lesson(engine: str, code: str) -> Lesson:
    ran = Checkpoint("ran", "ran", "ran", ("a", "b"), {"snippet": 1})
    step = Step("stream", "stream", "text", (ran,), "solution", snippets=(Snippet(1, code, 1),))
    return Lesson(
        f"engines/02-{engine}-stream", Path("lesson.md"), "t", "d", 1, "beginner", 1, (), (), engine, (), "", (step,)
    )


def run_stream_cell(practice: Practice, lesson: Lesson, events: list) -> None:
    """Start the kernel and run the step's one cell (it starts the stream); wait for the cell's end."""
    practice.start()
    wait_for(lambda: practice.ready or practice.problem, 300, "the kernel")
    assert practice.problem is None, practice.problem
    practice.run(lesson.steps[0], [1])
    wait_for(lambda: any(isinstance(e, SnippetEnded) for e in events), 300, "the snippet")


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.mark.parametrize(("engine", "code", "cancelled"), [("flink", FLINK, "CANCELED"), ("spark", SPARK, "STOPPED")])
def test_a_stream_shows_changes_while_idle_and_ctrl_z_cancels_its_job(tmp_path_factory, engine, code, cancelled):
    data_dir = ensure_engine(engine, tmp_path_factory).data_dir
    lab = embedded_lab(LabOptions(broker="kafka", decimal_mode="string", rate=5.0), data_dir).start()
    events: list = []
    lesson = streaming_lesson(engine, code)
    practice = Practice(lesson, Settings(data_dir), events.append, lab=lambda: lab)
    try:
        run_stream_cell(practice, lesson, events)
        ended = next(e for e in events if isinstance(e, SnippetEnded))
        assert ended.status == "ok", ended.result.error and ended.result.error.traceback_plain
        after_cell = len(events)

        def streamed() -> list:
            return [e for e in events[after_cell:] if isinstance(e, DisplayOutput) and CHANGELOG_MIME in e.data]

        wait_for(lambda: streamed(), 120, f"changes streamed after the cell finished: {events[after_cell:]}")
        rows = sum(len(e.data[CHANGELOG_MIME]["rows"]) for e in streamed())
        assert rows > 0

        assert practice.interrupt() is False  # nothing runs: Ctrl+Z stops the streams instead
        wait_for(lambda: any(isinstance(e, StreamsStopped) for e in events), 120, "the streams to stop")
        assert next(e for e in events if isinstance(e, StreamsStopped)).count == 1
        status = practice.runner.context().evaluate("orders_stream.job_status()", 30)
        assert status.ok and status.value_repr in (repr(cancelled), "'GONE'"), status  # GONE: cancelled, forgotten
    finally:
        practice.close(wait=True)
        lab.close()


def test_a_flink_stream_survives_an_outage_of_the_broker_lab(tmp_path_factory):
    """F12 (or an `outage` step) cuts the proxy for 10 s: the job keeps running and goes on showing
    the changes captured meanwhile once the broker is back."""
    data_dir = ensure_engine("flink", tmp_path_factory).data_dir
    lab = embedded_lab(LabOptions(broker="kafka", decimal_mode="string", rate=5.0), data_dir).start()
    events: list = []
    lesson = streaming_lesson("flink", FLINK)
    practice = Practice(lesson, Settings(data_dir), events.append, lab=lambda: lab)

    def shown() -> int:
        return int(practice.runner.context().evaluate("orders_stream.shown", 30).value_repr or 0)

    try:
        run_stream_cell(practice, lesson, events)
        wait_for(lambda: shown() > 0, 120, "the first changes")
        lab.cut()
        time.sleep(10)
        before = shown()
        lab.restore()
        wait_for(lambda: shown() > before, 120, "changes after the outage")
        state = practice.runner.context().evaluate("repr(orders_stream)", 30).value_repr
        assert "running" in state, state
    finally:
        practice.close(wait=True)
        lab.close()
