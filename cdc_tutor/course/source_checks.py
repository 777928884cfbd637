"""The `source` checkpoint kind: a kernel result against the lab's source database, row for row.

It judges a pipeline by what it should reproduce: the rows of a table as the source database holds
them now (the embedded SQLite inventory or the stack's PostgreSQL, through the same
`execute_script` the «База» pane uses), compared with the rows the student's code built (a Delta
table, a pandas frame). `studentSql` is what the lesson asks the student to run in «База» before
the check; `cdc-tutor verify` runs it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from cdc_tutor import strings
from cdc_tutor.course.check_types import CheckpointKind, FieldSpec, Verdict
from cdc_tutor.course.context import CheckContext
from cdc_tutor.course.kernel_checks import compare_rows, kernel_problem, kernel_rows
from cdc_tutor.course.snippets import expression_problem
from cdc_tutor.course.values import nonempty_str


def cell_text(value: Any) -> str | None:
    """A cell as both sides can agree on it: psql prints every value as text (NULL as ""), SQLite
    keeps numbers, Spark gives ints and decimals; numbers compare by value (7400.0 == "7400.00")."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value).lower()
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    return format(number.normalize(), "f") if number != 0 else "0"


def _validate_source(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    problems = []
    if not nonempty_str(spec["variable"]) or expression_problem(spec["variable"]):
        problems.append(("variable", "must name a variable (or be an expression) of the kernel"))
    query = spec["query"]
    if not nonempty_str(query) or not query.lstrip().upper().startswith("SELECT"):
        problems.append(("query", "must be one SELECT statement run in the source database"))
    elif ";" in query.strip().rstrip(";"):
        problems.append(("query", "must be one statement (no ';' inside)"))
    if "studentSql" in spec and not nonempty_str(spec["studentSql"]):
        problems.append(("studentSql", "must be the SQL the student runs in «База» (non-empty)"))
    return problems


def _evaluate_source(spec: Mapping[str, Any], submission: Any, context: CheckContext | None = None) -> Verdict:
    problem = kernel_problem(context)
    if problem is not None:
        return problem
    assert context is not None  # kernel_problem fails a missing context
    if context.source is None:
        return Verdict(False, strings.SOURCE_NONE)
    result = context.source(spec["query"])
    if not result.ok:
        return Verdict(False, strings.SOURCE_QUERY_FAILED.format(error=result.error))
    if not result.rows:  # empty against empty proves nothing: the student's changes are the point
        return Verdict(False, strings.SOURCE_EMPTY)
    if result.truncated:
        return Verdict(False, strings.SOURCE_TOO_MANY.format(rows=result.total_rows))
    columns = list(result.columns)
    variable = spec["variable"].strip()
    actual = kernel_rows(context, variable, columns)
    if isinstance(actual, Verdict):
        return actual
    expected = [dict(zip(columns, row)) for row in result.rows]
    return compare_rows(actual, expected, columns, variable, value=cell_text)


SOURCE = CheckpointKind(
    name="source",
    fields={
        "variable": FieldSpec(str, True, "the kernel expression holding the rows built: a DataFrame or a list of rows"),
        "query": FieldSpec(str, True, "one SELECT run in the source database; its columns are the ones compared"),
        "studentSql": FieldSpec(str, False, "the SQL the lesson asks the student to run in «База»; verify runs it"),
    },
    validate=_validate_source,
    evaluate=_evaluate_source,
    needs_input=False,
    needs_context=True,
)

__all__ = ["SOURCE", "cell_text"]
