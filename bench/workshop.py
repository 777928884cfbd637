"""Benchmark: a workshop on one VM. Students' real tutors on one secure native stack
(`cdc-tutor workshop up --secure`), each doing lesson 02 (`cdc-tutor verify`: the tutor process
and its Python kernel, every snippet and check) while the workload changes the database.

1. `workshop_student_mib`: peak resident memory of one student (their whole process tree), with
   STUDENTS at once, against one student alone in the same run: a ratio near 1 means a student
   costs the same in a full room. Reported with the stack's own memory and what 40 students need
   (stack + 40 x one student's peak; Pss, so shared library pages count once per student).
2. `workshop_student_cpu_s`: CPU seconds (user + system) one student's lesson costs, in a room of
   STUDENTS against alone, with the stack's CPU seconds per student over the same runs.
One run per room size: each is a whole lesson (about a minute); --runs does not apply.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from cdc_tutor.stack.config import StackConfig  # noqa: E402
from cdc_tutor.stack.native import NativeStack  # noqa: E402
from cdc_tutor.stack.processes import tree_rss_kib  # noqa: E402

STUDENTS = 3
LESSON = "module-5/02-pandas-integration"
ROOM = 40


def _cli_env(**variables: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CDC_TUTOR_")}
    env.update(variables)
    return env


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its waited-for children, from /proc (0 if gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _stack_cpu(stack: NativeStack) -> float:
    pids = [stack._pid(name) for name in ("broker", "connect", "redis")] + [stack.postgres.pid()]
    return sum(_cpu_seconds(pid) for pid in pids if pid)


def _room(configs: list[Path], homes: Path) -> list[tuple[float, float, int]]:
    """Run the lesson for each student at once: (peak MiB, CPU s, exit status) per student."""
    started = []
    for config in configs:
        env = _cli_env(CDC_TUTOR_CONFIG=str(config), CDC_TUTOR_DATA_DIR=str(homes / config.stem))
        command = [sys.executable, "-m", "cdc_tutor", "verify", LESSON]
        started.append(subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    peaks = [0] * len(started)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for index, process in enumerate(started):
                peaks[index] = max(peaks[index], tree_rss_kib(process.pid, "Pss"))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    results = []
    for index, process in enumerate(started):
        _pid, status, usage = os.wait4(process.pid, 0)  # usage: the tutor and its waited-for kernel
        process.returncode = os.waitstatus_to_exitcode(status)
        results.append((peaks[index] / 1024, usage.ru_utime + usage.ru_stime, process.returncode))
    done.set()
    sampler.join()
    return results


def measure(runs: int = 1) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="cdc-bench-workshop-") as folder:
        data = Path(folder)
        stack = NativeStack(StackConfig.with_free_ports(data / "stack", secure=True), report=lambda line: None)
        workload = None
        try:
            stack.up()
            roster = data / "roster.txt"
            roster.write_text("".join(f"student{number}\n" for number in range(1, STUDENTS + 1)), encoding="utf-8")
            command = [sys.executable, "-m", "cdc_tutor", "--data-dir", str(data), "workshop", "up", "--secure"]
            subprocess.run([*command, "--roster", str(roster)], env=_cli_env(), check=True, capture_output=True)
            workload = subprocess.Popen(
                [sys.executable, "-m", "cdc_tutor", "--data-dir", str(data), "lab", "workload", "--rate", "5"],
                env=_cli_env(CDC_TUTOR_CONFIG=str(data / "none.toml")),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            configs = sorted((data / "workshop" / "students").glob("*.toml"))
            stack_memory = stack.memory()["total"] / 1024
            cpu_before = _stack_cpu(stack)
            alone = _room(configs[:1], data / "homes-alone")
            cpu_alone = _stack_cpu(stack) - cpu_before
            room = _room(configs, data / "homes-room")
            cpu_room = _stack_cpu(stack) - cpu_before - cpu_alone
        finally:
            if workload is not None:
                workload.send_signal(signal.SIGINT)
                workload.wait(30)
            stack.down(purge=True)
    failed = [status for *_figures, status in alone + room if status != 0]
    one_mib, room_mib = alone[0][0], statistics.median(mib for mib, _cpu, _status in room)
    one_cpu, room_cpu = alone[0][1], statistics.median(cpu for _mib, cpu, _status in room)
    common = {"students": STUDENTS, "lesson": LESSON, "lessons_failed": len(failed), "runs": 1}
    return [
        {
            "metric": "workshop_student_mib",
            "median": round(room_mib, 1),
            "anchor": "one student alone on the same stack",
            "anchor_median": round(one_mib, 1),
            "ratio": round(room_mib / one_mib, 3),
            "stack_mib": round(stack_memory, 1),
            f"room_of_{ROOM}_gib": round((stack_memory + ROOM * room_mib) / 1024, 2),
            **common,
        },
        {
            "metric": "workshop_student_cpu_s",
            "median": round(room_cpu, 2),
            "anchor": "one student alone on the same stack",
            "anchor_median": round(one_cpu, 2),
            "ratio": round(room_cpu / one_cpu, 3),
            "stack_cpu_s_per_student": round(cpu_room / STUDENTS, 2),
            "stack_cpu_s_alone": round(cpu_alone, 2),
            **common,
        },
    ]
