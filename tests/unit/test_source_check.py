"""The `source` kind: a kernel result against the lab's source database (the real embedded
InventoryDatabase here; the kernel is the fake of test_live_checks, since only the comparison is
under test). The lesson 06 verify runs it against a real kernel, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from cdc_tutor import strings
from cdc_tutor.course.source_checks import cell_text
from cdc_tutor.source.changes import SqlResult
from cdc_tutor.source.database import InventoryDatabase
from tests.unit.test_live_checks import FakeKernel, FakeTutor, context, judge

QUERY = "SELECT id, status, total FROM inventory.orders WHERE quantity >= 100"
STUDENT_SQL = (
    "INSERT INTO inventory.orders (order_date, purchaser, quantity, product_id, status, total) "
    "VALUES ('2026-12-01', 1004, 100, 109, 'NEW', '7400.00'), ('2026-12-01', 1003, 101, 101, 'NEW', '129.99');"
    "UPDATE inventory.orders SET status = 'PAID', total = '7000.50' WHERE quantity = 100;"
    "DELETE FROM inventory.orders WHERE quantity = 101"
)
SPEC = {"variable": "current", "query": QUERY, "studentSql": STUDENT_SQL}


@pytest.fixture
def database():
    db = InventoryDatabase()
    assert db.execute_script(STUDENT_SQL).ok
    yield db
    db.close()


def kernel_with(rows) -> FakeKernel:
    return FakeKernel({"tutor": FakeTutor, "current": rows})


def test_rows_equal_to_the_source_pass_with_numbers_as_values(database):
    (order_id,) = database.query("SELECT id FROM orders WHERE quantity = 100")[0]
    built = [{"id": order_id, "status": "PAID", "total": 7000.5}]  # Spark gives ints and decimals
    verdict = judge("source", SPEC, context(kernel_with(built), source=database.execute_script))
    assert verdict.passed, verdict.reason


def test_a_row_the_source_deleted_is_named_as_extra(database):
    (order_id,) = database.query("SELECT id FROM orders WHERE quantity = 100")[0]
    built = [
        {"id": order_id, "status": "PAID", "total": "7000.50"},
        {"id": order_id + 1, "status": "NEW", "total": "129.99"},  # the MERGE kept a deleted order
    ]
    verdict = judge("source", SPEC, context(kernel_with(built), source=database.execute_script))
    assert not verdict.passed
    assert strings.WINDOW_EXTRA_ROWS.split(":")[0] in verdict.reason
    assert f"id: {order_id + 1}" in verdict.reason


def test_an_update_the_table_missed_fails(database):
    (order_id,) = database.query("SELECT id FROM orders WHERE quantity = 100")[0]
    built = [{"id": order_id, "status": "NEW", "total": "7400.00"}]  # the first event won, not the latest
    verdict = judge("source", SPEC, context(kernel_with(built), source=database.execute_script))
    assert not verdict.passed
    assert "PAID" in verdict.reason and "NEW" in verdict.reason


def test_psql_text_cells_compare_with_kernel_values():
    """psql prints every cell as text and NULL as an empty field."""

    def psql(_query):
        return SqlResult(True, None, ["id", "status", "total"], [("10005", "PAID", "7000.50"), ("10006", "", "1")], 2)

    built = [{"id": 10005, "status": "PAID", "total": 7000.5}, {"id": 10006, "status": None, "total": 1.0}]
    assert judge("source", SPEC, context(kernel_with(built), source=psql)).passed


def test_no_source_a_failed_query_and_a_capped_result_are_reasons_not_errors(database):
    kernel = kernel_with([])
    assert judge("source", SPEC, context(kernel)).reason == strings.SOURCE_NONE
    broken = dict(SPEC, query="SELECT nothing FROM inventory.orders")
    verdict = judge("source", broken, context(kernel, source=database.execute_script))
    assert verdict.reason.startswith(strings.SOURCE_QUERY_FAILED.split("{")[0])

    def capped(_query):
        return SqlResult(True, None, ["id"], [(1,)], total_rows=500)

    assert judge("source", SPEC, context(kernel, source=capped)).reason == strings.SOURCE_TOO_MANY.format(rows=500)
    assert judge("source", SPEC, None).reason == strings.CHECK_NEEDS_KERNEL
    untouched = InventoryDatabase()  # no student changes yet: nothing to compare is not a pass
    assert judge("source", SPEC, context(kernel, source=untouched.execute_script)).reason == strings.SOURCE_EMPTY
    untouched.close()


def test_cell_text_agrees_on_numbers_and_keeps_text():
    assert cell_text(7400.0) == cell_text("7400.00") == cell_text(7400) == "7400"
    assert cell_text("0.50") == cell_text(0.5) == "0.5"
    assert cell_text(0) == cell_text("0.00") == "0"
    assert cell_text("") is None and cell_text(None) is None
    assert cell_text("PAID") == "PAID" and cell_text("NaN") == "NaN"
    assert cell_text(True) == "true"


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"variable": "current", "query": "DELETE FROM orders"}, "query"),
        ({"variable": "current", "query": "SELECT 1; DELETE FROM orders"}, "query"),
        ({"variable": "current(", "query": QUERY}, "variable"),
        ({"variable": "current", "query": QUERY, "studentSql": " "}, "studentSql"),
    ],
)
def test_bad_specs_are_lint_problems(spec, field):
    from cdc_tutor.course.checkpoints import KINDS

    problems = KINDS["source"].validate(spec)
    assert [name for name, _ in problems] == [field]
