"""The CLI surface: --version, --help of every subcommand, `python -m cdc_tutor`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cdc_tutor import __version__
from cdc_tutor.cli import SUBCOMMANDS, main


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"cdc-tutor {__version__}"


@pytest.mark.parametrize("command", [[], *[[name] for name in SUBCOMMANDS]], ids=lambda c: c[0] if c else "top")
def test_help_of_every_command(capsys, command):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: cdc-tutor")
    assert "--lessons" in out and "--data-dir" in out


def test_top_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert name in out


def test_python_dash_m_runs_the_same_cli():
    result = subprocess.run([sys.executable, "-m", "cdc_tutor", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"cdc-tutor {__version__}"


def test_unknown_command_is_an_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_flags_before_and_after_the_subcommand(tmp_path, capsys):
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "course"
    assert main(["--lessons", str(fixture), "--data-dir", str(tmp_path), "progress"]) == 0
    before = capsys.readouterr().out
    assert main(["progress", "--lessons", str(fixture), "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == before and "module-1/01-first-events" in before
