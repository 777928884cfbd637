"""A false predicate says which comparison failed, with the value the student's code gave and the
expected one (the logic, over a table of values standing in for a kernel)."""

from __future__ import annotations

from cdc_tutor.course.context import CheckContext
from cdc_tutor.course.evaluation import Evaluation
from cdc_tutor.course.kernel_checks import explain_false


def context_with(values: dict[str, object]) -> CheckContext:
    """A context whose kernel knows `values` by name; expressions are evaluated over them in Python."""

    def evaluate(expression: str, _timeout: float) -> Evaluation:
        try:
            return Evaluation(True, repr(eval(expression, {}, dict(values))))  # noqa: S307 - test data only
        except Exception as error:  # noqa: BLE001
            return Evaluation(False, error=f"{type(error).__name__}: {error}")

    return CheckContext(alive=lambda: True, evaluator=evaluate)


def test_the_first_false_comparison_shows_got_and_expected():
    context = context_with({"f": lambda xs: {p: o for p, o in xs}})
    expression = "f([]) == {} and f([(0, 5), (0, 6)]) == {0: 7} and f([(1, 1)]) == {1: 2}"
    assert explain_false(expression, context) == "f([(0, 5), (0, 6)]) дало {0: 6}, ожидалось {0: 7}."


def test_bool_around_the_predicate_is_looked_through():
    context = context_with({"n": 3})
    assert explain_false("bool(n == 4)", context) == "n дало 3, ожидалось 4."


def test_other_parts_and_errors_are_named_and_a_lone_condition_adds_nothing():
    context = context_with({"n": 3})
    assert explain_false("n > 1 and n < 2", context) == "Не выполнено: n < 2"
    assert explain_false("n > 5", context) == ""
    assert explain_false("n == 3 and m == 1", context) == "Ошибка в m == 1: NameError: name 'm' is not defined"


def test_long_values_are_cut():
    context = context_with({"xs": list(range(1000))})
    explained = explain_false("xs == []", context)
    assert explained.startswith("xs дало [0, 1, 2") and "…" in explained and len(explained) < 400
