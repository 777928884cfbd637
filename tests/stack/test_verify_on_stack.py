"""Every bundled lesson verifies against the real stack too (lab mode): PostgreSQL changes made by
the workload flow through Debezium into the topics the lessons read, and the outage step of
lesson 01 stops and restarts the real broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _tutor(data_dir: Path, *args: str, **options) -> subprocess.Popen:
    env = {**os.environ, "CDC_TUTOR_CONFIG": str(data_dir / "no-config.toml"), "PYTHONUNBUFFERED": "1"}
    for variable in ("CDC_TUTOR_LESSONS", "CDC_TUTOR_BOOTSTRAP_SERVERS", "CDC_TUTOR_POSTGRES_DSN"):
        env.pop(variable, None)
    return subprocess.Popen(
        [sys.executable, "-m", "cdc_tutor", "--data-dir", str(data_dir), *args], cwd=ROOT, env=env, text=True, **options
    )


def test_every_lesson_verifies_against_the_native_stack(native_stack):
    data_dir = native_stack.config.state_dir.parent  # where `lab up` keeps the stack: outages work
    workload = _tutor(
        data_dir, "lab", "workload", "--rate", "5", "--seed", "3", stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        verify = _tutor(
            data_dir,
            "--bootstrap-servers",
            native_stack.config.bootstrap_servers,
            "verify",
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        out, _ = verify.communicate(timeout=900)
    finally:
        workload.send_signal(signal.SIGINT)
        workload.communicate(timeout=30)
    assert verify.returncode == 0, out[-6000:]
    assert "FAIL" not in out, out[-6000:]
    assert native_stack.status().broker  # the outage step restored the broker it stopped
