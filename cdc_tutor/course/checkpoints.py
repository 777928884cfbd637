"""Checkpoint kinds: how each kind's fields are validated and how a submission is judged.

A kind is registered once here; the loader validates lesson files against `KINDS`, the lesson
session evaluates through it. Kinds that need a kernel or Kafka state plug in the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from cdc_tutor import strings


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: passed or not, and why not in the student's language."""

    passed: bool
    reason: str = ""


@dataclass(frozen=True)
class FieldSpec:
    """A kind-specific field: its expected Python type, whether it is required, what it means."""

    type: type | tuple[type, ...]
    required: bool
    doc: str


@dataclass(frozen=True)
class CheckpointKind:
    """What a lesson file may say about a checkpoint of this kind, and how to judge one."""

    name: str
    fields: Mapping[str, FieldSpec]
    validate: Callable[[Mapping[str, Any]], list[tuple[str, str]]]  # -> [(field, message)]
    evaluate: Callable[[Mapping[str, Any], Any], Verdict]
    needs_input: bool  # True when the student types something to be checked


_SPACES = re.compile(r"\s+")


def normalise_answer(text: str) -> str:
    """Compare answers ignoring case, surrounding spaces, repeated spaces and a trailing period."""
    return _SPACES.sub(" ", str(text).strip().casefold()).rstrip(".").strip()


def _validate_answer(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    answers = spec.get("answers")
    if not isinstance(answers, list) or not answers:
        return [("answers", "must be a non-empty list of accepted answers")]
    problems = []
    for index, answer in enumerate(answers):
        if isinstance(answer, bool):  # YAML reads yes/no/on/off as booleans: say so, don't guess
            problems.append(("answers", f"answer #{index + 1} is a YAML boolean; quote it, e.g. \"yes\""))
        elif not isinstance(answer, (str, int, float)) or not normalise_answer(answer):
            problems.append(("answers", f"answer #{index + 1} must be a non-empty string"))
    return problems


def _evaluate_answer(spec: Mapping[str, Any], submission: Any) -> Verdict:
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

KINDS: dict[str, CheckpointKind] = {kind.name: kind for kind in (ANSWER,)}
