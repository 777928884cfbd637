"""Test-suite wide rules: in CI a skipped test is a failure, and the suite must run tests."""

from __future__ import annotations

import os

import pytest

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes") and _skipped:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"CI forbids skipped tests; skipped: {', '.join(_skipped)}", red=True)


pytest_plugins = ["tests.watchdog"]  # per-tier time limits with thread and native stack dumps
