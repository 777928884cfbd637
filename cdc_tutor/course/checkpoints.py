"""Checkpoint kinds: how each kind's fields are validated and how a submission is judged.

A kind is registered once here; the loader validates lesson files against `KINDS`, the lesson
session and `cdc-tutor verify` evaluate through `evaluate_checkpoint`. `answer` lives here; the
kinds that judge live state are in kernel_checks.py (`ran`, `predicate`, `window`) and
kafka_checks.py (`kafka`), source_checks.py (`source`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cdc_tutor import strings
from cdc_tutor.course.check_types import CheckpointKind, FieldSpec, Verdict
from cdc_tutor.course.context import CheckContext
from cdc_tutor.course.kafka_checks import KAFKA
from cdc_tutor.course.kernel_checks import PREDICATE, RAN, WINDOW
from cdc_tutor.course.model import Checkpoint
from cdc_tutor.course.source_checks import SOURCE

__all__ = ["KINDS", "ANSWER", "CheckpointKind", "FieldSpec", "Verdict", "evaluate_checkpoint", "normalise_answer"]


_SPACES = re.compile(r"\s+")


def normalise_answer(text: str | int | float) -> str:
    """Compare answers ignoring case, surrounding spaces, repeated spaces and a trailing period."""
    return _SPACES.sub(" ", str(text).strip().casefold()).rstrip(".").strip()


def _validate_answer(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    answers = spec.get("answers")
    if not isinstance(answers, list) or not answers:
        return [("answers", "must be a non-empty list of accepted answers")]
    problems = []
    for index, answer in enumerate(answers):
        if isinstance(answer, bool):  # YAML reads yes/no/on/off as booleans: say so, don't guess
            problems.append(("answers", f'answer #{index + 1} is a YAML boolean; quote it, e.g. "yes"'))
        elif not isinstance(answer, (str, int, float)) or not normalise_answer(answer):
            problems.append(("answers", f"answer #{index + 1} must be a non-empty string"))
    return problems


def _evaluate_answer(spec: Mapping[str, Any], submission: Any, context: CheckContext | None = None) -> Verdict:
    given = normalise_answer(submission or "")
    if not given:
        return Verdict(False, strings.ANSWER_EMPTY)
    accepted = {normalise_answer(answer) for answer in spec["answers"]}
    if given in accepted:
        return Verdict(True)
    return Verdict(False, strings.ANSWER_WRONG.format(answer=submission.strip()))


ANSWER = CheckpointKind(
    name="answer",
    fields={
        "answers": FieldSpec(list, True, "accepted answers; compared ignoring case and spaces"),
    },
    validate=_validate_answer,
    evaluate=_evaluate_answer,
    needs_input=True,
)

KINDS: dict[str, CheckpointKind] = {kind.name: kind for kind in (ANSWER, RAN, PREDICATE, WINDOW, KAFKA, SOURCE)}


def evaluate_checkpoint(checkpoint: Checkpoint, submission: Any, context: CheckContext | None = None) -> Verdict:
    """Judge `checkpoint`; never raises: a crashing kind is a failed Verdict saying so."""
    kind = KINDS.get(checkpoint.kind)
    if kind is None:
        return Verdict(False, strings.CHECK_CRASHED.format(error=f"unknown kind {checkpoint.kind!r}"))
    if checkpoint.spec.get("realKafka") and context is not None and not context.real_kafka:
        return Verdict(True, strings.REAL_KAFKA_WAIVED, waived=True)
    try:
        return kind.evaluate(checkpoint.spec, submission, context)
    except Exception as error:  # noqa: BLE001 - a check must never take the tutor down
        return Verdict(False, strings.CHECK_CRASHED.format(error=f"{type(error).__name__}: {error}"))
