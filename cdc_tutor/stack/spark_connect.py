"""A Spark Connect server for the stack (`lab up --engines`): one Spark driver for the room, started
from the pyspark of the stack owner's Spark engine environment (`cdc-tutor setup spark`), with the
Kafka connector and Delta Lake on its classpath. A student's kernel then holds a thin Spark Connect
client (CDC_TUTOR_SPARK_REMOTE, see tutor_clusters.py) instead of a Spark driver JVM of its own.

The server listens on loopback only; its scratch and warehouse directories stay in the stack's
private directory. It is started by Spark's own spark-submit (which execs the driver JVM, so the
pid stays the JVM's) and carries the stack's marker in its JVM options, so the stack finds, stops
and reaps it like its other JVMs.
"""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

from cdc_tutor.stack.config import HOST, StackConfig
from cdc_tutor.stack.jars import StackError

SPARK_CONNECT = "spark-connect"
SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
DEFAULT_PORT = 15002  # Spark Connect's own default
SESSION_TIMEOUT = "12h"


def spark_engine(data_dir: Path) -> tuple[Path, Path, list[Path]]:
    """The Spark engine environment in `data_dir`: its Python (the server's Python workers run
    students' foreachBatch relays with it), its `pyspark` package (bin/, jars/) and its jars."""
    from cdc_tutor.engines import complete_manifest

    manifest = complete_manifest("spark", data_dir)
    if manifest is None:
        raise StackError(
            f"--engines needs the Spark environment in {data_dir}/engines/spark: run `cdc-tutor setup spark` first"
        )
    home = Path(manifest["site_packages"]) / "pyspark"
    if not (home / "bin" / "spark-submit").is_file() or server_jar(home) is None:
        raise StackError(f"{home} has no bin/spark-submit or Spark Connect jar: run `cdc-tutor setup spark --force`")
    folder = Path(manifest["python"]).parents[2] / "jars"
    return Path(manifest["python"]), home, sorted(folder.glob("*.jar"))


def driver_memory_mb(slots: int) -> int:
    """The server's driver heap: a base for Spark itself, and room per task slot of the room (two
    per student in a workshop) for a lesson's streaming state and micro-batches."""
    return 768 + 32 * slots


def server_command(config: StackConfig, marker: str, folder: Path, home: Path, jars: list[Path]) -> list[str]:
    """spark-submit for the server: every option the room shares. Students' sessions set their own
    runtime SQL options (shuffle partitions, time zone); static ones (jars, memory) are the server's."""
    options = {
        "spark.master": "local[*]",
        "spark.connect.grpc.binding.address": HOST,
        "spark.connect.grpc.binding.port": str(config.spark_port),
        "spark.driver.host": HOST,
        "spark.driver.bindAddress": HOST,
        "spark.driver.memory": f"{driver_memory_mb(config.flink_slots)}m",
        "spark.ui.enabled": "false",
        # A student's session outlives a lunch break: Spark's default ends a session after 60
        # minutes without a request. A kernel that stops ends its own session (tutor_clusters.py).
        "spark.connect.session.manager.defaultSessionTimeout": SESSION_TIMEOUT,
        "spark.log.level": "WARN",
        "spark.local.dir": str(folder / "tmp"),
        "spark.sql.warehouse.dir": str(folder / "warehouse"),
        # Delta Lake for the ETL lessons: a session cannot add extensions once the server runs.
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.driver.extraJavaOptions": f"-Dcdc.tutor.stack={marker} -Dcdc.tutor.process={SPARK_CONNECT}",
    }
    command = [str(home / "bin" / "spark-submit"), "--class", SERVER_CLASS, "--name", "cdc-tutor-spark-connect"]
    for key, value in options.items():
        command += ["--conf", f"{key}={value}"]
    command += ["--jars", ",".join(str(jar) for jar in jars)]
    return [*command, str(server_jar(home))]


def server_jar(home: Path) -> Path | None:
    """The Spark Connect server's own jar in pyspark's jars/ (the application spark-submit runs)."""
    return next(iter(sorted((home / "jars").glob("spark-connect_*.jar"))), None)


def parse_remote(url: str) -> tuple[str, int]:
    """(host, port) of an sc://host[:port] address (15002 when it names none); ValueError if it is none."""
    where = urlsplit(url)
    if where.scheme != "sc" or not where.hostname:
        raise ValueError("нужен вид sc://адрес:порт")
    return where.hostname, where.port or DEFAULT_PORT


def answers(port: int, host: str = HOST, timeout: float = 2.0) -> bool:
    """The server's gRPC port accepts connections: it opens only once the server's Spark session
    is up, so this is the readiness the stack waits for (the tutor's own Python has no gRPC)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def listener_uid(port: int) -> int | None:
    """The OS user that owns the socket listening on `port`, None when there is none or the
    machine has no /proc: the server runs lesson files' writes as it."""
    from cdc_tutor.stack.processes import listening_sockets

    return next((uid for _, listening, uid, _ in listening_sockets() if listening == port), None)
