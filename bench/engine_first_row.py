"""Benchmark: time to the first row of a Flink and of a Spark Kafka query on the broker lab, from a
warm kernel (its TableEnvironment / SparkSession made by an earlier cell, as in a lesson's second
step) against the same query from a cold kernel (kernel start + session + query), in the same run.

Needs `cdc-tutor setup flink spark` in the data dir ($CDC_TUTOR_ENGINES_DIR, else the default data
dir); an engine that is not set up is reported with "met": null and the command to run.
Target: warm first row < 3 s for both engines.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

TARGET_S = 3.0

SESSION = {
    "flink": """
from pyflink.table import EnvironmentSettings, TableEnvironment
t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.get_config().set("pipeline.jars", ";".join("file://" + jar for jar in tutor.jars))
t_env.get_config().set("parallelism.default", "1")
""",
    "spark": """
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").config("spark.jars", ",".join(tutor.jars))
         .config("spark.sql.shuffle.partitions", "1").config("spark.ui.enabled", "false").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
""",
}

# One bounded query on the orders topic; `first_row_s` is from the query's start to its first row.
QUERY = {
    "flink": """
import time, uuid
_name = "orders_" + uuid.uuid4().hex[:6]
t_env.execute_sql(f'''CREATE TABLE {_name} (payload ROW<op STRING>) WITH ('connector' = 'kafka',
    'topic' = 'dbserver1.inventory.orders', 'properties.bootstrap.servers' = '{tutor.bootstrap}',
    'properties.group.id' = 'bench', 'scan.startup.mode' = 'earliest-offset',
    'scan.bounded.mode' = 'latest-offset', 'format' = 'json')''')
_began = time.perf_counter()
with t_env.execute_sql(f"SELECT payload.op FROM {_name}").collect() as _rows:
    next(iter(_rows))
    first_row_s = time.perf_counter() - _began
""",
    "spark": """
import time
_began = time.perf_counter()
_first = (spark.read.format("kafka").option("kafka.bootstrap.servers", tutor.bootstrap)
          .option("subscribe", "dbserver1.inventory.orders").option("startingOffsets", "earliest").load()
          .limit(1).collect())
first_row_s = time.perf_counter() - _began
""",
}


def _lesson(engine: str):
    from cdc_tutor.course.model import Lesson, Snippet, Step

    snippets = (Snippet(1, SESSION[engine], 1), Snippet(2, QUERY[engine], 2))
    step = Step("bench", "bench", "text", (), "solution", snippets=snippets)
    return Lesson(f"bench/01-{engine}", Path("lesson.md"), "t", "d", 1, "beginner", 1, (), (), engine, (), "", (step,))


class _Settings:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.user = "bench"
        self.bootstrap_servers = None


def _cold_and_warm(engine: str, data_dir: Path, bootstrap: str, warm_runs: int) -> tuple[float, list[float]]:
    from cdc_tutor.practice.runner import LessonRunner

    began = time.perf_counter()
    runner = LessonRunner(_lesson(engine), _Settings(data_dir), bootstrap, user="bench")
    try:
        runner.start()
        for index in (1, 2):
            result = runner.run_snippet("bench", index, timeout=600)
            if not result.ok:
                raise RuntimeError(f"{engine}: {result.error and result.error.evalue}")
        cold = time.perf_counter() - began  # kernel start, session, first query's first row
        warm = []
        for _ in range(warm_runs):
            result = runner.run_snippet("bench", 2, timeout=600)
            if not result.ok:
                raise RuntimeError(f"{engine}: {result.error and result.error.evalue}")
            warm.append(float(runner.context().evaluate("first_row_s", 30).value_repr))
        return cold, warm
    finally:
        runner.shutdown()


def measure(runs: int = 5) -> list[dict]:
    from cdc_tutor.engines import engine_python
    from cdc_tutor.lab import embedded_lab
    from cdc_tutor.lab.options import LabOptions
    from cdc_tutor.settings import Settings

    data_dir = Path(os.environ.get("CDC_TUTOR_ENGINES_DIR") or Settings.load().data_dir)
    results = []
    lab = None
    try:
        for engine in ("flink", "spark"):
            metric = f"{engine}_kafka_first_row_warm_s"
            if engine_python(engine, data_dir) is None:
                results.append({"metric": metric, "met": None, "skipped": f"run: cdc-tutor setup {engine}"})
                continue
            if lab is None:
                lab = embedded_lab(LabOptions(broker="kafka", decimal_mode="string", workload=False), data_dir).start()
            cold, warm = _cold_and_warm(engine, data_dir, lab.bootstrap_servers, max(3, min(runs, 5)))
            median = statistics.median(warm)
            results.append(
                {
                    "metric": metric,
                    "median": round(median, 3),
                    "runs": len(warm),
                    "anchor": f"{engine}_kafka_first_row_cold_kernel_s",
                    "anchor_median": round(cold, 3),
                    "anchor_runs": 1,  # a cold kernel costs a JVM start: one per engine per run
                    "ratio": round(median / cold, 3),
                    "target": f"median < {TARGET_S}",
                    "met": median < TARGET_S,
                }
            )
    finally:
        if lab is not None:
            lab.close()
    return results


if __name__ == "__main__":
    import json

    for result in measure(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
        print(json.dumps(result))
