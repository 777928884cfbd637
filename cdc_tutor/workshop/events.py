"""Progress events: what a student's tutor tells the workshop, and nothing else.

One JSON object per Kafka message, keyed by student. No code and no output ever; the typed answer
of a failed check only when the workshop's config asks for it (`workshop_share_answers`), so the
instructor can see the most common wrong answers.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

KINDS = ("opened", "step", "passed", "failed")
MAX_TEXT = 300  # a reason or an answer longer than this is cut: the view shows one line


@dataclass(frozen=True)
class ProgressEvent:
    student: str
    kind: str
    """opened (a lesson), step (moved to a step), passed / failed (a checkpoint)."""
    lesson: str
    step: str
    at: float
    """Seconds since the epoch, on the student's machine."""
    checkpoint: str = ""
    reason: str = ""
    """Why a check failed, as the student saw it."""
    answer: str | None = None
    """The typed answer of a failed `answer` check, when the workshop shares answers."""

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
            lesson=_text(data["lesson"]),
            step=_text(data.get("step", "")),
            at=float(data["at"]),
            checkpoint=_text(data.get("checkpoint", "")),
            reason=_text(data.get("reason", "")),
            answer=_text(data["answer"]) if isinstance(data.get("answer"), str) else None,
        )
    except (KeyError, TypeError, ValueError):
        return None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value[:MAX_TEXT]
