"""Engine names to kernel commands: the tutor's own Python, or an engine's virtual environment."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cdc_tutor.course.model import ENGINES  # the one engine list (the lesson format's)

"""Engines a lesson may name; `python` needs no set-up."""

EnginePythonLookup = Callable[[str], "Path | None"]
"""Given an engine name, the interpreter of its environment, or None when it is not set up;
e.g. `lambda engine: cdc_tutor.engines.engine_python(engine, settings.data_dir)`."""


class UnknownEngine(ValueError):
    """A lesson names an engine the tutor does not know."""

    def __init__(self, engine: str) -> None:
        super().__init__(f"unknown engine {engine!r}; known: {', '.join(ENGINES)}")
        self.engine = engine


class EngineMissing(RuntimeError):
    """The engine's environment has not been set up; `hint` is the command that sets it up."""

    def __init__(self, engine: str, hint: str | None = None) -> None:
        self.engine = engine
        self.hint = hint or f"cdc-tutor setup {engine}"
        super().__init__(f"the {engine} environment is not set up; run: {self.hint}")


class KernelStartFailed(RuntimeError):
    """The kernel exited or stayed silent while starting; `log` is the end of its own output."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(f"{message}\n{log}".rstrip())
        self.log = log


@dataclass(frozen=True)
class KernelCommand:
    """How to launch one engine's kernel."""

    engine: str
    argv: list[str]
    """Contains the literal `{connection_file}`, which jupyter_client fills in."""
    own_environment: bool
    """True for engine venvs: the tutor's PYTHONPATH/PYTHONHOME must not leak into them."""


def ipykernel_argv(python: Path | str) -> list[str]:
    # ipykernel_launcher rather than a registered kernelspec: nothing to install in ~/.local/share.
    # History in memory: kernels of several lessons (or users on a shared VM) never contend
    # for ~/.ipython's SQLite file, and no lesson code is written to disk.
    return [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}", "--HistoryManager.hist_file=:memory:"]


def kernel_command(engine: str, engine_python: EnginePythonLookup | None = None) -> KernelCommand:
    """The command for `engine`; raises UnknownEngine or EngineMissing."""
    if engine not in ENGINES:
        raise UnknownEngine(engine)
    if engine == "python":
        return KernelCommand(engine, ipykernel_argv(sys.executable), own_environment=False)
    python = engine_python(engine) if engine_python is not None else None
    if python is None or not Path(python).exists():
        raise EngineMissing(engine)
    return KernelCommand(engine, ipykernel_argv(python), own_environment=True)
