"""Processes of the stack (its JVMs, Redis): start detached with a log file, find again by pid, stop politely."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

from cdc_tutor.engines.java import check_java
from cdc_tutor.stack.jars import StackError

_JVM = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Djava.awt.headless=true"]
# Serial GC and C1 only: two small lab JVMs on a 2-core machine start faster and stay smaller
# than with G1 and C2, and a teaching workload never needs C2's peak speed.


def java_binary() -> str:
    java = check_java()
    if not java.ok:
        raise StackError(java.problem)
    return str(java.path)


def start_java(
    *,
    name: str,
    classpath: list[Path],
    main: str,
    args: list[str],
    heap: str,
    marker: str,
    log4j: Path,
    log: Path,
    cwd: Path,
) -> int:
    """Start `main` detached (own session: Ctrl+C on the tutor does not reach it); returns its pid."""
    command = [
        java_binary(),
        f"-Xmx{heap}",
        f"-Xms{min(64, _mb(heap))}m",
        *_JVM,
        f"-Dcdc.tutor.stack={marker}",
        f"-Dcdc.tutor.process={name}",
        f"-Dlog4j2.configurationFile={log4j}",
        f"-Dkafka.logs.dir={log.parent}",
        "-cp",
        os.pathsep.join(str(path / "*") for path in classpath),
        main,
        *args,
    ]
    return start_detached(command, log=log, cwd=cwd)


def start_detached(command: list[str], *, log: Path, cwd: Path, env: dict[str, str] | None = None) -> int:
    """Start `command` in its own session (Ctrl+C on the tutor does not reach it), output to `log`."""
    log.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
    return process.pid


def _proc_state(pid: int) -> str | None:
    """The process's state letter from /proc (Z: a zombie), None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def exists(pid: int) -> bool:
    """The process is there and not a zombie (whatever its command line)."""
    _reap(pid)
    return _proc_state(pid) not in (None, "Z")


def _mb(heap: str) -> int:
    number, unit = int(heap[:-1]), heap[-1].lower()
    return number * 1024 if unit == "g" else number


def signature(marker: str, name: str) -> tuple[bytes, ...]:
    """Arguments on the command line of this stack's process `name`. redis-server refuses unknown
    options, so Redis is known by its data folder inside the stack's state dir (its --dir)."""
    if name == "redis":
        return (f"{marker}/redis".encode(),)
    return (f"-Dcdc.tutor.stack={marker}".encode(), f"-Dcdc.tutor.process={name}".encode())


def alive(pid: int | None, marker: str, name: str) -> bool:
    """The pid is one of ours (its command line names this stack and process), and not a zombie."""
    if not pid:
        return False
    for _ in range(40):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False
        state = _proc_state(pid)
        if state is None:
            return False
        if cmdline or state == "Z":
            break
        # Right after a start the command line can read empty (seen under load, for a JVM and for
        # redis-server): that is a process still being set up, not a stranger's. Ask again.
        time.sleep(0.05)
    return state != "Z" and all(needle in cmdline.split(b"\0") for needle in signature(marker, name))


def stop(pid: int | None, marker: str, name: str, timeout: float = 30.0) -> bool:
    """SIGTERM (Kafka and Connect shut down cleanly on it), SIGKILL after `timeout`; True if it ran."""
    if not alive(pid, marker, name):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive(pid, marker, name) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.1)
    if alive(pid, marker, name):
        os.kill(pid, signal.SIGKILL)
        while alive(pid, marker, name):
            _reap(pid)
            time.sleep(0.05)
    _reap(pid)
    return True


def _reap(pid: int) -> None:
    try:  # our own child (started by this process): collect it so it does not linger as a zombie
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def rss_kib(pid: int | None, field: str = "Rss") -> int:
    """Resident memory of one process in KiB (0 if it is gone). `field` "Pss" shares pages
    between the processes mapping them, so a sum over PostgreSQL's processes counts its shared
    buffers once."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except (OSError, ValueError, TypeError):
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """The pids of a process's children, their children and so on (from /proc's parent links)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def tree_rss_kib(pid: int | None, field: str = "Rss") -> int:
    """Memory of a process and all of its descendants (PostgreSQL's postmaster and its backends)."""
    if not pid:
        return 0
    return sum(rss_kib(current, field) for current in [pid, *descendants(pid)])


def listening_sockets() -> list[tuple[str, int, int, str]]:
    """Every listening TCP socket as (local address as /proc/net/tcp* spells it, port, owner uid,
    socket inode): read from the kernel's tables, no `ss`, which a fresh machine may lack."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                address, port = fields[1].rsplit(":", 1)
                found.append((address, int(port, 16), int(fields[7]), fields[9]))
    return found


def log_tail(log: Path, lines: int = 8) -> str:
    try:
        return "\n  ".join(log.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"


def kafka_cluster_id() -> str:
    """A random KRaft cluster id as Kafka makes them (22 url-safe base64 characters), never one that
    starts with "-": kafka-storage's argument parser would take it for an option (1 in 64 ids)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def exit_reason(returncode: int) -> str:
    """How a child process ended, for a person: `exit status 1`, `signal SIGABRT`."""
    if returncode >= 0:
        return f"exit status {returncode}"
    try:
        return f"signal {signal.Signals(-returncode).name}"
    except ValueError:
        return f"signal {-returncode}"
