"""Judging a checkpoint against live state, with time for state that lags (Kafka commits)."""

from __future__ import annotations

import time
from typing import Any

from cdc_tutor.course.checkpoints import KINDS, evaluate_checkpoint

SETTLE_POLL = 0.5


def judge(checkpoint: Any, submission: Any, context: Any, *, settle: bool = True) -> Any:
    """The checkpoint's Verdict. A failing verdict of a kind with `settle_seconds` (a commit that
    lands a moment after the code finished) is asked again until it passes or the time is up."""
    verdict = evaluate_checkpoint(checkpoint, submission, context)
    deadline = time.monotonic() + (KINDS[checkpoint.kind].settle_seconds if settle else 0.0)
    while not verdict.passed and time.monotonic() < deadline:
        time.sleep(SETTLE_POLL)
        verdict = evaluate_checkpoint(checkpoint, submission, context)
    return verdict
