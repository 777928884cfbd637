"""ChangelogTable: +I/-U/+U/-D applied by key (or as a multiset), retractions, bad rows, payloads."""

from __future__ import annotations

import pytest

from cdc_tutor.course.changelog import (
    CHANGELOG_MIME,
    Change,
    ChangelogError,
    ChangelogTable,
    normalise_op,
    parse_payload,
    payload_from_bundle,
)


def test_keyed_changelog_upserts_and_retracts():
    table = ChangelogTable(key=("op",))
    table.apply("+I", {"op": "c", "count": 1})
    table.apply("+I", {"op": "u", "count": 1})
    table.apply("-U", {"op": "c", "count": 1})
    table.apply("+U", {"op": "c", "count": 2})
    table.apply("-D", {"op": "u", "count": 1})
    assert table.rows == [{"op": "c", "count": 2}]
    assert [change.op for change in table.changes] == ["+I", "+I", "-U", "+U", "-D"]
    assert table.columns == ["op", "count"]


def test_upsert_without_retraction_replaces_in_place():
    table = ChangelogTable(key=("id",))
    table.apply("+I", {"id": 1, "v": "a"})
    table.apply("+I", {"id": 2, "v": "b"})
    table.apply("+U", {"id": 1, "v": "c"})  # upsert streams send +U alone
    assert table.records(["id", "v"]) == [(1, "c"), (2, "b")]


def test_keyless_changelog_is_a_multiset():
    table = ChangelogTable()
    for _ in range(2):
        table.apply("+I", {"op": "c", "count": 1})
    table.apply("-U", {"count": 1, "op": "c"})  # column order does not matter
    table.apply("+U", {"op": "c", "count": 2})
    assert sorted(table.records(["op", "count"])) == [("c", 1), ("c", 2)]
    assert len(table) == 2


@pytest.mark.parametrize(
    "op, values, message",
    [
        ("+X", {"id": 1}, "unknown op '+X'"),
        ("-D", {"id": 9}, "retracts a row that is not in the table"),
        ("-U", {"id": 9}, "retracts a row that is not in the table"),
        ("+I", {"v": 1}, "has no key column id"),
    ],
)
def test_bad_changes_raise_a_clear_error_and_leave_the_table_alone(op, values, message):
    table = ChangelogTable(key=("id",))
    table.apply("+I", {"id": 1, "v": 1})
    with pytest.raises(ChangelogError, match=message.replace("+", r"\+")):
        table.apply(op, values)
    assert table.rows == [{"id": 1, "v": 1}] and len(table.changes) == 1


def test_apply_all_collects_errors_and_keeps_going():
    table = ChangelogTable(key=("id",))
    errors = table.apply_all(
        [
            {"op": "+I", "values": {"id": 1}},
            {"op": "oops", "values": {"id": 2}},
            "not a row",
            {"op": "-D", "values": {"id": 3}},
            {"op": "+I", "id": 4},
        ]
    )
    assert table.records(["id"]) == [(1,), (4,)]
    assert len(errors) == 3 and errors == table.errors
    assert errors[0].startswith("row 2: unknown op 'oops'") and errors[1].startswith("row 3: a changelog row")


def test_op_spellings_of_flink_are_accepted():
    assert [normalise_op(op) for op in ("+I", "-u", "UPDATE_AFTER", "RowKind.DELETE", "INSERT")] == [
        "+I",
        "-U",
        "+U",
        "-D",
        "+I",
    ]


def test_cdc_op_column_is_kept_apart_from_the_change_kind():
    payload = parse_payload(
        {
            "key": ["op"],
            "columns": ["op", "count"],
            "rows": [
                {"op": "+I", "values": {"op": "c", "count": 1}},
                {"op": "-U", "values": {"op": "c", "count": 1}},
                {"op": "+U", "values": {"op": "c", "count": 5}},
            ],
        }
    )
    table = ChangelogTable.from_payload(payload)
    assert table.rows == [{"op": "c", "count": 5}]
    assert table.changes[-1] == Change("+U", {"op": "c", "count": 5})


def test_payloads_reset_or_continue_a_table():
    first = parse_payload({"rows": [{"op": "+I", "values": {"id": 1}}], "key": ["id"]})
    more = parse_payload({"rows": [{"op": "+I", "values": {"id": 2, "x": 1}}], "key": ["id"], "reset": False})
    table = ChangelogTable.from_payload(first).extend(more)
    assert table.records(["id"]) == [(1,), (2,)] and table.columns == ["id", "x"]
    fresh = table.extend(first)
    assert fresh is not table and fresh.records(["id"]) == [(1,)]


@pytest.mark.parametrize("data", [[], {"rows": "x"}, {"rows": [], "key": "id"}, {"rows": [], "columns": [1]}])
def test_malformed_payloads_are_errors(data):
    with pytest.raises(ChangelogError):
        parse_payload(data)


def test_payload_from_bundle():
    assert payload_from_bundle({"text/plain": "x"}) is None
    assert payload_from_bundle({CHANGELOG_MIME: {"rows": 3}}) is None
    assert payload_from_bundle({CHANGELOG_MIME: {"rows": [], "name": "w"}}).name == "w"


def test_changes_are_capped_and_the_drop_is_counted():
    table = ChangelogTable(max_changes=3)
    for n in range(5):
        table.apply("+I", {"n": n})
    assert [change.values["n"] for change in table.changes] == [2, 3, 4]
    assert table.changes_dropped == 2 and len(table) == 5
