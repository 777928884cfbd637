"""What an execution streams while it runs (events) and what it returns (ExecutionResult)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cdc_tutor.kernel.frames import FrameView
from cdc_tutor.kernel.output import CappedText

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


@dataclass(frozen=True)
class StreamChunk:
    """Text the code wrote to stdout or stderr, as it arrived (only the capped head is streamed)."""

    name: str
    """"stdout" or "stderr"."""
    text: str


@dataclass(frozen=True)
class OutputOmitted:
    """A stream passed its head limit: `omitted_lines` are dropped so far; `tail` is the latest end.

    Sent at most a few times a second while output floods, and once more when execution ends.
    """

    name: str
    omitted_lines: int
    total_lines: int
    tail: str


@dataclass(frozen=True)
class DisplayOutput:
    """A rich output: `display(x)` or a cell's last expression (`is_result`)."""

    data: dict[str, Any]
    """The mime bundle, e.g. {"text/plain": ..., "image/png": ...}."""
    metadata: dict[str, Any]
    frame: FrameView | None
    """Set when the object was a pandas DataFrame or Series."""
    is_result: bool = False
    display_id: str | None = None

    @property
    def text(self) -> str:
        return str(self.data.get("text/plain", ""))


@dataclass(frozen=True)
class ErrorOutput:
    """An exception raised by the code; `traceback` keeps IPython's ANSI colours for highlighting."""

    ename: str
    evalue: str
    traceback: list[str]

    @property
    def traceback_text(self) -> str:
        return "\n".join(self.traceback)

    @property
    def traceback_plain(self) -> str:
        return strip_ansi(self.traceback_text)


@dataclass(frozen=True)
class ClearOutput:
    """The code asked to clear its output (`IPython.display.clear_output`)."""

    wait: bool


@dataclass(frozen=True)
class KernelStatus:
    """The kernel's state changed: "busy", "idle", "interrupting", "died", "restarting", "ready",
    or "stuck": the running code has not answered an interrupt (a wait inside C); only a restart helps."""

    state: str


KernelEvent = StreamChunk | OutputOmitted | DisplayOutput | ErrorOutput | ClearOutput | KernelStatus

STATUSES = ("ok", "error", "interrupted", "aborted", "died", "timeout")


@dataclass
class ExecutionResult:
    """How a snippet ended, and everything it produced (capped).

    status: "ok"; "error" (an exception); "interrupted" (KeyboardInterrupt, e.g. from interrupt());
    "aborted" (the kernel skipped it after an earlier error); "died" (the kernel process exited or
    was restarted underneath); "timeout" (the time limit passed; the kernel was interrupted).
    """

    status: str
    execution_count: int | None = None
    stdout: CappedText = field(default_factory=lambda: CappedText("", "", 0, 0))
    stderr: CappedText = field(default_factory=lambda: CappedText("", "", 0, 0))
    displays: list[DisplayOutput] = field(default_factory=list)
    displays_omitted: int = 0
    error: ErrorOutput | None = None
    duration_s: float = 0.0
    exit_code: int | None = None
    """The kernel process's exit code when status is "died" (None if unknown)."""
    user_expressions: dict[str, Any] = field(default_factory=dict)
    """Raw results of the `user_expressions` asked for (see inspect.evaluate)."""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def frames(self) -> list[FrameView]:
        return [d.frame for d in self.displays if d.frame is not None]

    @property
    def result(self) -> DisplayOutput | None:
        """The last expression's value, if the cell ended in one."""
        return next((d for d in reversed(self.displays) if d.is_result), None)
