"""Engines to kernels: the tutor's own python, engine venvs, and a clear message when one is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cdc_tutor.kernel import EngineMissing, KernelSession, KernelStartFailed, UnknownEngine, kernel_command


def test_python_uses_the_tutors_interpreter_without_a_kernelspec() -> None:
    command = kernel_command("python")
    assert command.argv[:3] == [sys.executable, "-m", "ipykernel_launcher"]
    assert "{connection_file}" in command.argv and not command.own_environment


def test_missing_engine_names_the_setup_command(tmp_path: Path) -> None:
    with pytest.raises(EngineMissing) as missing:
        kernel_command("flink", lambda engine: None)
    assert missing.value.engine == "flink" and missing.value.hint == "cdc-tutor setup flink"
    assert "cdc-tutor setup flink" in str(missing.value)
    with pytest.raises(EngineMissing):
        KernelSession("spark", cwd=tmp_path).start()
    with pytest.raises(UnknownEngine):
        kernel_command("cobol")


def test_an_engine_lookup_that_finds_a_python_marks_its_own_environment(tmp_path: Path) -> None:
    python = tmp_path / "engines" / "spark" / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.symlink_to(sys.executable)
    command = kernel_command("spark", lambda engine: python if engine == "spark" else None)
    assert command.argv[0] == str(python) and command.own_environment


def test_an_engine_kernel_runs_its_own_python_without_the_tutors_pythonpath(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", "/nonexistent/tutor-site")
    with KernelSession("flink", cwd=tmp_path, engine_python=lambda engine: Path(sys.executable)) as session:
        session.wait_ready()
        assert session.bootstrap_error is None
        result = session.execute("import os, sys\nprint(os.environ.get('PYTHONPATH'), 'pandas' in sys.modules)")
        # The frame formatter is registered by type name: a kernel never imports pandas for it.
        assert result.stdout.text == "None False\n"


def test_a_broken_engine_fails_to_start_with_its_own_words(tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'No module named ipykernel_launcher' >&2\nexit 1\n")
    fake.chmod(0o755)
    session = KernelSession("spark", cwd=tmp_path, engine_python=lambda engine: fake)
    with pytest.raises(KernelStartFailed) as failed:
        session.wait_ready(timeout=20)
    assert "exited while starting" in str(failed.value)
    assert "No module named ipykernel_launcher" in failed.value.log
    session.shutdown()
