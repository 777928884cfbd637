"""What the practice layer reports, as typed events: its clients (the TUI, verify) only render them.

Events are emitted from the practice layer's threads; a client that paints must hand them over to
its own thread (the TUI's adapter puts them into pane inboxes and posts messages).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cdc_tutor.kernel import ExecutionResult

EventCallback = Callable[[Any], None]


@dataclass(frozen=True)
class CodeStarted:
    """run_step began one piece of a step's code: part "setup" (setupCode) or "snippet" (a cell,
    exercises included); `index` is the cell's number, 0 for setup."""

    step_id: str
    part: str
    index: int


@dataclass(frozen=True)
class CodeFinished:
    """run_step finished one piece of a step's code; `result.status` says how."""

    step_id: str
    part: str
    index: int
    result: ExecutionResult


@dataclass(frozen=True)
class KernelChanged:
    """The lesson's kernel changed state.

    `state` is one of: "starting", "waiting-for-lab", "ready", "failed" (`problem` says why),
    "died" under a snippet (`exit_code`, a restart follows), "died-idle" (noticed
    while nothing ran; a restart follows), "restarting", "restarted", "stuck" (the running code
    ignores the interrupt: only a restart helps), "restart-failed" (`problem`).
    """

    state: str
    problem: str | None = None
    exit_code: int | None = None
    bootstrap: str | None = None
    """The lab's address, with "ready" (None: the kernel runs without a lab)."""
    hint: str | None = None
    """With "failed": the command that fixes it, when known (e.g. `cdc-tutor setup flink`)."""


@dataclass(frozen=True)
class SnippetBegan:
    """A queued snippet started running."""

    step_id: str
    index: int
    step_title: str


@dataclass(frozen=True)
class SnippetEnded:
    """A snippet finished; `result` is None when the kernel could not even run it (`problem`).
    `restarted_on_request`: it ended because the student restarted the kernel, not by itself."""

    step_id: str
    index: int
    status: str
    result: ExecutionResult | None
    restarted_on_request: bool = False
    problem: str | None = None


@dataclass(frozen=True)
class QueueDropped:
    """Queued snippets were dropped (interrupt, a failure stops the queue)."""

    count: int
    problem: str | None = None  # why the kernel could not say (the streams may still have stopped)


@dataclass(frozen=True)
class CheckJudged:
    """A checkpoint was judged; `outcome` is the course's CheckOutcome, or a string saying why the
    check itself broke."""

    checkpoint_id: str
    outcome: Any


@dataclass(frozen=True)
class StreamsStopped:
    """Ctrl+Z with nothing running, or a step change, stopped `count` streaming queries (tutor.stream)."""

    count: int
    problem: str | None = None  # why the kernel could not say (the streams may still have stopped)
