"""Engine tests share one real `cdc-tutor setup ENGINE` per engine per test session.

The environments go to $CDC_TUTOR_ENGINES_DIR when set (a developer's fast reruns), else into the
session's pytest temp dir, so CI really builds them from scratch; only pip's and Maven's download
caches (~/.cache/pip, ~/.m2) carry over between runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ENGINES_DIR_ENV = "CDC_TUTOR_ENGINES_DIR"
SETUP_TIMEOUT = 1800  # a cold pip install of pyspark or apache-flink over a slow link


@dataclass(frozen=True)
class SetupRun:
    engine: str
    data_dir: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float


_runs: dict[str, SetupRun] = {}


def setup_command(*args: str) -> list[str]:
    """`cdc-tutor setup ...` as a user runs it; the module entry until cli.py lists the subcommand."""
    from cdc_tutor.cli import SUBCOMMANDS

    if "setup" in SUBCOMMANDS:
        return [sys.executable, "-m", "cdc_tutor", "setup", *args]
    return [sys.executable, "-m", "cdc_tutor.commands.setup", *args]


def run_setup(engine: str, data_dir: Path, *extra: str, env: dict[str, str] | None = None) -> SetupRun:
    started = time.monotonic()
    done = subprocess.run(
        setup_command(engine, "--data-dir", str(data_dir), *extra),
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT,
        env=env,
    )
    return SetupRun(engine, data_dir, done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def engines_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if configured := os.environ.get(ENGINES_DIR_ENV):
        path = Path(configured).expanduser()
        path.mkdir(parents=True, exist_ok=True)
        return path
    path = tmp_path_factory.getbasetemp() / "engines-data"
    path.mkdir(exist_ok=True)
    return path


def ensure_engine(engine: str, tmp_path_factory: pytest.TempPathFactory) -> SetupRun:
    """Run `cdc-tutor setup ENGINE` once per session (memoised across test modules)."""
    if engine not in _runs:
        run = run_setup(engine, engines_data_dir(tmp_path_factory))
        print(f"\n[engines] setup {engine}: exit {run.returncode} in {run.seconds:.1f} s")
        _runs[engine] = run
    run = _runs[engine]
    assert run.returncode == 0, f"setup {engine} failed:\n{run.stdout}\n{run.stderr}"
    return run


def link_engine(data_dir: Path, engine: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The session's environment of `engine` (ensure_engine) linked into `data_dir`, where `cdc-tutor
    setup` would have put it: another data dir (a stack's, a student's) uses it without a second setup."""
    from cdc_tutor.paths import private_dir

    built = ensure_engine(engine, tmp_path_factory).data_dir / "engines" / engine
    engines = private_dir(data_dir, "engines")
    if not (engines / engine).exists():
        (engines / engine).symlink_to(built, target_is_directory=True)
