"""No test can hang the suite: a per-tier time limit, then every thread's stack and an exit.

pytest-timeout supplies the settings (`@pytest.mark.timeout`, `--timeout`); this plugin supplies
the limit of each tier and what happens at the limit. A hang inside C (a librdkafka wait with the
GIL released) cannot be interrupted from Python, so the only honest end is the one pytest-timeout's
thread method takes: report and `os._exit(1)`. Before that we print the Python stack of every thread
and, where gdb can attach, the native ones, which is where such a hang actually is. A timed-out test
is a failed run, never retried.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import pytest_timeout

TESTS = Path(__file__).resolve().parent
# Seconds per test, setup and teardown included (session fixtures such as the native stack or the
# engine environments are built inside the first test that needs them). Measured tier times are in
# the closing note of the CI-hang issue; each limit is several times the slowest test of its tier.
TIER_LIMITS = {
    "unit": 120,
    "ui": 300,
    "kafka": 240,
    "kernel": 300,
    "packaging": 900,
    "content": 1500,
    "engines": 1800,
    "stack": 1800,
    "shared_vm": 300,
    "browser": 300,
}
DEFAULT_LIMIT = 300
GDB_SECONDS = 60
_timers: dict[str, threading.Timer] = {}
tier_seconds: dict[str, float] = {}


def tier_of(path: str | Path) -> str:
    """The tests/ folder a test file lives in ("top" for tests/ itself)."""
    parts = Path(path).resolve().relative_to(TESTS).parts
    return parts[0] if len(parts) > 1 else "top"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(TIER_LIMITS.get(tier_of(item.fspath), DEFAULT_LIMIT)))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    tier = tier_of(TESTS.parent / report.fspath)  # fspath is relative to the rootdir, the repository
    tier_seconds[tier] = tier_seconds.get(tier, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter) -> None:
    if tier_seconds:
        figures = ", ".join(f"{tier} {seconds:.0f} s" for tier, seconds in sorted(tier_seconds.items()))
        terminalreporter.write_line(f"tier times: {figures}")


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings) -> bool:
    if not settings.timeout:
        return True
    timer = threading.Timer(settings.timeout, _expired, args=(item, settings.timeout))
    timer.name, timer.daemon = "test-watchdog", True
    _timers[item.nodeid] = timer
    timer.start()
    return True


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_cancel_timer(item: pytest.Item) -> bool:
    timer = _timers.pop(item.nodeid, None)
    if timer is not None:
        timer.cancel()
    return True


def _expired(item: pytest.Item, limit: float) -> None:
    terminal = item.config.get_terminal_writer()
    try:
        capman = item.config.pluginmanager.getplugin("capturemanager")
        if capman:
            capman.suspend_global_capture(item)
            out, err = capman.read_global_capture()
            for title, text in (("captured stdout", out), ("captured stderr", err)):
                if text:
                    terminal.sep("~", title=title)
                    terminal.write(text[-20000:])
        terminal.sep("+", title=f"TIMEOUT after {limit:.0f} s ({tier_of(item.fspath)} tier): {item.nodeid}")
        pytest_timeout.dump_stacks(terminal)
        terminal.write(_native_stacks())
        terminal.sep("+", title=f"TIMEOUT: {item.nodeid} did not finish in {limit:.0f} s; the run stops here")
    finally:
        terminal.flush()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)


def _native_stacks() -> str:
    """Every thread's C stack via gdb (a hang in librdkafka shows only there); a note when impossible."""
    gdb = shutil.which("gdb")
    if gdb is None:
        return "native stacks: gdb not installed\n"
    started = time.monotonic()
    try:
        done = subprocess.run(
            [gdb, "-batch", "-nx", "-p", str(os.getpid()), "-ex", "thread apply all bt 16"],
            capture_output=True,
            text=True,
            timeout=GDB_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired) as problem:
        return f"native stacks: gdb failed: {problem}\n"
    frames = [line for line in done.stdout.splitlines() if line.startswith(("Thread ", "#"))]
    took = time.monotonic() - started
    return "\n".join(["-" * 30 + f" native stacks (gdb, {took:.1f} s) " + "-" * 30, *frames, ""])
