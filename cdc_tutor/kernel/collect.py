"""Turns one execution's IOPub messages into events for the caller and a capped record."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cdc_tutor.kernel.frames import frame_from_bundle
from cdc_tutor.kernel.output import OutputCap
from cdc_tutor.kernel.results import (
    ClearOutput,
    DisplayOutput,
    ErrorOutput,
    ExecutionResult,
    KernelEvent,
    KernelStatus,
    OutputOmitted,
    StreamChunk,
)

EventCallback = Callable[[KernelEvent], None]


@dataclass(frozen=True)
class OutputLimits:
    """How much of one execution's output is kept and streamed."""

    head_lines: int = 200
    """Lines of each stream streamed live and kept from the start."""
    tail_lines: int = 200
    """Lines of each stream kept from the end."""
    max_line_chars: int = 4000
    max_displays: int = 50
    """Rich outputs kept per execution; the rest are counted, not kept."""
    frame_rows: int = 50
    """Rows of a DataFrame the kernel sends (the kernel's formatter is set up with it)."""
    omitted_interval_s: float = 0.25
    """Least time between two OutputOmitted events for one stream while output floods."""


class Collector:
    """Feeds one execution's IOPub messages; calls `emit` with each event as it comes."""

    def __init__(self, emit: EventCallback, limits: OutputLimits) -> None:
        self.emit = emit
        self.limits = limits
        self.caps = {
            name: OutputCap(limits.head_lines, limits.tail_lines, limits.max_line_chars)
            for name in ("stdout", "stderr")
        }
        self.displays: list[DisplayOutput] = []
        self.displays_omitted = 0
        self.error: ErrorOutput | None = None
        self.execution_count: int | None = None
        self._omitted_sent_at: dict[str, float] = {}

    def handle(self, msg: dict[str, Any]) -> bool:
        """Take one IOPub message; True once the kernel reports idle for this execution."""
        kind = msg["msg_type"]
        content = msg["content"]
        if kind == "stream":
            self._stream(content.get("name", "stdout"), content.get("text", ""))
        elif kind in ("display_data", "execute_result", "update_display_data"):
            self._display(content, is_result=kind == "execute_result")
        elif kind == "error":
            self.error = _error(content)
            self.emit(self.error)
        elif kind == "clear_output":
            self.emit(ClearOutput(bool(content.get("wait", False))))
        elif kind == "execute_input":
            self.execution_count = content.get("execution_count")
        elif kind == "status":
            state = content.get("execution_state", "")
            self.emit(KernelStatus(state))
            return state == "idle"
        return False

    def _stream(self, name: str, text: str) -> None:
        cap = self.caps.setdefault(name, OutputCap(self.limits.head_lines, self.limits.tail_lines))
        live = cap.feed(text)
        if live:
            self.emit(StreamChunk(name, live))
        if cap.head_full:
            now = time.monotonic()
            # A flood must not become a flood of events: report the gap a few times a second.
            if now - self._omitted_sent_at.get(name, 0.0) >= self.limits.omitted_interval_s:
                self._omitted_sent_at[name] = now
                self._send_omitted(name)

    def _send_omitted(self, name: str) -> None:
        snapshot = self.caps[name].snapshot()
        self.emit(OutputOmitted(name, snapshot.omitted_lines, snapshot.total_lines, snapshot.tail))

    def _display(self, content: dict[str, Any], is_result: bool) -> None:
        if len(self.displays) >= self.limits.max_displays:
            self.displays_omitted += 1
            return
        data = content.get("data", {})
        display_id = (content.get("transient") or {}).get("display_id")
        output = DisplayOutput(data, content.get("metadata", {}), frame_from_bundle(data), is_result, display_id)
        self.displays.append(output)
        self.emit(output)

    def finish(self) -> None:
        """Send the final gap and tail of every stream that overflowed."""
        for name, cap in self.caps.items():
            if cap.head_full:
                self._send_omitted(name)

    def result(self, reply: dict[str, Any], duration_s: float, timed_out: bool) -> ExecutionResult:
        """The record of the execution, given the kernel's execute_reply content."""
        status = reply.get("status", "timeout" if timed_out else "error")
        error = None
        if status == "error":
            error = self.error or _error(reply)
            status = "interrupted" if error.ename == "KeyboardInterrupt" else "error"
        return ExecutionResult(
            status="timeout" if timed_out else status,
            execution_count=reply.get("execution_count", self.execution_count),
            stdout=self.caps["stdout"].snapshot(),
            stderr=self.caps["stderr"].snapshot(),
            displays=self.displays,
            displays_omitted=self.displays_omitted,
            error=error,
            duration_s=duration_s,
            user_expressions=reply.get("user_expressions", {}),
        )


def _error(content: dict[str, Any]) -> ErrorOutput:
    return ErrorOutput(content.get("ename", ""), content.get("evalue", ""), list(content.get("traceback", [])))
