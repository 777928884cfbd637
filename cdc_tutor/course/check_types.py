"""The shapes every checkpoint kind shares: Verdict, FieldSpec, CheckpointKind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: passed or not, and why not in the student's language."""

    passed: bool
    reason: str = ""
    waived: bool = False
    """Passed without judging: a `realKafka` check on a lab whose broker cannot show it (the mock)."""


@dataclass(frozen=True)
class FieldSpec:
    """A kind-specific field: its expected Python type, whether it is required, what it means."""

    type: type | tuple[type, ...]
    required: bool
    doc: str


@dataclass(frozen=True)
class CheckpointKind:
    """What a lesson file may say about a checkpoint of this kind, and how to judge one.

    `evaluate(spec, submission, context=None)` judges a typed submission (`needs_input`) or the
    live state in a `CheckContext` (`needs_context`); it should not raise, and
    `checkpoints.evaluate_checkpoint` turns anything it raises into a failed Verdict anyway.
    """

    name: str
    fields: Mapping[str, FieldSpec]
    validate: Callable[[Mapping[str, Any]], list[tuple[str, str]]]  # -> [(field, message)]
    evaluate: Callable[..., Verdict]
    needs_input: bool  # True when the student types something to be checked
    needs_context: bool = False  # True when it judges a kernel's or Kafka's state
    validate_step: Callable[[Mapping[str, Any], int], list[tuple[str, str]]] | None = None
    """Checks against the step (given its number of python snippets), e.g. `ran`'s snippet."""
    settle_seconds: float = 0.0
    """`verify` re-checks a failing check for up to this long: state that lags (Kafka commits)."""
