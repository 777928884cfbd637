"""A Flink session cluster for the stack (`lab up --engines`): one JobManager and one TaskManager
from the Flink of the stack owner's PyFlink environment (`cdc-tutor setup flink`), so the cluster
and every student's PyFlink client are the same Flink version. Students' TableEnvironments submit
to it (CDC_TUTOR_FLINK_URL, see tutor_clusters.use_flink_cluster) instead of each running a local
mini-cluster in their kernel.

Everything binds to loopback; logs, temporary files and blobs stay in the stack's private
directory. The processes are started by Flink's own scripts (they size the JVMs from the memory
options below) and carry the stack's marker in their JVM options, so the stack finds, stops and
reaps them like its other JVMs.
"""

from __future__ import annotations

import json
from pathlib import Path

from cdc_tutor.stack.config import HOST, StackConfig
from cdc_tutor.stack.jars import StackError

JOBMANAGER, TASKMANAGER = "flink-jobmanager", "flink-taskmanager"
SCRIPTS = ((JOBMANAGER, "jobmanager.sh"), (TASKMANAGER, "taskmanager.sh"))
"""Each process and the script of Flink's bin/ that starts it (in the foreground: it execs the JVM)."""
SLOT_REQUEST_TIMEOUT_S = 60
"""How long a job waits for a free slot in a full room before it fails (NoResourceAvailableException)."""
LOG4J_FILES = ("log4j-console.properties", "log4j-cli.properties", "log4j.properties")


def flink_home(data_dir: Path) -> Path:
    """The `pyflink` package of the Flink engine environment in `data_dir`: its bin/, lib/, conf/."""
    from cdc_tutor.engines import complete_manifest

    manifest = complete_manifest("flink", data_dir)
    if manifest is None:
        raise StackError(
            f"--engines needs the Flink environment in {data_dir}/engines/flink: run `cdc-tutor setup flink` first"
        )
    home = Path(manifest["site_packages"]) / "pyflink"
    if not (home / "bin" / "jobmanager.sh").is_file():
        raise StackError(f"{home} has no bin/jobmanager.sh: run `cdc-tutor setup flink --force`")
    return home


def taskmanager_memory_mb(slots: int) -> int:
    """The TaskManager's process size: a base for the JVM and framework, and per slot room for a
    lesson's streaming SQL job (heap state, network buffers). Measured: one lesson 03 job at
    parallelism 1 used well under 100 MB of the TaskManager's heap."""
    return 640 + 96 * slots


def cluster_options(config: StackConfig, marker: str, home_dir: Path, logs_dir: Path) -> dict[str, str]:
    """Flink's configuration for the stack's cluster (flat keys of config.yaml)."""
    work = home_dir / "work"
    jvm = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true"
    return {
        "jobmanager.rpc.address": HOST,
        "jobmanager.rpc.port": str(config.flink_rpc_port),
        "jobmanager.bind-host": HOST,
        "jobmanager.memory.process.size": "640m",
        "taskmanager.bind-host": HOST,
        "taskmanager.host": HOST,
        "taskmanager.numberOfTaskSlots": str(config.flink_slots),
        "taskmanager.memory.process.size": f"{taskmanager_memory_mb(config.flink_slots)}m",
        "taskmanager.memory.managed.fraction": "0.05",  # streaming SQL on the heap state backend
        "rest.address": HOST,
        "rest.bind-address": HOST,
        "rest.port": str(config.flink_port),
        "blob.server.port": "0",
        "parallelism.default": "1",
        "slot.request.timeout": str(SLOT_REQUEST_TIMEOUT_S * 1000),
        "web.submit.enable": "false",  # jobs come from PyFlink clients, not uploaded jars
        "web.tmpdir": str(work / "web"),
        "io.tmp.dirs": str(work / "tmp"),
        "blob.storage.directory": str(work / "blobs"),
        "env.log.dir": str(logs_dir),
        "env.java.opts.jobmanager": f"{jvm} -Dcdc.tutor.stack={marker} -Dcdc.tutor.process={JOBMANAGER}",
        "env.java.opts.taskmanager": f"{jvm} -Dcdc.tutor.stack={marker} -Dcdc.tutor.process={TASKMANAGER}",
    }


def write_conf_dir(options: dict[str, str], conf_dir: Path, flink: Path) -> None:
    """FLINK_CONF_DIR for the cluster: our config.yaml and Flink's own log4j files."""
    from cdc_tutor.paths import private_dir, write_private

    private_dir(conf_dir)
    for key in ("web.tmpdir", "io.tmp.dirs", "blob.storage.directory"):
        private_dir(Path(options[key]))
    # JSON strings are valid YAML scalars: paths and JVM options (spaces, '=', quotes) read back whole.
    write_private(conf_dir / "config.yaml", "".join(f"{key}: {json.dumps(value)}\n" for key, value in options.items()))
    for name in LOG4J_FILES:
        write_private(conf_dir / name, (flink / "conf" / name).read_text(encoding="utf-8"))
