"""Real jobs in the set-up environments: the same windowed count in PyFlink and PySpark, and the
Kafka connector jars load (no broker needed: planning / source resolution only)."""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cdc_tutor.engines import engine_env, engine_jars, engine_python
from tests.engines import ensure_engine

JOB_TIMEOUT = 600

FLINK_WINDOWS = r'''
import json, sys
from pyflink.table import EnvironmentSettings, TableEnvironment

source = sys.argv[1]
t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.get_config().set("parallelism.default", "1")
t_env.get_config().set("table.local-time-zone", "UTC")
# A bounded file source: its watermark jumps to the end when the files are read, closing every
# window; the generous delay keeps rows from being dropped as late whatever order files are read in.
t_env.execute_sql(f"""
    CREATE TABLE changes (
        op STRING,
        ts TIMESTAMP(3),
        WATERMARK FOR ts AS ts - INTERVAL '1' HOUR
    ) WITH ('connector' = 'filesystem', 'path' = '{source}', 'format' = 'json',
            'json.timestamp-format.standard' = 'SQL')
""")
result = t_env.execute_sql("""
    SELECT DATE_FORMAT(window_start, 'yyyy-MM-dd HH:mm:ss'),
           DATE_FORMAT(window_end, 'yyyy-MM-dd HH:mm:ss'), op, COUNT(*)
    FROM TABLE(TUMBLE(TABLE changes, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
    GROUP BY window_start, window_end, op
""")
with result.collect() as rows:
    for row in rows:
        print(json.dumps({"kind": str(row.get_row_kind()), "window_start": row[0],
                          "window_end": row[1], "op": row[2], "count": row[3]}))
'''

SPARK_WINDOWS = r"""
import json, sys, tempfile
from pyspark.sql import SparkSession, functions as F

source = sys.argv[1]
spark = (SparkSession.builder.master("local[1]").appName("cdc-tutor-windows")
         .config("spark.sql.shuffle.partitions", "1").config("spark.driver.memory", "512m")
         .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
         .config("spark.sql.session.timeZone", "UTC")
         .config("spark.sql.execution.arrow.pyspark.enabled", "true")
         .config("spark.sql.execution.arrow.pyspark.fallback.enabled", "false").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
changes = (spark.readStream.schema("op STRING, ts TIMESTAMP")
           .option("timestampFormat", "yyyy-MM-dd HH:mm:ss").json(source))
counts = (changes.groupBy(F.window("ts", "1 minute"), "op").count()
          .select(F.date_format("window.start", "yyyy-MM-dd HH:mm:ss").alias("window_start"),
                  F.date_format("window.end", "yyyy-MM-dd HH:mm:ss").alias("window_end"),
                  "op", "count"))
collected = []
def keep(batch, batch_id):
    # complete mode: each batch is the whole result table; toPandas goes through Arrow (pandas pane)
    collected[:] = batch.toPandas().to_dict("records")
query = (counts.writeStream.outputMode("complete").foreachBatch(keep)
         .option("checkpointLocation", tempfile.mkdtemp(prefix="cdc-tutor-ckpt-"))
         .trigger(availableNow=True).start())
query.awaitTermination()
for row in collected:
    print(json.dumps({**row, "count": int(row["count"])}))
spark.stop()
"""

FLINK_KAFKA = r'''
import sys
from pyflink.table import EnvironmentSettings, TableEnvironment

DDL = """CREATE TABLE changes (op STRING, ts TIMESTAMP(3)) WITH (
    'connector' = 'kafka', 'topic' = 'dbserver1.inventory.customers',
    'properties.bootstrap.servers' = '127.0.0.1:9', 'properties.group.id' = 'tutor',
    'scan.startup.mode' = 'earliest-offset', 'format' = 'json')"""

def explain(jars):
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    if jars:
        t_env.get_config().set("pipeline.jars", ";".join(jars))
    t_env.execute_sql(DDL)
    return t_env.explain_sql("SELECT op, COUNT(*) FROM changes GROUP BY op")

try:  # first without the jar: the planner must not find a 'kafka' factory
    explain([])
    print("WITHOUT-JAR: planned")
except Exception as error:
    print("WITHOUT-JAR: " + ("no factory" if "Could not find any factory for identifier 'kafka'"
                             in str(error) else "other error: " + str(error)[:500]))
print(explain(["file://" + path for path in sys.argv[1:]]))
'''

SPARK_KAFKA = r"""
import sys
from pyspark.sql import SparkSession

spark = (SparkSession.builder.master("local[1]").appName("cdc-tutor-kafka")
         .config("spark.jars", ",".join(sys.argv[1:])).config("spark.driver.memory", "512m")
         .config("spark.sql.shuffle.partitions", "1").config("spark.ui.enabled", "false").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
changes = (spark.readStream.format("kafka").option("kafka.bootstrap.servers", "127.0.0.1:9")
           .option("subscribe", "dbserver1.inventory.customers").load())
print("COLUMNS " + ",".join(changes.columns))
print("STREAMING " + str(changes.isStreaming))
spark.stop()
"""

# CDC-like rows over three minutes, spread over three files, one op per row (r = snapshot read).
_START = datetime(2024, 5, 1, 10, 0, 0)
_OPS = "rrccucudcuucdcrc"
ROWS = [
    {"op": op, "ts": (_START + timedelta(seconds=11 * i)).strftime("%Y-%m-%d %H:%M:%S")} for i, op in enumerate(_OPS)
]


def expected_windows() -> list[dict]:
    counts = Counter()
    for row in ROWS:
        start = datetime.strptime(row["ts"], "%Y-%m-%d %H:%M:%S").replace(second=0)
        counts[(start, row["op"])] += 1
    return sorted(
        (
            {
                "window_start": f"{start:%Y-%m-%d %H:%M:%S}",
                "window_end": f"{start + timedelta(minutes=1):%Y-%m-%d %H:%M:%S}",
                "op": op,
                "count": n,
            }
            for (start, op), n in counts.items()
        ),
        key=lambda row: (row["window_start"], row["op"]),
    )


@pytest.fixture(scope="module")
def source_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("cdc-changes")
    for part in range(3):
        lines = [json.dumps(row) for row in ROWS[part::3]]
        (directory / f"changes-{part}.json").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


_outputs: dict[str, list[dict]] = {}


def run_in_engine(engine: str, tmp_path_factory, code: str, *args: str) -> tuple[list[str], float]:
    data_dir = ensure_engine(engine, tmp_path_factory).data_dir
    python = engine_python(engine, data_dir)
    assert python is not None
    script = tmp_path_factory.mktemp(f"{engine}-job") / "job.py"
    script.write_text(code, encoding="utf-8")
    started = time.monotonic()
    done = subprocess.run(
        [str(python), str(script), *args],
        capture_output=True,
        text=True,
        env=engine_env(),
        timeout=JOB_TIMEOUT,
        cwd=script.parent,
    )
    seconds = time.monotonic() - started
    assert done.returncode == 0, f"{engine} job failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done.stdout.splitlines(), seconds


def window_rows(engine: str, tmp_path_factory, source: Path) -> list[dict]:
    if engine not in _outputs:
        code = FLINK_WINDOWS if engine == "flink" else SPARK_WINDOWS
        lines, seconds = run_in_engine(engine, tmp_path_factory, code, str(source))
        print(f"\n[engines] {engine} window job: {seconds:.1f} s")
        rows = [json.loads(line) for line in lines if line.startswith("{")]
        _outputs[engine] = rows
    return _outputs[engine]


def test_flink_window_job_counts_ops_per_minute(tmp_path_factory, source_dir):
    rows = window_rows("flink", tmp_path_factory, source_dir)
    # an event-time window over an append-only source emits each window once, as an insert
    assert {row.pop("kind") for row in rows} == {"+I"}
    assert sorted(rows, key=lambda row: (row["window_start"], row["op"])) == expected_windows()


def test_spark_window_job_counts_ops_per_minute(tmp_path_factory, source_dir):
    rows = window_rows("spark", tmp_path_factory, source_dir)
    assert sorted(rows, key=lambda row: (row["window_start"], row["op"])) == expected_windows()


def test_both_engines_produce_the_same_windows(tmp_path_factory, source_dir):
    def key(row):
        return (row["window_start"], row["window_end"], row["op"], row["count"])

    flink = sorted(key(row) for row in window_rows("flink", tmp_path_factory, source_dir))
    spark = sorted(key(row) for row in window_rows("spark", tmp_path_factory, source_dir))
    assert flink == spark
    assert len(flink) >= 8  # several windows and ops, not a trivial match


def test_flink_kafka_connector_jar_provides_the_kafka_table_factory(tmp_path_factory):
    data_dir = ensure_engine("flink", tmp_path_factory).data_dir
    jars = [str(path) for path in engine_jars("flink", data_dir)]
    lines, seconds = run_in_engine("flink", tmp_path_factory, FLINK_KAFKA, *jars)
    print(f"\n[engines] flink kafka planning: {seconds:.1f} s")
    assert "WITHOUT-JAR: no factory" in lines
    plan = "\n".join(lines)
    assert "TableSourceScan(table=[[default_catalog, default_database, changes]]" in plan


def test_spark_kafka_connector_jars_resolve_the_kafka_source(tmp_path_factory):
    data_dir = ensure_engine("spark", tmp_path_factory).data_dir
    jars = [str(path) for path in engine_jars("spark", data_dir)]
    lines, seconds = run_in_engine("spark", tmp_path_factory, SPARK_KAFKA, *jars)
    print(f"\n[engines] spark kafka source: {seconds:.1f} s")
    assert "COLUMNS key,value,topic,partition,offset,timestamp,timestampType" in lines
    assert "STREAMING True" in lines

    python = engine_python("spark", data_dir)
    script = tmp_path_factory.mktemp("spark-no-jars") / "job.py"
    script.write_text(SPARK_KAFKA, encoding="utf-8")
    without = subprocess.run(
        [str(python), str(script)],
        capture_output=True,
        text=True,
        env=engine_env(),
        timeout=JOB_TIMEOUT,
        cwd=script.parent,
    )
    assert without.returncode != 0 and "Failed to find data source: kafka" in without.stderr, without.stderr[-3000:]
