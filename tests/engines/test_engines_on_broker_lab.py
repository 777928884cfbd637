"""Flink and Spark, Java Kafka clients, read the broker lab (a real Kafka broker the tutor runs):
Debezium events of the embedded source, through the outage proxy; their per-minute counts by op
equal pandas' on the same events, and Flink's debezium-json changelog matches the ops."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from cdc_tutor.engines import engine_jars
from cdc_tutor.lab import embedded_lab
from cdc_tutor.lab.options import LabOptions
from tests.content.test_verify import verify
from tests.engines import ensure_engine
from tests.engines.test_engine_jobs import run_in_engine

TOPIC = "dbserver1.inventory.orders"

FLINK_JOB = r'''
import json, sys
from pyflink.table import EnvironmentSettings, TableEnvironment

bootstrap, jars = sys.argv[1], sys.argv[2:]
t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
config = t_env.get_config()
config.set("pipeline.jars", ";".join("file://" + jar for jar in jars))
config.set("parallelism.default", "1")
config.set("table.local-time-zone", "UTC")
config.set("classloader.check-leaked-classloader", "false")
kafka = f"""'connector' = 'kafka', 'topic' = 'dbserver1.inventory.orders',
    'properties.bootstrap.servers' = '{bootstrap}', 'properties.group.id' = 'engine-test',
    'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset'"""
# The raw envelope: one row per event, tombstones skipped by the WHERE.
t_env.execute_sql(f"""CREATE TABLE envelope (
    payload ROW<op STRING, source ROW<ts_ms BIGINT>>,
    ts AS TO_TIMESTAMP_LTZ(payload.source.ts_ms, 3),
    WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ({kafka}, 'format' = 'json', 'json.ignore-parse-errors' = 'true')""")
t_env.execute_sql(
    "CREATE TEMPORARY VIEW changes AS SELECT payload.op AS op, ts FROM envelope WHERE payload IS NOT NULL"
)
windows = t_env.execute_sql("""
    SELECT DATE_FORMAT(window_start, 'yyyy-MM-dd HH:mm'), op, COUNT(*)
    FROM TABLE(TUMBLE(TABLE changes, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
    GROUP BY window_start, window_end, op""")
with windows.collect() as rows:
    for row in rows:
        print(json.dumps({"table": "windows", "kind": str(row.get_row_kind()),
                          "minute": row[0], "op": row[1], "count": row[2]}))
# The same events as a changelog (debezium-json): +I for r/c, -U/+U for u, -D for d.
t_env.execute_sql(f"""CREATE TABLE orders (id INT, status STRING)
    WITH ({kafka}, 'format' = 'debezium-json', 'debezium-json.schema-include' = 'true')""")
with t_env.execute_sql("SELECT id, status FROM orders").collect() as rows:
    for row in rows:
        print(json.dumps({"table": "changelog", "kind": str(row.get_row_kind())}))
'''

SPARK_JOB = r"""
import json, sys, tempfile
from pyspark.sql import SparkSession, functions as F

bootstrap, jars = sys.argv[1], sys.argv[2:]
spark = (SparkSession.builder.master("local[1]").appName("cdc-tutor-lab")
         .config("spark.jars", ",".join(jars)).config("spark.driver.memory", "512m")
         .config("spark.sql.shuffle.partitions", "1").config("spark.ui.enabled", "false")
         .config("spark.sql.session.timeZone", "UTC").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
schema = "payload STRUCT<op: STRING, source: STRUCT<ts_ms: BIGINT>>"
events = (spark.readStream.format("kafka").option("kafka.bootstrap.servers", bootstrap)
          .option("subscribe", "dbserver1.inventory.orders").option("startingOffsets", "earliest").load()
          .where(F.col("value").isNotNull())
          .select(F.from_json(F.col("value").cast("string"), schema).alias("e"))
          .select(F.col("e.payload.op").alias("op"), F.timestamp_millis("e.payload.source.ts_ms").alias("ts")))
counts = (events.groupBy(F.window("ts", "1 minute"), "op").count()
          .select(F.date_format("window.start", "yyyy-MM-dd HH:mm").alias("minute"), "op", "count"))
collected = []
def keep(batch, batch_id):
    collected[:] = [row.asDict() for row in batch.collect()]
query = (counts.writeStream.outputMode("complete").foreachBatch(keep)
         .option("checkpointLocation", tempfile.mkdtemp(prefix="cdc-tutor-ckpt-"))
         .trigger(availableNow=True).start())
query.awaitTermination()
for row in collected:
    print(json.dumps({"table": "windows", **row, "count": int(row["count"])}))
spark.stop()
"""


@pytest.fixture(scope="module")
def lab_with_changes(tmp_path_factory):
    """The broker lab of an engine lesson (string decimals, as Flink reads them) with a few seconds
    of workload (c, u, d events over the snapshot's r), then still: every engine sees the same events."""
    data_dir = ensure_engine("flink", tmp_path_factory).data_dir  # `setup flink` sets the broker lab up too
    lab = embedded_lab(LabOptions(broker="kafka", decimal_mode="string", rate=25.0, seed=11), data_dir).start()
    time.sleep(4)
    lab.workload.pause()
    time.sleep(1)  # the relay's last changes reach the broker
    yield lab, data_dir
    lab.close()


def pandas_counts(bootstrap: str) -> tuple[Counter, Counter]:
    """Per-minute counts by op over source.ts_ms, and the ops, read with confluent-kafka into pandas."""
    from cdc_tutor.kafka.state import read_topic

    records = read_topic(bootstrap, TOPIC, max_messages=100_000, timeout=10.0)
    payloads = [r["value"]["payload"] for r in records if r["value"] is not None]
    frame = pd.DataFrame({"op": [p["op"] for p in payloads], "ts_ms": [p["source"]["ts_ms"] for p in payloads]})
    frame["minute"] = pd.to_datetime(frame["ts_ms"], unit="ms", utc=True).dt.floor("min").dt.strftime("%Y-%m-%d %H:%M")
    windows = Counter({(m, op): int(n) for (m, op), n in frame.groupby(["minute", "op"]).size().items()})
    return windows, Counter(frame["op"])


def engine_rows(engine: str, tmp_path_factory, code: str, lab, data_dir) -> list[dict]:
    jars = [str(jar) for jar in engine_jars(engine, data_dir)]
    lines, seconds = run_in_engine(engine, tmp_path_factory, code, lab.bootstrap_servers, *jars)
    print(f"\n[engines] {engine} job on the broker lab: {seconds:.1f} s")
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_flink_reads_the_broker_lab_windows_and_changelog_agree_with_pandas(lab_with_changes, tmp_path_factory):
    lab, data_dir = lab_with_changes
    expected_windows, ops = pandas_counts(lab.bootstrap_servers)
    assert {"r", "c", "u"} <= set(ops)  # the workload ran: more than a snapshot
    rows = engine_rows("flink", tmp_path_factory, FLINK_JOB, lab, data_dir)
    windows = [row for row in rows if row["table"] == "windows"]
    assert {row["kind"] for row in windows} == {"+I"}  # event-time windows emit each window once
    assert Counter({(row["minute"], row["op"]): row["count"] for row in windows}) == expected_windows
    kinds = Counter(row["kind"] for row in rows if row["table"] == "changelog")
    assert (
        kinds == Counter({"+I": ops["r"] + ops["c"], "-U": ops["u"], "+U": ops["u"], "-D": ops["d"]}) - Counter()
    )  # (- Counter() drops zero counts: no deletes is possible in a short workload)


def test_spark_reads_the_broker_lab_and_its_windows_agree_with_pandas(lab_with_changes, tmp_path_factory):
    lab, data_dir = lab_with_changes
    expected_windows, _ops = pandas_counts(lab.bootstrap_servers)
    rows = engine_rows("spark", tmp_path_factory, SPARK_JOB, lab, data_dir)
    assert Counter({(row["minute"], row["op"]): row["count"] for row in rows}) == expected_windows


DECIMAL_COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "decimal_course"


def test_a_flink_lesson_reads_decimals_through_tutor_topic_on_the_broker_lab(tmp_path_factory):
    """The fixture's Flink query reads `tutor.topic("orders")` with `total DECIMAL(10, 2)`; its
    checkpoint passes only when every total parsed as a 2-place Decimal (a precise decimal fails
    the job). tests/stack runs the same lesson on the real stack's string-decimals connector."""
    data_dir = ensure_engine("flink", tmp_path_factory).data_dir
    done = verify(DECIMAL_COURSE, data_dir)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "PASS module-1/01-decimals/totals/decimals" in done.stdout
