"""A workshop's shared engines (`lab up --native --engines`): a Flink session cluster and a Spark
Connect server. Two students' real tutors run a Flink and a Spark lesson at the same time; their
kernels submit to the one cluster and hold Spark Connect sessions on the one server instead of
starting an engine each, jobs carry each student's name, a student sees none of the other's tables
or queries, and a student who leaves leaves nothing running. The engines run beside the session's
native stack and are stopped at the module's end."""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cdc_tutor.commands.stack import lab_settings
from cdc_tutor.engines.flink_rest import UNFINISHED, jobs, overview, owner_of
from cdc_tutor.stack.config import free_ports
from cdc_tutor.stack.flink_cluster import JOBMANAGER, TASKMANAGER
from cdc_tutor.stack.native import NativeStack
from cdc_tutor.stack.processes import descendants, listening_sockets
from cdc_tutor.stack.spark_connect import SPARK_CONNECT
from tests.engines import ensure_engine, link_engine
from tests.stack.test_workshop_secure import _tutor_workload

ROOT = Path(__file__).resolve().parents[2]
LESSON = "module-5/03-pyflink-cdc-connector"
SPARK_LESSON = "module-5/05-pyspark-structured-streaming"
STUDENTS = ("ann", "bob")


@pytest.fixture(scope="module")
def engines_stack(native_stack, tmp_path_factory):
    """The session's stack with its engines up (`lab up --engines` on a running stack starts only
    what is missing)."""
    link_engine(native_stack.config.state_dir.parent, "flink", tmp_path_factory)
    link_engine(native_stack.config.state_dir.parent, "spark", tmp_path_factory)
    stack = NativeStack(dataclasses.replace(native_stack.config, engines=True, flink_slots=4), report=lambda _: None)
    figures = stack.up()
    try:
        yield stack, figures
    finally:
        stack.stop_engines()


def student(name: str, stack: NativeStack, tmp_path_factory, *args: str) -> subprocess.CompletedProcess:
    """`cdc-tutor ARGS` as a workshop student: their own data dir, the stack's lab settings."""
    data_dir = tmp_path_factory.mktemp(f"home-{name}")
    link_engine(data_dir, "flink", tmp_path_factory)
    link_engine(data_dir, "spark", tmp_path_factory)
    env = {key: value for key, value in os.environ.items() if not key.startswith("CDC_TUTOR_")}
    env.update(lab_settings(stack), CDC_TUTOR_USER=name, CDC_TUTOR_CONFIG=str(data_dir / "no-config.toml"))
    command = [sys.executable, "-m", "cdc_tutor", "--data-dir", str(data_dir), *args]
    return subprocess.run(command, cwd=ROOT, env=env, text=True, capture_output=True, timeout=900)


def test_the_stack_brings_up_loopback_engines_and_hands_out_their_addresses(engines_stack):
    stack, figures = engines_stack
    room = overview(stack.config.flink_url)
    assert room.taskmanagers == 1 and room.slots_total == 4, room
    assert room.version == "2.2.1"  # the PyFlink of the engine environment: client and cluster agree
    assert lab_settings(stack)["CDC_TUTOR_FLINK_URL"] == stack.config.flink_url
    assert stack.status().flink is True and stack.status().healthy
    memory = figures["memory_kib"]
    assert memory[JOBMANAGER] > 0 and memory[TASKMANAGER] > 0, memory
    loopback = {"0100007F", "0000000000000000FFFF00000100007F"}  # 127.0.0.1, as IPv4 or IPv4-mapped IPv6
    assert lab_settings(stack)["CDC_TUTOR_SPARK_REMOTE"] == stack.config.spark_remote
    assert stack.status().spark is True and memory[SPARK_CONNECT] > 0, memory
    for name in (JOBMANAGER, TASKMANAGER, SPARK_CONNECT):  # every port of the JVMs, whichever they picked: loopback
        addresses = listening_addresses(stack._state()["pids"][name])
        assert len(addresses) >= 2, (name, addresses)
        assert set(addresses) <= loopback, (name, addresses)


def listening_addresses(pid: int) -> list[str]:
    """The local addresses (as /proc/net/tcp* spells them) of the process's listening sockets,
    matched by socket inode."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return [address for address, _, _, inode in listening_sockets() if inode in inodes]


def test_two_students_run_a_flink_and_a_spark_lesson_at_once_on_the_shared_engines(engines_stack, tmp_path_factory):
    """Both real tutors pass lesson 03 and lesson 05 at the same time while the workload changes
    PostgreSQL; the cluster ran jobs named for each of them, the Spark server ran each one's
    foreachBatch relays in their own sessions, and after they left none of their jobs is running."""
    stack, _ = engines_stack
    url = stack.config.flink_url
    before = {job["jid"] for job in jobs(url)}
    server_log = stack.config.logs_dir / f"{SPARK_CONNECT}.out"
    log_start = server_log.stat().st_size
    workload = _tutor_workload(stack.config.state_dir.parent)

    def verify(name: str) -> subprocess.CompletedProcess:
        return student(name, stack, tmp_path_factory, "verify", LESSON, SPARK_LESSON)

    try:
        with ThreadPoolExecutor(len(STUDENTS)) as pool:
            runs = dict(zip(STUDENTS, pool.map(verify, STUDENTS)))
    finally:
        workload.send_signal(signal.SIGINT)
        workload.communicate(timeout=30)
    for name, done in runs.items():
        assert done.returncode == 0, (name, done.stdout[-4000:], done.stderr[-2000:])
        assert "verify OK" in done.stdout and " 0 failed" in done.stdout, (name, done.stdout[-2000:])
    ran = [job for job in jobs(url) if job["jid"] not in before]
    for name in STUDENTS:
        # verify works as a throwaway user of the student's: ann-verify-1a2b3c
        theirs = [
            job for job in ran if owner_of(job["name"]).startswith(f"{name}-verify-") and job["name"].endswith(LESSON)
        ]
        assert len(theirs) >= 3, (
            name,
            [(job["name"], job["state"]) for job in ran],
        )  # the lesson's queries and streams ran here, not in the kernel
        assert not [job for job in theirs if job["state"] in UNFINISHED], theirs  # left: nothing holds a slot
    assert all(owner_of(job["name"]).split("-")[0] in STUDENTS for job in ran), ran
    assert overview(url).slots_available == 4
    # The server's Python workers start one relay per foreachBatch query, attached to the student's
    # own session (its user_id is the student's verify user): lesson 05's batches ran on the server.
    with server_log.open(encoding="utf-8", errors="replace") as log:
        log.seek(log_start)
        relays = re.findall(
            r"ForeachBatch worker is starting with url \S*user_id=(\w+)-verify-\w+ and sessionId (\S+)\.", log.read()
        )
    assert {name for name, _ in relays} == set(STUDENTS), relays
    sessions = {name: {session for who, session in relays if who == name} for name in STUDENTS}
    assert not sessions["ann"] & sessions["bob"], sessions


def test_doctor_reads_the_room_and_a_dead_cluster_is_one_failed_line(engines_stack, tmp_path_factory):
    stack, _ = engines_stack
    done = student("ann", stack, tmp_path_factory, "doctor", "--only", "flink", "--only", "spark")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "свободных слотов 4 из 4" in done.stdout, done.stdout
    assert f"{stack.config.spark_remote}: сервер Spark Connect принимает подключения" in done.stdout, done.stdout
    dead = dataclasses.replace(stack.config, flink_port=free_ports(1)[0])  # nothing listens there
    env_stack = NativeStack(dead, report=lambda _: None)
    done = student("ann", env_stack, tmp_path_factory, "doctor", "--only", "flink")
    assert done.returncode != 0 and "не отвечает" in done.stdout and "--engines" in done.stdout, done.stdout
    dead = dataclasses.replace(stack.config, spark_port=free_ports(1)[0])
    done = student("ann", NativeStack(dead, report=lambda _: None), tmp_path_factory, "doctor", "--only", "spark")
    assert done.returncode != 0 and f"{dead.spark_remote} не отвечает" in done.stdout, done.stdout


DETACHED_JOB = """
t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.execute_sql("CREATE TABLE g (x INT) WITH ('connector' = 'datagen', 'rows-per-second' = '1')")
t_env.execute_sql("CREATE TABLE b (x INT) WITH ('connector' = 'blackhole')")
job = t_env.execute_sql("INSERT INTO b SELECT x FROM g").get_job_client().get_job_id()
print("submitted", job)
"""


@dataclasses.dataclass
class Settings:
    data_dir: Path
    flink_url: str


def test_a_students_jobs_are_cancelled_when_their_kernel_stops_and_only_theirs(engines_stack, tmp_path_factory):
    """A detached INSERT outlives the client that submitted it; the tutor's runner cancels the
    student's jobs on the shared cluster when it shuts the kernel down (leaving the lesson, quitting),
    and another student's job runs on."""
    from cdc_tutor.course.model import Lesson, Snippet, Step
    from cdc_tutor.practice.runner import LessonRunner

    stack, _ = engines_stack
    url = stack.config.flink_url
    data_dir = ensure_engine("flink", tmp_path_factory).data_dir
    code = "from pyflink.table import EnvironmentSettings, TableEnvironment\n" + DETACHED_JOB
    step = Step("job", "job", "text", (), "", snippets=(Snippet(1, code, 1),))
    lesson = Lesson(
        "engines/01-detached", Path("lesson.md"), "t", "d", 1, "beginner", 1, (), (), "flink", (), "", (step,)
    )
    runners = {
        name: LessonRunner(lesson, Settings(data_dir, url), stack.config.bootstrap_servers, user=name)
        for name in STUDENTS
    }
    try:
        for runner in runners.values():
            runner.start()
            assert runner.tutor_error is None, runner.tutor_error
            result = runner.run_snippet("job", 1, timeout=300)
            assert result.ok and "submitted" in result.stdout.text, (
                result.status,
                result.error,
                runner.kernel.log_tail(),
            )
        names = {name: f"{name}: {lesson.id}" for name in STUDENTS}
        assert wait_for_states(url, names.values(), {"RUNNING"}) == {names["ann"]: "RUNNING", names["bob"]: "RUNNING"}
        runners["ann"].shutdown()
        states = wait_for_states(url, names.values(), {"CANCELED"}, only=names["ann"])
        assert states == {names["ann"]: "CANCELED", names["bob"]: "RUNNING"}, states
    finally:
        for runner in runners.values():
            runner.shutdown()
    assert wait_for_states(url, [f"bob: {lesson.id}"], {"CANCELED"}) == {f"bob: {lesson.id}": "CANCELED"}


def wait_for_states(url: str, names, wanted: set[str], only: str | None = None, seconds: float = 90) -> dict[str, str]:
    """{job name: state} of the named jobs (their latest run) once `only` (else every one) is in `wanted`."""
    deadline = time.monotonic() + seconds
    while True:
        latest = {}
        for job in sorted(jobs(url), key=lambda job: job.get("start-time", 0)):
            if job["name"] in names:
                latest[job["name"]] = job["state"]
        watched = [only] if only else list(names)
        if all(latest.get(name) in wanted for name in watched) or time.monotonic() > deadline:
            return latest
        time.sleep(0.5)


ANN_SPARK = """
import time
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").config("spark.driver.memory", "512m")
         .config("spark.sql.shuffle.partitions", "1").getOrCreate())
spark.range(3).createOrReplaceTempView("ann_view")
seen = []
query = (spark.readStream.format("rate").option("rowsPerSecond", 5).load()
         .writeStream.queryName("ann_query").option("checkpointLocation", "checkpoints/mine")
         .trigger(processingTime="1 second")
         .foreachBatch(lambda data, batch_id: seen.append(data.count())).start())
deadline = time.monotonic() + 120
while sum(seen) == 0 and time.monotonic() < deadline:
    time.sleep(0.5)
print("session:", type(spark).__module__, "| rows seen in the kernel:", sum(seen))
"""
BOB_SPARK = """
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
tables = [table.name for table in spark.catalog.listTables()]
print("tables:", tables, "| queries:", [query.name for query in spark.streams.active])
"""


def test_students_spark_sessions_are_their_own_and_end_with_their_kernel(engines_stack, tmp_path_factory):
    """Two real LessonRunners on the shared Spark Connect server: ann's foreachBatch function fills
    her kernel's list, her relative checkpoint lands in her lesson folder, her kernel runs no JVM;
    bob's session sees none of her views or queries; her query stops when her kernel does."""
    from cdc_tutor.course.model import Lesson, Snippet, Step
    from cdc_tutor.practice.runner import LessonRunner

    stack, _ = engines_stack
    data_dir = ensure_engine("spark", tmp_path_factory).data_dir
    runners = {}
    for name, code in (("ann", ANN_SPARK), ("bob", BOB_SPARK)):
        step = Step("s", "s", "text", (), "", snippets=(Snippet(1, code, 1),))
        lesson = Lesson(
            f"engines/01-{name}", Path("l.md"), "t", "d", 1, "beginner", 1, (), (), "spark", (), "", (step,)
        )
        settings = SparkSettings(data_dir, stack.config.spark_remote)
        runners[name] = LessonRunner(lesson, settings, stack.config.bootstrap_servers, user=name)
    try:
        results = {}
        for name, runner in runners.items():
            runner.start()
            assert runner.tutor_error is None, runner.tutor_error
            results[name] = runner.run_snippet("s", 1, timeout=300)
            assert results[name].ok, (results[name].status, results[name].error, runner.kernel.log_tail())
        ann = results["ann"].stdout.text
        assert "session: pyspark.sql.connect.session" in ann and "rows seen in the kernel: 0" not in ann, ann
        # one line instead of pyspark's warning per static option (spark.driver.memory here)
        warnings = results["ann"].stderr.text
        assert ann.count("на общем сервере Spark Connect мастерской") == 1 and "Failed to set" not in warnings, ann
        assert "tables: [] | queries: []" in results["bob"].stdout.text, results["bob"].stdout.text
        assert not java_processes_under(runners["ann"].kernel._km.provisioner.process.pid)
        offsets = runners["ann"].work_dir / "checkpoints" / "mine" / "offsets"
        assert offsets.is_dir() and any(offsets.iterdir()), offsets  # the kernel's folder, not the server's
        runners["ann"].shutdown()
        time.sleep(3)  # a batch in flight may still commit
        written = sorted(offsets.iterdir())
        time.sleep(5)
        assert sorted(offsets.iterdir()) == written  # no micro-batch after she left
    finally:
        for runner in runners.values():
            runner.shutdown()


@dataclasses.dataclass
class SparkSettings:
    data_dir: Path
    spark_remote: str


def java_processes_under(pid: int) -> list[str]:
    """Command lines of the java processes among `pid`'s descendants (from /proc)."""
    found = []
    for child in descendants(pid):
        try:
            command = (Path("/proc") / str(child) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "java" in command.split(" ", 1)[0]:
            found.append(command)
    return found
