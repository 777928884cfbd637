"""Benchmark: engine lessons in a workshop, each student's kernel with its own local engine (a Flink
mini-cluster, a Spark driver) against every kernel using the one shared engine of the stack (`lab up
--engines`: a Flink session cluster, a Spark Connect server), with 1 and STUDENTS students at once,
in the same run.

Each student is a real LessonRunner (kernel, `tutor`, the lesson's session code) that reads the
broker lab's orders topic, as the first step of lesson 03 (Flink) and lesson 05 (Spark) does.
1. `{engine}_student_mib_{local,shared}_{n}`: memory per student once their first query has run
   (Pss of the kernel's process tree: Python and the engine's JVM when it has one); shared adds the
   shared engine's growth over the run divided by the students, and its idle memory is reported
   beside it. Anchor: local with the same number of students.
2. `{engine}_first_row_s_{local,shared}_{n}`: median seconds from the kernel's start to the first
   row of the first query (kernel, session, job, first row): what a student waits on opening the
   lesson. Anchor: local with the same number of students.
One run per configuration (each starts JVMs); --runs does not apply.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

STUDENTS = 4
ROOM = 40

FLINK_SESSION = """
import os, time
from pyflink.table import EnvironmentSettings, TableEnvironment
t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
config = t_env.get_config()
config.set("pipeline.jars", ";".join("file://" + jar for jar in tutor.jars))
config.set("parallelism.default", "1")
t_env.execute_sql(f'''CREATE TABLE orders (payload ROW<op STRING>) WITH ('connector' = 'kafka',
    'topic' = 'dbserver1.inventory.orders', 'properties.bootstrap.servers' = '{tutor.bootstrap}',
    'properties.group.id' = '{tutor.name("{user}-bench")}', 'scan.startup.mode' = 'earliest-offset',
    'scan.bounded.mode' = 'latest-offset', 'format' = 'json')''')
with t_env.execute_sql("SELECT payload.op FROM orders").collect() as rows:
    next(iter(rows))
kernel_pid = os.getpid()
"""

# Lesson 05's shape: the builder with its options, a Kafka stream, foreachBatch collecting rows.
SPARK_SESSION = """
import os
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").config("spark.jars", ",".join(tutor.jars))
         .config("spark.driver.memory", "512m").config("spark.sql.shuffle.partitions", "1")
         .config("spark.ui.enabled", "false").config("spark.log.level", "ERROR").getOrCreate())
seen = []
query = (spark.readStream.format("kafka").option("kafka.bootstrap.servers", tutor.bootstrap)
         .option("subscribe", "dbserver1.inventory.orders").option("startingOffsets", "earliest")
         .option("maxOffsetsPerTrigger", 1).load()
         .writeStream.trigger(availableNow=True)
         .foreachBatch(lambda data, batch_id: seen.extend(data.limit(1).collect())).start())
while not seen and query.isActive:
    query.awaitTermination(0.2)
query.stop()
assert seen, "no row"
kernel_pid = os.getpid()
"""


@dataclass(frozen=True)
class EngineRoom:
    engine: str
    session: str
    processes: tuple[str, ...]
    setting: str  # the tutor's setting that points kernels at the shared engine

    def address(self, config) -> str:
        return config.flink_url if self.engine == "flink" else config.spark_remote


ROOMS = (
    EngineRoom("flink", FLINK_SESSION, ("flink-jobmanager", "flink-taskmanager"), "flink_url"),
    EngineRoom("spark", SPARK_SESSION, ("spark-connect",), "spark_remote"),
)


class _Settings:
    def __init__(self, data_dir: Path, **shared: str | None) -> None:
        self.data_dir, self.flink_url, self.spark_remote = data_dir, None, None
        self.__dict__.update(shared)
        self.user, self.bootstrap_servers = "bench", None


def _lesson(room: EngineRoom):
    from cdc_tutor.course.model import Lesson, Snippet, Step

    step = Step("bench", "bench", "text", (), "solution", snippets=(Snippet(1, room.session, 1),))
    lesson_id = f"bench/01-{room.engine}-room"
    return Lesson(lesson_id, Path("lesson.md"), "t", "d", 1, "beginner", 1, (), (), room.engine, (), "", (step,))


def _students(room: EngineRoom, students: int, data_dir: Path, bootstrap: str, address: str | None):
    """Seconds to the first row and Pss (KiB) of each student's kernel tree, all started at once."""
    from cdc_tutor.practice.runner import LessonRunner
    from cdc_tutor.stack.processes import tree_rss_kib

    settings = _Settings(data_dir, **{room.setting: address})
    runners = [LessonRunner(_lesson(room), settings, bootstrap, user=f"s{index}") for index in range(students)]

    def first_row(runner) -> float:
        began = time.perf_counter()
        runner.start()
        result = runner.run_snippet("bench", 1, timeout=600)
        if not result.ok:
            raise RuntimeError(f"{result.error and result.error.evalue}\n{runner.kernel.log_tail()}")
        return time.perf_counter() - began

    try:
        with ThreadPoolExecutor(students) as pool:
            seconds = list(pool.map(first_row, runners))
        pids = [int(runner.context().evaluate("kernel_pid", 30).value_repr) for runner in runners]
        return seconds, [tree_rss_kib(pid, "Pss") for pid in pids]
    finally:
        for runner in runners:
            runner.shutdown()


def _shared_against_local(name: str, students: int, shared: float, local: float, digits: int) -> dict:
    """One metric line: the shared figure, its same-run local anchor and their ratio."""
    return {
        "metric": f"{name}_shared_{students}",
        "value": round(shared, digits),
        "anchor": {"metric": f"{name}_local_{students}", "value": round(local, digits)},
        "ratio": round(shared / local, 3),
    }


def _measure_room(room: EngineRoom, stack, data_dir: Path, bootstrap: str) -> list[dict]:
    from cdc_tutor.stack.processes import tree_rss_kib

    pids = [stack._pid(name) for name in room.processes]

    def engine_kib() -> int:
        return sum(tree_rss_kib(pid, "Pss") for pid in pids)

    idle, results = engine_kib(), []
    for students in (1, STUDENTS):
        local_s, local_kib = _students(room, students, data_dir, bootstrap, None)
        before = engine_kib()
        shared_s, shared_kib = _students(room, students, data_dir, bootstrap, room.address(stack.config))
        growth = max(0, engine_kib() - before)
        local_mib = statistics.median(local_kib) / 1024
        shared_mib = (statistics.median(shared_kib) + growth / students) / 1024
        results.append({
            **_shared_against_local(f"{room.engine}_student_mib", students, shared_mib, local_mib, 1),
            "shared_idle_mib": round(idle / 1024, 1),
            "shared_growth_mib": round(growth / 1024, 1),
            "room_of_40_gib": {
                "local": round(ROOM * local_mib / 1024, 1),
                "shared": round((ROOM * shared_mib + idle / 1024) / 1024, 1),
            },
        })  # fmt: skip
        local_median, shared_median = statistics.median(local_s), statistics.median(shared_s)
        results.append({
            **_shared_against_local(f"{room.engine}_first_row_s", students, shared_median, local_median, 2),
            "all_s": {"local": [round(x, 1) for x in local_s], "shared": [round(x, 1) for x in shared_s]},
        })  # fmt: skip
    return results


def measure(runs: int = 1, engines: tuple[str, ...] = ("flink", "spark")) -> list[dict]:
    from cdc_tutor.engines import engine_python
    from cdc_tutor.lab import embedded_lab
    from cdc_tutor.lab.options import LabOptions
    from cdc_tutor.settings import Settings
    from cdc_tutor.stack.config import StackConfig
    from cdc_tutor.stack.native import NativeStack

    data_dir = Path(os.environ.get("CDC_TUTOR_ENGINES_DIR") or Settings.load().data_dir)
    rooms = [room for room in ROOMS if room.engine in engines]
    missing = [room.engine for room in rooms if engine_python(room.engine, data_dir) is None]
    if missing:
        return [{"metric": "shared_engines", "met": None, "skipped": f"run: cdc-tutor setup {' '.join(missing)}"}]
    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="cdc-bench-engines-") as folder:
        home = Path(folder)
        (home / "engines").mkdir(mode=0o700)
        for room in rooms:
            (home / "engines" / room.engine).symlink_to(data_dir / "engines" / room.engine, target_is_directory=True)
        stack = NativeStack(StackConfig.with_free_ports(home / "stack", engines=True, flink_slots=2 * STUDENTS))
        lab = embedded_lab(LabOptions(broker="kafka", decimal_mode="string", workload=False), data_dir).start()
        try:
            stack.start_engines(only=tuple(room.engine for room in rooms))
            for room in rooms:
                results += _measure_room(room, stack, data_dir, lab.bootstrap_servers)
        finally:
            stack.down(purge=True)
            lab.close()
    return results


if __name__ == "__main__":
    import json

    engines = tuple(sys.argv[1:]) or ("flink", "spark")
    for line in measure(engines=engines):
        print(json.dumps(line, ensure_ascii=False))
