"""The stack tier: one real native stack (PostgreSQL, Kafka KRaft, Connect + Debezium) per session.

The tier starts what it needs itself, so `.ci/run` runs it like any other test; anything missing
is installed by scripts/stack-deps.sh (apt, as root) or the session fails: it never skips.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from cdc_tutor.stack.config import StackConfig
from cdc_tutor.stack.native import NativeStack
from cdc_tutor.stack.reap import reap

REPO = Path(__file__).resolve().parents[2]
_figures: dict = {}


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.stack)


@pytest.fixture(scope="session")
def stack_deps() -> None:
    done = subprocess.run(["bash", str(REPO / "scripts" / "stack-deps.sh")], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"scripts/stack-deps.sh failed: {done.stdout}{done.stderr}")


@pytest.fixture(scope="session")
def native_stack(stack_deps, tmp_path_factory) -> NativeStack:
    # <data dir>/stack, where `cdc-tutor --data-dir DIR lab ...` finds it; cache and ~/.m2 shared.
    config = StackConfig.with_free_ports(tmp_path_factory.mktemp("data") / "stack")
    # A session killed before its teardown (a CI timeout) leaves its stack running: stop those.
    base = tmp_path_factory.getbasetemp()
    reap(base.parent, keep=base)
    stack = NativeStack(config, report=lambda line: None)
    try:
        _figures["up"] = stack.up()
        yield stack
    finally:
        started = time.monotonic()
        stack.down(purge=True)
        _figures["down_seconds"] = round(time.monotonic() - started, 2)


def pytest_terminal_summary(terminalreporter):
    if _figures:
        terminalreporter.write_line("native stack: " + json.dumps(_figures))
