"""The answer checkpoint kind: normalisation, validation and verdicts."""

from __future__ import annotations

from cdc_tutor import strings
from cdc_tutor.course.checkpoints import ANSWER, normalise_answer


def test_normalise_ignores_case_spaces_and_trailing_period():
    assert normalise_answer("  Dbserver1.Inventory.Customers.  ") == "dbserver1.inventory.customers"
    assert normalise_answer("replica   identity\tfull") == "replica identity full"


def test_evaluate_accepts_any_listed_answer_and_explains_a_wrong_one():
    spec = {"answers": ["u", "update"]}
    assert ANSWER.evaluate(spec, "UPDATE").passed and ANSWER.evaluate(spec, " u ").passed
    wrong = ANSWER.evaluate(spec, "c")
    assert not wrong.passed and "«c»" in wrong.reason
    assert ANSWER.evaluate(spec, "").reason == strings.ANSWER_EMPTY


def test_validate_rejects_empty_and_boolean_answers():
    assert ANSWER.validate({"answers": []})
    assert ANSWER.validate({"answers": ["ok", "  "]}) == [("answers", "answer #2 must be a non-empty string")]
    [(field, message)] = ANSWER.validate({"answers": [True]})
    assert field == "answers" and "boolean" in message
    assert ANSWER.validate({"answers": ["c", 42]}) == []
