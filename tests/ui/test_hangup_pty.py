"""A dropped SSH session: the terminal goes away under a running tutor (SIGHUP), as when the
student's connection drops. The tutor ends as on Ctrl+Q: its lesson kernel, the lab's broker
process and their private run folders under the temp dir are gone, not left for the next start."""

from __future__ import annotations

import os
import signal
import tempfile
import time
from pathlib import Path

from .test_external_editor_pty import Terminal


def children(pid: int) -> set[int]:
    """Every descendant of `pid` still running."""
    found, queue = set(), [pid]
    while queue:
        parent = queue.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = (task / "children").read_text().split()
            except OSError:
                continue
            for kid in map(int, kids):
                if kid not in found:
                    found.add(kid)
                    queue.append(kid)
    return found


def run_folders(pid: int) -> list[Path]:
    temp = Path(tempfile.gettempdir())
    return [*temp.glob(f"cdc-tutor-broker-{pid}-*"), *temp.glob(f"cdc-tutor-kernel-{pid}-*")]


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_a_dropped_terminal_ends_the_tutor_with_its_kernel_and_broker(tmp_path):
    terminal = Terminal(tmp_path / "data")
    try:
        terminal.wait_for("Упражнение в редакторе")
        terminal.press(b"\r")  # open the lesson: its kernel starts
        terminal.wait_for("Сначала данные")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(run_folders(terminal.pid)) < 2:
            time.sleep(0.2)
        assert len(run_folders(terminal.pid)) == 2, run_folders(terminal.pid)  # the broker's and the kernel's
        descendants = children(terminal.pid)
        assert descendants
        os.close(terminal.fd)  # the terminal is gone: the kernel sends SIGHUP to the session
        terminal.fd = os.open("/dev/null", os.O_RDWR)  # for Terminal.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not os.waitpid(terminal.pid, os.WNOHANG)[0]:
            time.sleep(0.2)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(alive(pid) for pid in descendants):
            time.sleep(0.2)
        assert not [pid for pid in descendants if alive(pid)]
        assert run_folders(terminal.pid) == []
    finally:
        try:
            os.kill(terminal.pid, signal.SIGKILL)
            os.waitpid(terminal.pid, 0)
        except OSError:
            pass
