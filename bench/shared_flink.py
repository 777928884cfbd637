"""Benchmark: Flink lessons in a workshop, each student's kernel with its own local mini-cluster
against every kernel submitting to one shared Flink session cluster (`lab up --engines`), with 1
and STUDENTS students at once, in the same run.

Each student is a real LessonRunner (kernel, `tutor`, the lesson's TableEnvironment code) that
reads the broker lab's orders topic, as lesson 03's first step does.
1. `flink_student_mib_{local,shared}_{n}`: memory per student once their first query has run
   (Pss of the kernel's process tree: Python, the PyFlink gateway JVM and, locally, the
   mini-cluster in it); shared adds the cluster's growth over the run divided by the students, and
   the cluster's idle memory is reported beside it. Anchor: local with the same number of students.
2. `flink_first_row_s_{local,shared}_{n}`: median seconds from the kernel's start to the first row
   of the first query (kernel, TableEnvironment, job, first row): what a student waits on opening
   the lesson. Anchor: local with the same number of students.
One run per configuration (each starts JVMs); --runs does not apply.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

STUDENTS = 4
ROOM = 40

SESSION = """
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


class _Settings:
    def __init__(self, data_dir: Path, flink_url: str | None) -> None:
        self.data_dir, self.flink_url = data_dir, flink_url
        self.user, self.bootstrap_servers = "bench", None


def _lesson():
    from cdc_tutor.course.model import Lesson, Snippet, Step

    step = Step("bench", "bench", "text", (), "solution", snippets=(Snippet(1, SESSION, 1),))
    return Lesson(
        "bench/01-flink-room", Path("lesson.md"), "t", "d", 1, "beginner", 1, (), (), "flink", (), "", (step,)
    )


def _room(students: int, data_dir: Path, bootstrap: str, flink_url: str | None) -> tuple[list[float], list[int]]:
    """Seconds to the first row and Pss (KiB) of each student's kernel tree, all started at once."""
    from cdc_tutor.practice.runner import LessonRunner
    from cdc_tutor.stack.processes import tree_rss_kib

    runners = [
        LessonRunner(_lesson(), _Settings(data_dir, flink_url), bootstrap, user=f"s{index}")
        for index in range(students)
    ]

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


def measure(runs: int = 1) -> list[dict]:
    from cdc_tutor.engines import engine_python
    from cdc_tutor.lab import embedded_lab
    from cdc_tutor.lab.options import LabOptions
    from cdc_tutor.settings import Settings
    from cdc_tutor.stack.config import StackConfig
    from cdc_tutor.stack.native import NativeStack
    from cdc_tutor.stack.processes import tree_rss_kib

    data_dir = Path(os.environ.get("CDC_TUTOR_ENGINES_DIR") or Settings.load().data_dir)
    if engine_python("flink", data_dir) is None:
        return [{"metric": "flink_student_mib", "met": None, "skipped": "run: cdc-tutor setup flink"}]
    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="cdc-bench-flink-") as folder:
        home = Path(folder)
        (home / "engines").mkdir(mode=0o700)
        (home / "engines" / "flink").symlink_to(data_dir / "engines" / "flink", target_is_directory=True)
        stack = NativeStack(StackConfig.with_free_ports(home / "stack", engines=True, flink_slots=2 * STUDENTS))
        lab = embedded_lab(LabOptions(broker="kafka", decimal_mode="string", workload=False), data_dir).start()
        try:
            stack.start_engines()
            cluster_pids = [stack._pid(name) for name in ("flink-jobmanager", "flink-taskmanager")]
            cluster_idle = sum(tree_rss_kib(pid, "Pss") for pid in cluster_pids)
            for students in (1, STUDENTS):
                local_s, local_kib = _room(students, data_dir, lab.bootstrap_servers, None)
                before = sum(tree_rss_kib(pid, "Pss") for pid in cluster_pids)
                shared_s, shared_kib = _room(students, data_dir, lab.bootstrap_servers, stack.config.flink_url)
                growth = max(0, sum(tree_rss_kib(pid, "Pss") for pid in cluster_pids) - before)
                local_mib = statistics.median(local_kib) / 1024
                shared_mib = (statistics.median(shared_kib) + growth / students) / 1024
                results.append({
                    "metric": f"flink_student_mib_shared_{students}",
                    "value": round(shared_mib, 1),
                    "anchor": {"metric": f"flink_student_mib_local_{students}", "value": round(local_mib, 1)},
                    "ratio": round(shared_mib / local_mib, 3),
                    "cluster_idle_mib": round(cluster_idle / 1024, 1),
                    "cluster_growth_mib": round(growth / 1024, 1),
                    "room_of_40_gib": {
                        "local": round(ROOM * local_mib / 1024, 1),
                        "shared": round((ROOM * shared_mib + cluster_idle / 1024) / 1024, 1),
                    },
                })  # fmt: skip
                local_median, shared_median = statistics.median(local_s), statistics.median(shared_s)
                results.append({
                    "metric": f"flink_first_row_s_shared_{students}",
                    "value": round(shared_median, 2),
                    "anchor": {"metric": f"flink_first_row_s_local_{students}", "value": round(local_median, 2)},
                    "ratio": round(shared_median / local_median, 3),
                    "all_s": {"local": [round(x, 1) for x in local_s], "shared": [round(x, 1) for x in shared_s]},
                })  # fmt: skip
        finally:
            stack.down(purge=True)
            lab.close()
    return results


if __name__ == "__main__":
    import json

    for line in measure():
        print(json.dumps(line, ensure_ascii=False))
