"""Progress events: what a student's tutor tells the workshop, and nothing else.

One JSON object per Kafka message, keyed by student. No code and no output ever; the typed answer
of a failed check only when the workshop's config asks for it (`workshop_share_answers`), so the
instructor can see the most common wrong answers.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

KINDS = ("opened", "step", "passed", "failed", "doctor")
HEALTH = ("ok", "warn", "fail")
MAX_TEXT = 300  # a reason or an answer longer than this is cut: the view shows one line


@dataclass(frozen=True)
class ProgressEvent:
    student: str
    kind: str
    """opened (a lesson), step (moved to a step), passed / failed (a checkpoint), doctor (the
    student ran `cdc-tutor doctor`: `health` and, in `reason`, what is not ok)."""
    lesson: str
    step: str
    at: float
    """Seconds since the epoch, on the student's machine."""
    checkpoint: str = ""
    reason: str = ""
    """Why a check failed, as the student saw it."""
    answer: str | None = None
    """The typed answer of a failed `answer` check, when the workshop shares answers."""
    health: str = ""
    """A doctor event's verdict: ok, warn (only later lessons are affected) or fail."""

    def encode(self) -> bytes:
        return json.dumps({key: value for key, value in asdict(self).items() if value not in ("", None)}).encode()


def decode(payload: bytes | None) -> ProgressEvent | None:
    """The event in a message, or None for anything that is not one (the view skips it)."""
    try:
        data = json.loads(payload or b"")
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        return None
    try:
        return ProgressEvent(
            student=_text(data["student"]),
            kind=data["kind"],
            lesson=_text(data.get("lesson", "")),
            step=_text(data.get("step", "")),
            at=float(data["at"]),
            checkpoint=_text(data.get("checkpoint", "")),
            reason=_text(data.get("reason", "")),
            answer=_text(data["answer"]) if isinstance(data.get("answer"), str) else None,
            health=_health(data),
        )
    except (KeyError, TypeError, ValueError):
        return None


def doctor_event(student: str, findings, at: float) -> ProgressEvent:
    """A doctor report as a progress event: the verdict, and each finding that is not ok as
    "FAIL title: detail" / "WARN title: detail" (failures first). `findings` are doctor's Findings
    (anything with ok, warning, title and detail)."""
    failed = [item for item in findings if not item.ok and not item.warning]
    warned = [item for item in findings if not item.ok and item.warning]
    health = "fail" if failed else "warn" if warned else "ok"
    lines = [f"FAIL {item.title}: {item.detail}" for item in failed] + [
        f"WARN {item.title}: {item.detail}" for item in warned
    ]
    return ProgressEvent(student, "doctor", "", "", at, reason="; ".join(lines), health=health)


def _health(data: dict) -> str:
    value = data.get("health", "")
    if data["kind"] == "doctor" and value not in HEALTH:
        raise ValueError("a doctor event without a verdict")
    return value if value in HEALTH else ""


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value[:MAX_TEXT]
