"""The windowed job of test_engine_jobs.py, run through real flink and spark kernels (LessonRunner):
the result published with `tutor.show_changelog` gives the same window rows in both engines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from cdc_tutor.course.changelog import ChangelogTable, payload_from_bundle
from cdc_tutor.course.checkpoints import evaluate_checkpoint
from cdc_tutor.course.model import Checkpoint, Lesson, Snippet, Step
from cdc_tutor.practice.runner import LessonRunner
from tests.engines import ensure_engine
from tests.engines.test_engine_jobs import FLINK_WINDOWS, ROWS, SPARK_WINDOWS, expected_windows

COLUMNS = ["window_start", "window_end", "op", "count"]
JOB_TIMEOUT = 600

# The job scripts print one JSON row per line; in the kernel `print` collects them instead, and
# the changelog goes to the windows pane. Flink's rows carry their row kind ("+I") in "kind".
KERNEL_JOB = """
import json, sys
windows = []
sys.argv = ["window-job", {source!r}]
exec(compile({job!r}, "window_job", "exec"),
     {{"__name__": "window_job", "print": lambda line: windows.append(json.loads(line))}})
tutor.show_changelog(windows, key=["window_start", "op"], op_field="kind", columns={columns!r})
print(len(windows), "windows;", "tutor.jars:", len(tutor.jars), "bootstrap:", tutor.bootstrap,
      "kafka helpers:", tutor._kafka is not None)
"""


@dataclass
class EngineSettings:
    data_dir: Path


@pytest.fixture(scope="module")
def source_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("kernel-changes")
    for part in range(3):
        lines = [json.dumps(row) for row in ROWS[part::3]]
        (directory / f"changes-{part}.json").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def window_lesson(engine: str, code: str) -> Lesson:
    expect = [
        {"window_start": row["window_start"], "op": row["op"], "count": row["count"]} for row in expected_windows()
    ]
    checkpoint = Checkpoint(
        "windows",
        "window",
        "windows",
        ("a", "b"),
        {"variable": "windows", "expect": expect, "columns": ["window_start", "op", "count"]},
    )
    step = Step("job", "job", "text", (checkpoint,), "solution", snippets=(Snippet(1, code, 1),))
    return Lesson(
        f"engines/01-{engine}-windows", Path("lesson.md"), "t", "d", 1, "beginner", 1, (), (), engine, (), "", (step,)
    )


_tables: dict[str, ChangelogTable] = {}


def run_window_job(engine: str, tmp_path_factory, source: Path) -> ChangelogTable:
    if engine in _tables:
        return _tables[engine]
    data_dir = ensure_engine(engine, tmp_path_factory).data_dir
    code = KERNEL_JOB.format(
        source=str(source), job=FLINK_WINDOWS if engine == "flink" else SPARK_WINDOWS, columns=COLUMNS
    )
    lesson = window_lesson(engine, code)
    runner = LessonRunner(lesson, EngineSettings(data_dir), "127.0.0.1:9", user="tester")
    try:
        runner.start()
        assert runner.tutor_error is None, runner.tutor_error
        result = runner.run_snippet("job", 1, timeout=JOB_TIMEOUT)
        assert result.ok, (result.status, result.error and result.error.traceback_plain, runner.kernel.log_tail())
        assert "windows; tutor.jars:" in result.stdout.text and "bootstrap: 127.0.0.1:9" in result.stdout.text
        assert "tutor.jars: 0 " not in result.stdout.text  # the connector jars are handed to the kernel
        assert "kafka helpers: True" in result.stdout.text  # confluent_kafka loads in the engine's env
        payloads = [payload_from_bundle(display.data) for display in result.displays]
        payloads = [payload for payload in payloads if payload is not None]
        assert len(payloads) == 1, result.displays
        # The window checkpoint reads the same variable in the engine's kernel.
        verdict = evaluate_checkpoint(lesson.steps[0].checkpoints[0], None, runner.context("job"))
        assert verdict.passed, verdict.reason
    finally:
        runner.shutdown()
    table = ChangelogTable.from_payload(payloads[0])
    assert table.errors == []
    _tables[engine] = table
    return table


def expected_records() -> list[tuple]:
    return sorted(tuple(row[c] for c in COLUMNS) for row in expected_windows())


def test_flink_kernel_publishes_the_window_changelog(tmp_path_factory, source_dir):
    table = run_window_job("flink", tmp_path_factory, source_dir)
    assert {change.op for change in table.changes} == {"+I"}  # each event-time window emitted once
    assert table.columns == COLUMNS
    assert sorted(table.records(COLUMNS)) == expected_records()


def test_spark_kernel_publishes_the_window_changelog(tmp_path_factory, source_dir):
    table = run_window_job("spark", tmp_path_factory, source_dir)
    assert sorted(table.records(COLUMNS)) == expected_records()


def test_both_engine_kernels_give_the_same_window_rows(tmp_path_factory, source_dir):
    flink = run_window_job("flink", tmp_path_factory, source_dir)
    spark = run_window_job("spark", tmp_path_factory, source_dir)
    assert sorted(flink.records(COLUMNS)) == sorted(spark.records(COLUMNS))
    assert len(flink) >= 8


# The capstone's kernel (engine flink-spark): both jobs and pandas in one Python, over one input.
THREE_ENGINES = """
import glob, json, sys
import pandas as pd
results = {{}}
for engine, job in (("flink", {flink!r}), ("spark", {spark!r})):
    rows = []
    sys.argv = ["window-job", {source!r}]
    exec(compile(job, engine, "exec"), {{"__name__": engine, "print": lambda line: rows.append(json.loads(line))}})
    results[engine] = sorted((row["window_start"], row["op"], row["count"]) for row in rows)
events = pd.concat(pd.read_json(path, lines=True) for path in sorted(glob.glob({source!r} + "/*.json")))
counts = events.groupby([pd.to_datetime(events["ts"]).dt.floor("60s"), "op"]).size()
results["pandas"] = sorted((f"{{start:%Y-%m-%d %H:%M:%S}}", op, int(n)) for (start, op), n in counts.items())
print("THREE " + json.dumps(results))
"""


def test_the_capstone_kernel_runs_pandas_flink_and_spark_and_they_agree(tmp_path_factory, source_dir):
    """engine flink-spark: PyFlink and PySpark (two JVMs) and pandas in one kernel give the same windows."""
    data_dir = ensure_engine("flink-spark", tmp_path_factory).data_dir
    # Spark's Arrow path wants pyarrow >= 18; this environment has apache-beam's 16: toPandas without it.
    spark = SPARK_WINDOWS.replace('arrow.pyspark.enabled", "true"', 'arrow.pyspark.enabled", "false"')
    assert spark != SPARK_WINDOWS
    code = THREE_ENGINES.format(flink=FLINK_WINDOWS, spark=spark, source=str(source_dir))
    runner = LessonRunner(window_lesson("flink-spark", code), EngineSettings(data_dir), "127.0.0.1:9", user="tester")
    try:
        runner.start()
        assert runner.tutor_error is None, runner.tutor_error
        flink_jars, spark_jars = (runner.run_code(f"print(len(tutor.jars_for({e!r})))") for e in ("flink", "spark"))
        assert flink_jars.stdout.text.strip() == "1" and int(spark_jars.stdout.text) >= 4
        result = runner.run_snippet("job", 1, timeout=JOB_TIMEOUT)
        assert result.ok, (result.status, result.error and result.error.traceback_plain, runner.kernel.log_tail())
    finally:
        runner.shutdown()
    line = next(line for line in result.stdout.text.splitlines() if line.startswith("THREE "))
    results = {engine: [tuple(row) for row in rows] for engine, rows in json.loads(line[6:]).items()}
    expected = [(row["window_start"], row["op"], row["count"]) for row in expected_windows()]
    assert results["pandas"] == results["flink"] == results["spark"] == sorted(expected)
