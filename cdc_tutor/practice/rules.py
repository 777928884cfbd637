"""The practice layer's rules, each decided in one place."""

from __future__ import annotations

from typing import Any

from cdc_tutor.course.checkpoints import KINDS


def needs_kernel(lesson: Any) -> bool:
    """A lesson gets a kernel when a step has code or a checkpoint judges live state."""
    return any(step.has_code or any(KINDS[cp.kind].needs_context for cp in step.checkpoints) for step in lesson.steps)
