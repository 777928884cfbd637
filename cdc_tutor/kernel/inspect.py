"""Checkpoint helpers: evaluate expressions against a kernel's state without running a cell."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cdc_tutor.course.evaluation import Evaluation
from cdc_tutor.kernel.results import strip_ansi

if TYPE_CHECKING:
    from cdc_tutor.kernel.session import KernelSession

# Built with __import__ so it needs nothing imported in the user's namespace.
_VARIABLES_EXPRESSION = (
    "__import__('json').dumps([(k, type(v).__name__, str(getattr(v, 'shape', '')) if type(v).__name__ in "
    "('DataFrame', 'Series', 'ndarray') else '') for k, v in list(get_ipython().user_ns.items()) "
    "if not k.startswith('_') and k not in get_ipython().user_ns_hidden and type(v).__name__ != 'module'])"
)


@dataclass(frozen=True)
class Variable:
    """A name in the kernel's namespace."""

    name: str
    type_name: str
    shape: str = ""
    """For DataFrames, Series and arrays, e.g. "(3, 2)"."""


def evaluate(session: KernelSession, expression: str, timeout: float = 10.0) -> Evaluation:
    """Evaluate `expression` through user_expressions: no output, no execution_count bump."""
    result = session.execute(
        "", silent=True, store_history=False, user_expressions={"value": expression}, timeout=timeout
    )
    if not result.ok:
        return Evaluation(False, error=f"the kernel could not evaluate it ({result.status})")
    reply = result.user_expressions.get("value", {})
    if reply.get("status") != "ok":
        return Evaluation(False, error=strip_ansi(f"{reply.get('ename', 'Error')}: {reply.get('evalue', '')}"))
    return Evaluation(True, str(reply.get("data", {}).get("text/plain", "")))


def variables(session: KernelSession, timeout: float = 10.0) -> list[Variable]:
    """The user's variables (modules and IPython's own names left out)."""
    evaluation = evaluate(session, _VARIABLES_EXPRESSION, timeout)
    if not evaluation.ok:
        return []
    return [Variable(*row) for row in json.loads(ast.literal_eval(evaluation.value_repr))]
