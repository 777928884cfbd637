"""Checkpoint kinds judged against the lesson's kernel: `ran`, `predicate`, `window`.

They look at state, not at the code's text, so they survive the student's own edits. Each reads
the kernel through `CheckContext` and turns every failure (no kernel, a dead kernel, an
expression that raises) into a Verdict with a Russian reason.
"""

from __future__ import annotations

import ast
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cdc_tutor import strings
from cdc_tutor.course.check_types import CheckpointKind, FieldSpec, Verdict
from cdc_tutor.course.context import CheckContext
from cdc_tutor.course.snippets import expression_problem
from cdc_tutor.course.values import nonempty_str

PREDICATE_TIMEOUT = 15.0
WINDOW_TIMEOUT = 60.0  # collecting a Spark or Flink result may take a while
SHOWN_ROWS = 3  # rows quoted in a window mismatch


def kernel_problem(context: CheckContext | None) -> Verdict | None:
    """Why the kernel cannot answer now (a failed Verdict), or None when it can be asked."""
    if context is None or not context.has_kernel:
        return Verdict(False, strings.CHECK_NEEDS_KERNEL)
    if context.busy:
        return Verdict(False, strings.CHECK_KERNEL_BUSY)
    if not context.kernel_alive():
        return Verdict(False, strings.CHECK_KERNEL_DEAD)
    return None


# --- ran ---------------------------------------------------------------------------------------


def _validate_ran(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [] if spec["snippet"] >= 1 else [("snippet", "must be a snippet number, 1 or more")]


def _validate_ran_step(spec: Mapping[str, Any], snippets: int) -> list[tuple[str, str]]:
    if spec["snippet"] > snippets:
        return [("snippet", f"the step has no python snippet {spec['snippet']} (it has {snippets})")]
    return []


def _evaluate_ran(spec: Mapping[str, Any], submission: Any, context: CheckContext | None = None) -> Verdict:
    index = spec["snippet"]
    if context is None or context.step_id is None:
        return Verdict(False, strings.CHECK_NEEDS_KERNEL)
    status = context.snippet_status.get((context.step_id, index))
    if status == "ok":
        return Verdict(True)
    if status is None:
        return Verdict(False, strings.RAN_NOT_YET.format(index=index))
    word = strings.RUN_STATUS_WORDS.get(status, status)
    return Verdict(False, strings.RAN_FAILED.format(index=index, status=word))


RAN = CheckpointKind(
    name="ran",
    fields={"snippet": FieldSpec(int, True, "number of the step's python snippet (1 = the first)")},
    validate=_validate_ran,
    evaluate=_evaluate_ran,
    needs_input=False,
    needs_context=True,
    validate_step=_validate_ran_step,
)


# --- predicate ---------------------------------------------------------------------------------


def _validate_predicate(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    problems = []
    found = expression_problem(spec["expr"]) if nonempty_str(spec["expr"]) else "must be a non-empty expression"
    if found:
        problems.append(("expr", found))
    if "message" in spec and not nonempty_str(spec["message"]):
        problems.append(("message", "must be a non-empty string"))
    return problems


def _evaluate_predicate(spec: Mapping[str, Any], submission: Any, context: CheckContext | None = None) -> Verdict:
    problem = kernel_problem(context)
    if problem is not None:
        return problem
    assert context is not None  # kernel_problem fails a missing context
    expression = spec["expr"].strip()
    # bool() on the kernel's side: numpy's True_ prints as "np.True_", a Series raises clearly.
    evaluation = context.evaluate(f"bool(({expression}\n))", PREDICATE_TIMEOUT)
    if not evaluation.ok:
        if not context.kernel_alive():
            return Verdict(False, strings.CHECK_KERNEL_DEAD)
        if spec.get("message"):
            return Verdict(
                False, strings.PREDICATE_ERROR_EXPLAINED.format(message=spec["message"], error=evaluation.error)
            )
        return Verdict(False, strings.PREDICATE_ERROR.format(expr=expression, error=evaluation.error))
    if evaluation.value_repr == "True":
        return Verdict(True)
    reason = spec.get("message") or strings.PREDICATE_FALSE.format(expr=expression)
    explained = explain_false(expression, context)
    return Verdict(False, f"{reason}\n{explained}" if explained else reason)


EXPLAIN_CHARS = 160  # a got/expected value longer than this is cut: the step bar has a few lines


def explain_false(expression: str, context: CheckContext) -> str:
    """For `a == b and c == d …`: the first comparison that is false, with what the student's code
    gave and what was expected ("" when the expression has no such shape or the kernel cannot say).
    The right-hand side is the expectation, as checkpoints are written: `f(x) == {0: 7}`."""
    try:
        tree = ast.parse(expression, mode="eval").body
    except SyntaxError:
        return ""
    if (
        isinstance(tree, ast.Call)
        and isinstance(tree.func, ast.Name)
        and tree.func.id == "bool"
        and len(tree.args) == 1
    ):
        tree = tree.args[0]  # bool(...) around the whole predicate (numpy booleans) hides nothing
    parts = tree.values if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And) else [tree]
    for part in parts:
        is_equality = isinstance(part, ast.Compare) and len(part.ops) == 1 and isinstance(part.ops[0], ast.Eq)
        source = ast.unparse(part)
        holds = context.evaluate(f"bool(({source}\n))", PREDICATE_TIMEOUT)
        if not holds.ok:
            return strings.PREDICATE_PART_ERROR.format(part=_clip(source), error=holds.error)
        if holds.value_repr == "True":
            continue
        if not (is_equality and isinstance(part, ast.Compare)):  # a lone condition is already in the reason
            return strings.PREDICATE_PART_FALSE.format(part=_clip(source)) if len(parts) > 1 else ""
        left, right = ast.unparse(part.left), ast.unparse(part.comparators[0])
        got = context.evaluate(left, PREDICATE_TIMEOUT)
        expected = context.evaluate(right, PREDICATE_TIMEOUT)
        if not (got.ok and expected.ok):
            return strings.PREDICATE_PART_FALSE.format(part=_clip(source))
        return strings.PREDICATE_GOT_EXPECTED.format(
            left=_clip(left), got=_clip(got.value_repr), expected=_clip(expected.value_repr)
        )
    return ""


def _clip(text: str) -> str:
    return text if len(text) <= EXPLAIN_CHARS else text[: EXPLAIN_CHARS - 1] + "…"


PREDICATE = CheckpointKind(
    name="predicate",
    fields={
        "expr": FieldSpec(str, True, "a Python expression over the kernel's variables; passes when truthy"),
        "message": FieldSpec(str, False, "what the student reads when it is false (Russian)"),
    },
    validate=_validate_predicate,
    evaluate=_evaluate_predicate,
    needs_input=False,
    needs_context=True,
)


# --- window ------------------------------------------------------------------------------------


def _expected_columns(spec: Mapping[str, Any]) -> list[str]:
    if spec.get("columns"):
        return list(spec["columns"])
    first = spec["expect"][0] if spec["expect"] and isinstance(spec["expect"][0], dict) else {}
    return [str(name) for name in first]


def _validate_window(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    problems = []
    if not nonempty_str(spec["variable"]) or expression_problem(spec["variable"]):
        problems.append(("variable", "must name a variable (or be an expression) of the kernel"))
    expect = spec["expect"]
    if not expect or not all(isinstance(row, dict) and row for row in expect):
        problems.append(("expect", "must be a non-empty list of rows, each a mapping of column -> value"))
        return problems
    columns = spec.get("columns")
    if columns is not None and (not columns or not all(nonempty_str(c) for c in columns)):
        problems.append(("columns", "must be a non-empty list of column names"))
        return problems
    wanted = _expected_columns(spec)
    for number, row in enumerate(expect, start=1):
        missing = [c for c in wanted if c not in row]
        if missing:
            problems.append(("expect", f"row {number} has no value for {', '.join(map(str, missing))}"))
        elif columns is None and set(row) != set(wanted):
            problems.append(
                ("expect", f"row {number} has other columns than row 1; list the compared ones in 'columns'")
            )
    return problems


def canonical(value: Any) -> Any:
    """A value as rows are compared: numbers as floats (2 == 2.0), text as text, others as str."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    return str(value)


def _show(rows: list[tuple[Any, ...]], columns: list[str]) -> str:
    shown = ["{" + ", ".join(f"{c}: {v}" for c, v in zip(columns, row)) + "}" for row in rows[:SHOWN_ROWS]]
    more = f" … (+{len(rows) - SHOWN_ROWS})" if len(rows) > SHOWN_ROWS else ""
    return "; ".join(shown) + more


def compare_rows(
    actual: Sequence[Mapping[str, Any]],
    expect: Sequence[Mapping[str, Any]],
    columns: list[str],
    variable: str,
    value: Callable[[Any], Any] = canonical,
) -> Verdict:
    """Order-insensitive comparison of `actual` with `expect` on `columns` (a multiset of rows),
    each cell compared as `value` makes it."""
    for column in columns:
        if actual and not all(column in row for row in actual):
            return Verdict(False, strings.WINDOW_NO_COLUMN.format(variable=variable, column=column))
    have = Counter(tuple(value(row.get(c)) for c in columns) for row in actual)
    want = Counter(tuple(value(row.get(c)) for c in columns) for row in expect)
    if have == want:
        return Verdict(True)
    parts = [strings.WINDOW_MISMATCH.format(variable=variable, actual=sum(have.values()), expected=sum(want.values()))]
    missing = sorted((want - have).elements(), key=repr)
    extra = sorted((have - want).elements(), key=repr)
    if missing:
        parts.append(strings.WINDOW_MISSING_ROWS.format(rows=_show(missing, columns)))
    if extra:
        parts.append(strings.WINDOW_EXTRA_ROWS.format(rows=_show(extra, columns)))
    return Verdict(False, " ".join(parts))


def _evaluate_window(spec: Mapping[str, Any], submission: Any, context: CheckContext | None = None) -> Verdict:
    problem = kernel_problem(context)
    if problem is not None:
        return problem
    assert context is not None  # kernel_problem fails a missing context
    variable = spec["variable"].strip()
    columns = _expected_columns(spec)
    rows = kernel_rows(context, variable, columns)
    if isinstance(rows, Verdict):
        return rows
    return compare_rows(rows, spec["expect"], columns, variable)


def kernel_rows(context: CheckContext, variable: str, columns: list[str]) -> list[dict[str, Any]] | Verdict:
    """The rows of kernel expression `variable` on `columns`, or a failed Verdict saying why not."""
    evaluation = context.evaluate(f"tutor.rows_json(({variable}\n), {columns!r})", WINDOW_TIMEOUT)
    if not evaluation.ok:
        if not context.kernel_alive():
            return Verdict(False, strings.CHECK_KERNEL_DEAD)
        return Verdict(False, strings.WINDOW_UNREADABLE.format(variable=variable, error=evaluation.error))
    try:
        rows = json.loads(ast.literal_eval(evaluation.value_repr))
    except (ValueError, SyntaxError, TypeError) as error:
        return Verdict(False, strings.WINDOW_UNREADABLE.format(variable=variable, error=error))
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        return Verdict(False, strings.WINDOW_UNREADABLE.format(variable=variable, error="not a list of rows"))
    return rows


WINDOW = CheckpointKind(
    name="window",
    fields={
        "variable": FieldSpec(str, True, "the kernel variable holding the result: a DataFrame or a list of rows"),
        "expect": FieldSpec(list, True, "the expected rows, each a mapping of column -> value; order-insensitive"),
        "columns": FieldSpec(list, False, "the columns compared (default: the columns of the first expected row)"),
    },
    validate=_validate_window,
    evaluate=_evaluate_window,
    needs_input=False,
    needs_context=True,
)

__all__ = ["RAN", "PREDICATE", "WINDOW", "compare_rows", "canonical", "kernel_problem", "kernel_rows"]
