"""Evaluation: what a kernel answered for an expression; the course core judges it, the kernel makes it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Evaluation:
    """An expression's value in the kernel (its repr), or why it could not be evaluated."""

    ok: bool
    value_repr: str = ""
    error: str | None = None
    """"NameError: name 'df' is not defined" and the like; None when ok."""

    @property
    def is_true(self) -> bool:
        """The expression evaluated to True (predicates should evaluate to a bool)."""
        return self.ok and self.value_repr == "True"
