"""JvmBroker: a real single-node Apache Kafka broker (KRaft) as a child JVM of the tutor, offline.

What the mock cluster cannot do (Java clients such as Flink and Spark, read_committed, offsets in
transactions) needs the real broker. It is the native stack's broker (the same kafka_2.13 jars,
resolved through Maven by `cdc-tutor setup kafka`), but owned by the tutor's process:
- set-up formats a storage template once and records a class-data-sharing archive of a first run,
  so a start copies the template and maps the archive instead of formatting and loading classes;
- it listens in a network namespace of its own where the kernel allows (cdc_tutor.kafka.private_net:
  no other process of the machine can reach its ports), reached only through a Unix socket in a
  0700 folder and a loopback proxy that lets in this user's processes alone; its state is in a
  private folder that goes with it;
- it never outlives the tutor: started with PR_SET_PDEATHSIG from a thread that lives until close,
  so a killed tutor (SIGHUP from a dropped SSH session, SIGKILL) takes it along.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cdc_tutor.kafka.private_net import die_with_parent
from cdc_tutor.paths import owned_run_dir, private_dir
from cdc_tutor.stack.processes import kafka_cluster_id

if TYPE_CHECKING:
    from cdc_tutor.kafka.proxy import OutageProxy

HOST = "127.0.0.1"
HEAP = "256m"
READY_TIMEOUT = 90.0
LAB_DIR = "kafka-lab"
_JVM = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Djava.awt.headless=true", "-Xms64m"]
_LOG4J2 = """status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c{1})%n
rootLogger.level = WARN
rootLogger.appenderRef.out.ref = out
"""


class BrokerUnavailable(RuntimeError):
    """The JVM broker cannot run here; the message is one line that says what to do."""


def lab_home(data_dir: Path) -> Path:
    return private_dir(Path(data_dir), LAB_DIR)


def _properties(data: Path, port: int, controller: int) -> str:
    lines = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{HOST}:{controller}",
        "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{port}",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(data),
        # 4 partitions, auto-created: what the embedded broker does, so lessons behave alike.
        "num.partitions": "4",
        "auto.create.topics.enable": "true",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "4",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "4",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "log.retention.check.interval.ms": "60000",
    }
    return "".join(f"{key}={value}\n" for key, value in lines.items())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _java() -> str:
    from cdc_tutor.engines.java import check_java

    java = check_java()
    if not java.ok:
        raise BrokerUnavailable(f"the Kafka broker lab needs Java 17+: {java.problem}")
    return str(java.path)


def _jars(resolve: bool, report: Callable[[str], None] = print) -> Path:
    """The broker's classpath folder; resolved through Maven only at set-up (`resolve`)."""
    from cdc_tutor.stack.catalog import BROKER
    from cdc_tutor.stack.config import default_cache_dir, default_maven_repo
    from cdc_tutor.stack.jars import StackError, classpath_dir, resolve_ready
    from cdc_tutor.stack.jars import resolve as resolve_jars

    cache = default_cache_dir()
    if resolve:
        try:
            return resolve_jars(BROKER, cache, default_maven_repo(), report)
        except StackError as error:
            raise BrokerUnavailable(f"resolving the Kafka broker's jars failed: {error}") from None
    if not resolve_ready(cache, BROKER):
        raise BrokerUnavailable("the Kafka broker lab is not set up: run `cdc-tutor setup kafka` once (needs Maven)")
    return classpath_dir(cache, BROKER.name) / "jars"


def setup_kafka_lab(data_dir: Path, report: Callable[[str], None] = print, force: bool = False) -> Path:
    """Resolve the jars, format the storage template, record the CDS archive; idempotent."""
    home = lab_home(data_dir)
    java = _java()
    jars = _jars(resolve=True, report=report)
    template = home / "template"
    log4j = home / "log4j2.properties"
    log4j.write_text(_LOG4J2, encoding="utf-8")
    if force:
        shutil.rmtree(template, ignore_errors=True)
        (home / "broker.jsa").unlink(missing_ok=True)
    if not (template / "meta.properties").is_file():
        report("formatting the Kafka lab's storage template...")
        staging = home / f".template-{uuid.uuid4().hex[:8]}"
        properties = home / "format.properties"
        properties.write_text(_properties(staging, _free_port(), _free_port()), encoding="utf-8")
        cluster = kafka_cluster_id()
        done = subprocess.run(
            [java, *_JVM, f"-Dlog4j2.configurationFile={log4j}", "-cp", f"{jars}/*"]
            + ["kafka.tools.StorageTool", "format", "-t", cluster, "-c", str(properties)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise BrokerUnavailable(f"formatting Kafka's storage failed: {(done.stdout + done.stderr).strip()[-400:]}")
        os.replace(staging, template)
    if not (home / "broker.jsa").is_file():
        report("recording the Kafka lab's class-data-sharing archive (one broker start)...")
        archive = home / ".broker.jsa.tmp"
        broker = JvmBroker(data_dir, archive_at_exit=archive)
        try:
            broker.start(warm_up=False)
        finally:
            broker.close(graceful=True)
        if archive.is_file():
            os.replace(archive, home / "broker.jsa")
    return home


class JvmBroker:
    """`start()` then `bootstrap_servers`; `close()` stops the JVM and removes its state."""

    def __init__(self, data_dir: Path, heap: str = HEAP, archive_at_exit: Path | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.heap = heap
        self.archive_at_exit = archive_at_exit
        self.host = HOST
        self.port = 0
        """The front proxy's port: the broker's address for every client (bootstrap_servers)."""
        self.process: subprocess.Popen[bytes] | None = None
        """The launcher (cdc_tutor.kafka.jvm_launch) whose child is the JVM."""
        self.run_dir: Path | None = None
        self.socket_dir: Path | None = None
        self.isolated = False
        """Whether the JVM's ports are in a network namespace of their own."""
        self._front: OutageProxy | None = None
        self._closed = threading.Event()
        self.started_in: float | None = None  # seconds from start() to ready

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def log_path(self) -> Path | None:
        return self.run_dir / "broker.log" if self.run_dir else None

    def start(self, timeout: float = READY_TIMEOUT, warm_up: bool = True) -> JvmBroker:
        began = time.monotonic()
        java = _java()
        jars = _jars(resolve=False)
        home = lab_home(self.data_dir)
        template = home / "template"
        if not (template / "meta.properties").is_file():
            raise BrokerUnavailable("the Kafka broker lab is not set up: run `cdc-tutor setup kafka` once")
        # A folder per run; those of tutors that died without closing go (their JVM died with them).
        self.run_dir = run_dir = owned_run_dir(home, "run-")
        data = run_dir / "data"
        shutil.copytree(template, data)
        inner_port, controller = _free_port(), _free_port()
        properties = run_dir / "server.properties"
        properties.write_text(_properties(data, inner_port, controller), encoding="utf-8")
        archive = home / "broker.jsa"
        sharing = (
            [f"-XX:ArchiveClassesAtExit={self.archive_at_exit}"]
            if self.archive_at_exit is not None
            else [f"-XX:SharedArchiveFile={archive}", "-Xshare:auto"]
            if archive.is_file()
            else []
        )
        command = [
            java,
            f"-Xmx{self.heap}",
            *_JVM,
            *sharing,
            f"-Dlog4j2.configurationFile={home / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={run_dir}",
            "-cp",
            f"{jars}/*",
            "kafka.Kafka",
            str(properties),
        ]
        from cdc_tutor.kafka.private_net import isolated, socket_dir
        from cdc_tutor.kafka.proxy import OutageProxy

        self.socket_dir = socket_dir()
        socket_path = str(self.socket_dir / "broker.sock")
        launcher = [sys.executable, "-m", "cdc_tutor.kafka.jvm_launch", socket_path, str(inner_port), "--"]
        self._front = front = OutageProxy(upstream_path=socket_path)
        self.port = front.port
        self._spawn([*launcher, *command], run_dir / "broker.log", run_dir)
        self._wait_ready(began + timeout)
        self.isolated = self.process is not None and isolated(self.process.pid)
        if warm_up:
            from cdc_tutor.kafka.warmup import warm_up_transactions

            warm_up_transactions(self.bootstrap_servers)
        self.started_in = time.monotonic() - began
        return self

    def _spawn(self, command: list[str], log: Path, cwd: Path) -> None:
        """Start the JVM from a thread that lives until close(): PR_SET_PDEATHSIG follows the
        starting thread, so a short-lived worker thread would take the broker with it."""
        started = threading.Event()
        failure: list[BaseException] = []

        def parent() -> None:
            try:
                with open(log, "ab") as out:
                    self.process = subprocess.Popen(
                        command,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        cwd=cwd,
                        preexec_fn=die_with_parent,  # noqa: PLW1509 - only prctl, async-signal-safe enough
                    )
            except BaseException as error:  # noqa: BLE001 - reported by start()
                failure.append(error)
            finally:
                started.set()
            self._closed.wait()

        threading.Thread(target=parent, name="kafka-broker-parent", daemon=True).start()
        started.wait()
        if failure:
            raise BrokerUnavailable(f"the Kafka broker did not start: {failure[0]}")

    def _wait_ready(self, deadline: float) -> None:
        from cdc_tutor.kafka.topics import list_topics

        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                break
            try:
                list_topics(self.bootstrap_servers, timeout=1.0)
                return
            except ConnectionError:
                time.sleep(0.1)
        tail = self.log_path.read_text(errors="replace")[-600:] if self.log_path and self.log_path.exists() else ""
        self.close()
        raise BrokerUnavailable(f"the Kafka broker did not become ready; its log ends with: {tail.strip()}")

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def lost(self) -> str | None:
        """Why the JVM is gone although nobody closed it; None while it runs (or after close())."""
        process = self.process
        if process is None or self._closed.is_set() or process.poll() is None:
            return None
        from cdc_tutor.stack.processes import exit_reason

        return exit_reason(process.returncode)

    def close(self, graceful: bool = False) -> None:
        """Stop the JVM (SIGTERM then SIGKILL; `graceful` waits for a clean shutdown) and remove
        its state folder."""
        process = self.process
        if process is not None and process.poll() is None:
            # SIGTERM reaches the JVM through the launcher; SIGKILL of the launcher takes the JVM
            # along (PR_SET_PDEATHSIG).
            process.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
            try:
                process.wait(timeout=30 if graceful else 10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self._closed.set()
        if self._front is not None:
            self._front.close()
            self._front = None
        for folder in (self.run_dir, self.socket_dir):
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)

    def __enter__(self) -> JvmBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
