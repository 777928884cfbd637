"""NativeStack: PostgreSQL + Kafka (KRaft) + Kafka Connect with Debezium, started without Docker.

`up()` is re-runnable: it formats, initialises and registers only what is missing, and starts
only what is not running. `down()` stops everything and keeps the data (so the next `up` resumes
streaming where it stopped); `down(purge=True)` also deletes it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from cdc_tutor import redis_server
from cdc_tutor.paths import private_dir, write_private
from cdc_tutor.stack import flink_cluster, processes, security, spark_connect
from cdc_tutor.stack.catalog import (
    BROKER,
    CONNECT,
    DEBEZIUM,
    DEBEZIUM_VERSION,
    KAFKA_VERSION,
)
from cdc_tutor.stack.config import (
    CONNECTORS,
    HOST,
    StackConfig,
    port_in_use,
)
from cdc_tutor.stack.connect import (
    ConnectClient,
    ConnectError,
    connector_config,
    running,
)
from cdc_tutor.stack.jars import StackError, resolve
from cdc_tutor.stack.postgres import SUPERUSER, Postgres

_LOG4J2 = """status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c{1})%n
rootLogger.level = {level}
rootLogger.appenderRef.out.ref = out
logger.reflections.name = org.reflections
logger.reflections.level = error
"""


ENGINE_PROCESSES = (flink_cluster.TASKMANAGER, flink_cluster.JOBMANAGER, spark_connect.SPARK_CONNECT)
"""The shared engines' processes (--engines), in the order they stop."""


@dataclass
class Status:
    """What `lab status` prints and doctor checks read."""

    broker: bool = False
    connect: bool = False
    postgres: bool = False
    redis: bool = False
    connector: str = "absent"
    connector_running: bool = False
    flink: bool | None = None
    """The Flink session cluster answers with a TaskManager; None on a stack without --engines."""
    spark: bool | None = None
    """The Spark Connect server accepts connections; None on a stack without --engines."""
    memory_kib: dict[str, int] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        parts = self.broker and self.connect and self.postgres and self.redis and self.connector_running
        return parts and self.flink is not False and self.spark is not False


class NativeStack:
    def __init__(self, config: StackConfig, report=print) -> None:
        self.config = config
        self.report = report
        self.marker = str(Path(config.state_dir).resolve())
        self.postgres = Postgres(config.postgres_root(self._pg_home()), config.postgres_port)
        self.connect = ConnectClient(config.connect_url)
        self.secrets = security.Secrets(config.state_dir)
        if config.secure:
            security.log_in_as_admin(config.bootstrap_servers, self.secrets)

    def _admin_password(self) -> str:
        """The admin's password of a secure stack, made on its first start (and used from then on
        by this process's Kafka clients)."""
        self._private_state_dir()
        security.log_in_as_admin(self.config.bootstrap_servers, self.secrets, create=True)
        return self.secrets.password(security.ADMIN)

    @staticmethod
    def _pg_home() -> Path | None:
        from cdc_tutor.stack.postgres import server_os_user

        user = server_os_user()
        return None if user is None else Path(user.pw_dir)

    # --- state -----------------------------------------------------------------------------------

    def _state(self) -> dict:
        try:
            return json.loads(self.config.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _save(self, **changes) -> None:
        state = {**self._state(), **changes}
        write_private(self.config.state_file, json.dumps(state, indent=1))

    def _private_state_dir(self) -> None:
        private_dir(Path(self.config.state_dir))
        private_dir(self.config.logs_dir)

    def _remember_pid(self, name: str, pid: int) -> None:
        self._save(pids={**self._state().get("pids", {}), name: pid})

    def _pid(self, name: str) -> int | None:
        return self._state().get("pids", {}).get(name)

    def _alive(self, name: str) -> bool:
        return processes.alive(self._pid(name), self.marker, name)

    # --- bring-up --------------------------------------------------------------------------------

    def up(self, timeout: float = 240.0) -> dict:
        """Bring everything up and wait until the connector and its task run and the snapshot
        topics exist. Returns seconds per phase and memory per part."""
        started = time.monotonic()
        timings: dict[str, float] = {}

        def phase(name: str, since: float) -> float:
            now = time.monotonic()
            timings[name] = round(now - since, 2)
            return now

        self._private_state_dir()
        if self.config.engines:  # before anything starts: a missing environment costs nothing
            flink_cluster.flink_home(Path(self.config.state_dir).parent)
            spark_connect.spark_engine(Path(self.config.state_dir).parent)
        self._save(
            owner_pid=os.getpid(),
            config=self.config.as_dict(),
            versions={
                "kafka": KAFKA_VERSION,
                "debezium": DEBEZIUM_VERSION,
                "redis": redis_server.server_version(self._redis_binary()),
            },
        )
        mark = time.monotonic()
        jars = {
            item.name: resolve(item, self.config.cache_dir, self.config.maven_repo, self.report)
            for item in (BROKER, CONNECT, DEBEZIUM)
        }
        mark = phase("jars", mark)
        self._check_ports()
        self._start_postgres()
        mark = phase("postgres", mark)
        self._start_redis()
        mark = phase("redis", mark)
        self._start_broker(jars[BROKER.name])
        if self.config.secure:  # the admin as a SCRAM user too: the instructor's tools log in like students
            security.add_students(self.config.bootstrap_servers, self.secrets, [security.ADMIN], lambda user: [])
        mark = phase("broker", mark)
        self._start_connect(jars[CONNECT.name], jars[DEBEZIUM.name].parent)
        mark = phase("connect", mark)
        self._register(deadline=started + timeout)
        mark = phase("connector", mark)
        if self.config.engines:
            self.start_engines()
            phase("engines", mark)
        timings["total"] = round(time.monotonic() - started, 2)
        memory = self.memory()
        self._save(up_seconds=timings, memory_kib=memory)
        return {"seconds": timings, "memory_kib": memory}

    def _check_ports(self) -> None:
        busy = []
        for name, port, ours in (
            ("PostgreSQL", self.config.postgres_port, self.postgres.running()),
            ("Kafka", self.config.kafka_port, self._alive("broker")),
            ("Kafka controller", self.config.controller_port, self._alive("broker")),
            ("Kafka Connect", self.config.connect_port, self._alive("connect")),
            ("Redis", self.config.redis_port, self._alive("redis")),
            *self._engine_ports(),
        ):
            if not ours and port_in_use(port):
                busy.append(f"{name} port {HOST}:{port}")
        if busy:
            raise StackError(
                f"already in use by another program: {', '.join(busy)}. Stop it (a "
                "docker compose lab? `docker compose down`) or choose other ports."
            )

    def _engine_ports(self) -> list[tuple[str, int, bool]]:
        if not self.config.engines:
            return []
        ours = self._alive(flink_cluster.JOBMANAGER)
        return [
            ("Flink REST", self.config.flink_port, ours),
            ("Flink RPC", self.config.flink_rpc_port, ours),
            ("Spark Connect", self.config.spark_port, self._alive(spark_connect.SPARK_CONNECT)),
        ]

    def _start_postgres(self) -> None:
        pg = self.postgres
        if pg.init(owner=Path(self.marker)):
            self.report(f"PostgreSQL cluster created in {pg.data}")
        if not pg.running():
            pg.start()
        if pg.load_inventory():
            self.report("inventory schema loaded (REPLICA IDENTITY FULL)")

    @staticmethod
    def _redis_binary() -> Path:
        binary = redis_server.system_binary() or redis_server.bundled_binary()
        if binary is None:
            raise StackError(f"no redis-server found: {redis_server.INSTALL_HINT}")
        return binary

    def _start_redis(self) -> None:
        """The feature-store lesson's online store on loopback, as docker-compose.yml publishes it:
        the distribution's redis-server (Debian's 7.0), else the one bundled with the tutor (6.2)."""
        if self._alive("redis"):
            return
        binary = self._redis_binary()
        folder = private_dir(Path(self.marker), "redis")
        arguments = redis_server.server_arguments(port=self.config.redis_port, work_dir=folder)
        log = self.config.logs_dir / "redis.log"
        # set-proc-title no: the command line stays as started, so processes.alive can tell it is ours.
        pid = processes.start_detached([str(binary), *arguments, "--set-proc-title", "no"], log=log, cwd=folder)
        self._remember_pid("redis", pid)
        self._wait(lambda: redis_server.ping((HOST, self.config.redis_port)), 30, "Redis", log, "redis")

    def _log4j(self, name: str, level: str = "INFO") -> Path:
        path = Path(self.config.state_dir) / f"log4j2-{name}.properties"
        path.write_text(_LOG4J2.replace("{level}", level), encoding="utf-8")
        return path

    def _broker_properties(self) -> Path:
        c = self.config
        client = "CLIENT" if c.secure else "PLAINTEXT"
        lines = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{HOST}:{c.controller_port}",
            "listeners": f"{client}://{HOST}:{c.kafka_port},CONTROLLER://{HOST}:{c.controller_port}",
            "advertised.listeners": f"{client}://{HOST}:{c.kafka_port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "inter.broker.listener.name": client,
            "log.dirs": str(Path(c.state_dir) / "kafka-data"),
            # 4 partitions: what the embedded broker auto-creates, so keys land on the same partitions.
            "num.partitions": "4",
            "auto.create.topics.enable": "true",
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
        }
        if c.secure:
            lines.update(security.broker_properties(client, self._admin_password()))
        path = Path(c.state_dir) / "server.properties"
        # a secure stack's holds the admin's password: owner only, like every file of the stack's
        write_private(path, "".join(f"{key}={value}\n" for key, value in lines.items()))
        return path

    def _start_broker(self, jars: Path) -> None:
        if self._alive("broker"):
            return
        properties = self._broker_properties()
        if not (Path(self.config.state_dir) / "kafka-data" / "meta.properties").is_file():
            cluster_id = processes.kafka_cluster_id()
            done = subprocess.run(
                [
                    processes.java_binary(),
                    "-Xmx256m",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    f"-Dlog4j2.configurationFile={self._log4j('tools', 'WARN')}",
                    "-cp",
                    str(jars / "*"),
                    "kafka.tools.StorageTool",
                    "format",
                    "-t",
                    cluster_id,
                    "-c",
                    str(properties),
                ],
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise StackError(f"formatting Kafka's storage failed: {done.stdout}{done.stderr}")
        self.start_broker_process(jars)
        self._wait(self._broker_ready, 90, "the Kafka broker", self.config.logs_dir / "broker.log", "broker")

    def start_broker_process(self, jars: Path | None = None) -> None:
        """Start the broker JVM on its formatted storage (also used to restart it after a stop)."""
        jars = jars or resolve(BROKER, self.config.cache_dir, self.config.maven_repo, self.report)
        pid = processes.start_java(
            name="broker",
            classpath=[jars],
            main="kafka.Kafka",
            args=[str(Path(self.config.state_dir) / "server.properties")],
            heap=self.config.broker_heap,
            marker=self.marker,
            log4j=self._log4j("broker"),
            log=self.config.logs_dir / "broker.log",
            cwd=Path(self.config.state_dir),
        )
        self._remember_pid("broker", pid)

    def stop_broker(self) -> None:
        processes.stop(self._pid("broker"), self.marker, "broker")

    def restart_broker(self) -> None:
        self.start_broker_process()
        self._wait(self._broker_ready, 90, "the Kafka broker", self.config.logs_dir / "broker.log", "broker")

    def _broker_ready(self) -> bool:
        from cdc_tutor.kafka.topics import list_topics

        try:
            list_topics(self.config.bootstrap_servers, timeout=2)
        except ConnectionError:
            return False
        return True

    def _start_connect(self, jars: Path, plugin_dir: Path) -> None:
        if self._alive("connect"):
            return
        c = self.config
        worker = {
            "bootstrap.servers": c.bootstrap_servers,
            "listeners": f"http://{HOST}:{c.connect_port}",
            "rest.advertised.host.name": HOST,
            "rest.advertised.port": str(c.connect_port),
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "key.converter.schemas.enable": "true",
            "value.converter.schemas.enable": "true",
            "offset.storage.file.filename": str(Path(c.state_dir) / "connect.offsets"),
            "offset.flush.interval.ms": "1000",
            # One plugin directory (its jars/ subfolder is the plugin): nothing else is scanned.
            "plugin.path": str(plugin_dir),
            "plugin.discovery": "service_load",
        }
        if c.secure:
            worker.update(security.connect_properties(self._admin_password()))
        properties = Path(c.state_dir) / "connect-standalone.properties"
        write_private(properties, "".join(f"{k}={v}\n" for k, v in worker.items()))
        pid = processes.start_java(
            name="connect",
            classpath=[jars],
            main="org.apache.kafka.connect.cli.ConnectStandalone",
            args=[str(properties)],
            heap=c.connect_heap,
            marker=self.marker,
            log4j=self._log4j("connect"),
            log=c.logs_dir / "connect.log",
            cwd=Path(c.state_dir),
        )
        self._remember_pid("connect", pid)
        self._wait(self._connect_ready, 120, "Kafka Connect", c.logs_dir / "connect.log", "connect")

    def _connect_ready(self) -> bool:
        try:
            self.connect.info()
            return True
        except ConnectError:
            return False

    def _register(self, deadline: float) -> None:
        """Create (or update) every connector of CONNECTORS and wait until all run and their
        snapshot topics exist."""
        password = self.postgres.password
        for spec in CONNECTORS:
            config = connector_config(
                hostname=HOST, port=self.config.postgres_port, user=SUPERUSER, password=password, spec=spec
            )
            self.connect.put_config(spec.name, config)
        summary = "no status yet"
        while time.monotonic() < deadline:
            summaries, all_running = [], True
            for spec in CONNECTORS:
                try:
                    ok, line = running(self.connect.status(spec.name))
                except ConnectError as error:
                    ok, line = False, str(error)
                if "FAILED" in line:
                    raise StackError(
                        f"the Debezium connector {spec.name} failed: {line}\n"
                        f"  log: {self.config.logs_dir / 'connect.log'}"
                    )
                summaries.append(f"{spec.name}: {line}")
                all_running = all_running and ok
            summary = "; ".join(summaries)
            if all_running and self._snapshot_topics_exist():
                return
            time.sleep(0.5)
        raise StackError(f"the Debezium connectors are not running after the timeout: {summary}")

    def _snapshot_topics_exist(self) -> bool:
        from cdc_tutor.kafka.topics import list_topics

        expected = {topic for spec in CONNECTORS for topic in spec.snapshot_topics}
        try:
            return expected <= list_topics(self.config.bootstrap_servers, timeout=2)
        except ConnectionError:
            return False

    # --- the shared engines (--engines) -----------------------------------------------------------

    def start_engines(self, only: tuple[str, ...] = ("flink", "spark")) -> None:
        """The Flink session cluster (the JobManager, then a TaskManager; ready when the REST API
        counts the TaskManager's slots) and the Spark Connect server, started side by side;
        `only` names the ones to start (a test that needs one)."""
        if "spark" in only:
            self._start_spark_connect()
        if "flink" in only:
            self._start_flink()
            flink = (name for name, _ in flink_cluster.SCRIPTS)
            self._wait_started(self._flink_ready, 120, "the Flink cluster", *flink)
        if "spark" in only:
            self._wait_started(self._spark_ready, 120, "the Spark Connect server", spark_connect.SPARK_CONNECT)
        if "flink" in only:
            self._check_slots()

    def _start_flink(self) -> None:
        from cdc_tutor.engines import engine_env

        home = flink_cluster.flink_home(Path(self.config.state_dir).parent)
        folder = private_dir(Path(self.marker), "flink")
        conf = folder / "conf"
        options = flink_cluster.cluster_options(self.config, self.marker, folder, self.config.logs_dir)
        flink_cluster.write_conf_dir(options, conf, home)
        env = engine_env({**os.environ, "FLINK_CONF_DIR": str(conf), "FLINK_LOG_DIR": str(self.config.logs_dir)})
        for name, script in flink_cluster.SCRIPTS:
            if self._alive(name):
                continue
            log = self.config.logs_dir / f"{name}.out"
            # Flink's script sizes the JVM, then execs it: the pid stays the JVM's.
            pid = processes.start_detached(
                ["bash", str(home / "bin" / script), "start-foreground"], log=log, cwd=folder, env=env
            )
            self._remember_pid(name, pid)

    def _check_slots(self) -> None:
        from cdc_tutor.engines.flink_rest import overview

        slots = overview(self.config.flink_url).slots_total
        if slots != self.config.flink_slots:  # a running cluster is reused as it is
            self.report(
                f"the running Flink cluster has {slots} task slots, not {self.config.flink_slots}: "
                f"`cdc-tutor lab down`, then up again with --flink-slots {self.config.flink_slots}, to change it"
            )

    def _start_spark_connect(self) -> None:
        from cdc_tutor.engines import engine_env

        if self._alive(spark_connect.SPARK_CONNECT):
            return
        python, home, jars = spark_connect.spark_engine(Path(self.config.state_dir).parent)
        folder = private_dir(Path(self.marker), "spark")
        private_dir(folder / "tmp")
        command = spark_connect.server_command(self.config, self.marker, folder, home, jars)
        env = engine_env({**os.environ, "SPARK_LOG_DIR": str(self.config.logs_dir)})
        env["PYSPARK_PYTHON"] = str(python)  # the Python workers that run students' foreachBatch relays
        log = self.config.logs_dir / f"{spark_connect.SPARK_CONNECT}.out"
        pid = processes.start_detached(command, log=log, cwd=folder, env=env)
        self._remember_pid(spark_connect.SPARK_CONNECT, pid)

    def _spark_ready(self) -> bool:
        return spark_connect.answers(self.config.spark_port)

    def stop_engines(self) -> None:
        """Stop the Flink cluster and the Spark Connect server and keep the rest running; the stack
        is one without engines from now on (its status no longer asks for them)."""
        for name in ENGINE_PROCESSES:
            processes.stop(self._pid(name), self.marker, name)
        self.config = dataclasses.replace(self.config, engines=False)
        self._save(config=self.config.as_dict())

    def _flink_ready(self) -> bool:
        from cdc_tutor.engines.flink_rest import FlinkUnreachable, overview

        try:
            return overview(self.config.flink_url, timeout=2).slots_total > 0  # a TaskManager registered
        except FlinkUnreachable:
            return False

    def _wait_started(self, ready, seconds: float, what: str, *names: str) -> None:
        """Like _wait, for processes whose command line is a script's until it execs the JVM:
        a start fails when the pid is gone, not when its command line does not name us yet."""
        deadline = time.monotonic() + seconds
        pids = {name: self._pid(name) for name in names}
        while time.monotonic() < deadline:
            if ready():
                return
            for name, pid in pids.items():
                if pid is not None and not processes.exists(pid):
                    log = self.config.logs_dir / f"{name}.out"
                    tail = processes.log_tail(log)
                    raise StackError(f"{what} exited during start-up. Last lines of {log}:\n  {tail}")
            time.sleep(0.5)
        raise StackError(f"{what} did not become ready in {seconds:.0f} s; logs in {self.config.logs_dir}")

    def _wait(self, ready, seconds: float, what: str, log: Path, name: str) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if ready():
                return
            if not self._alive(name):
                raise StackError(f"{what} exited during start-up. Last lines of {log}:\n  " + processes.log_tail(log))
            time.sleep(0.25)
        raise StackError(
            f"{what} did not become ready in {seconds:.0f} s. Last lines of {log}:\n  " + processes.log_tail(log)
        )

    # --- status and tear-down --------------------------------------------------------------------

    def memory(self) -> dict[str, int]:
        """Resident memory in KiB: each JVM's RSS, PostgreSQL's processes by PSS (shared buffers
        once), and the total."""
        memory = {
            "broker": processes.rss_kib(self._pid("broker")),
            "connect": processes.rss_kib(self._pid("connect")),
            "postgres": processes.tree_rss_kib(self.postgres.pid(), "Pss"),
            "redis": processes.rss_kib(self._pid("redis")),
        }
        if self.config.engines:
            for name in ENGINE_PROCESSES:
                memory[name] = processes.rss_kib(self._pid(name))
        memory["total"] = sum(memory.values())
        return memory

    def status(self) -> Status:
        status = Status(
            broker=self._alive("broker") and self._broker_ready(),
            connect=self._alive("connect") and self._connect_ready(),
            postgres=self.postgres.running(),
            redis=self._alive("redis") and redis_server.ping((HOST, self.config.redis_port)),
        )
        if self.config.engines:
            status.flink = all(self._alive(name) for name in (flink_cluster.JOBMANAGER, flink_cluster.TASKMANAGER))
            status.flink = status.flink and self._flink_ready()
            status.spark = self._alive(spark_connect.SPARK_CONNECT) and self._spark_ready()
        if status.connect:
            try:
                status.connector_running, status.connector = running(self.connect.status())
            except ConnectError as error:
                status.connector = str(error)
        status.memory_kib = self.memory()
        return status

    def down(self, purge: bool = False) -> dict:
        """Stop Connect, then the broker, then PostgreSQL; with `purge`, delete their data too."""
        started = time.monotonic()
        for name in ENGINE_PROCESSES:  # whatever the config: none left behind
            processes.stop(self._pid(name), self.marker, name)
        processes.stop(self._pid("connect"), self.marker, "connect")
        processes.stop(self._pid("broker"), self.marker, "broker")
        processes.stop(self._pid("redis"), self.marker, "redis")
        try:
            self.postgres.stop()
        except StackError:
            pass
        if self.config.state_file.exists():
            self._save(pids={})
        if purge:
            shutil.rmtree(self.postgres.root, ignore_errors=True)
            shutil.rmtree(self.config.state_dir, ignore_errors=True)
        return {"seconds": round(time.monotonic() - started, 2)}
