"""decode_message on the real captures and on hand-built schema'd messages that follow the spec."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest

from cdc_tutor.cdc.decode import DecodeError, decode_message

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "debezium"
FIXTURE_FILES = sorted(FIXTURES.glob("*.json"))
PYTHON_TYPES = {
    "int8": int,
    "int16": int,
    "int32": int,
    "int64": int,
    "string": str,
    "boolean": bool,
    "double": float,
    "float": float,
}
DECIMAL = "org.apache.kafka.connect.data.Decimal"


def compact(document) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def b64_decimal(unscaled: int) -> str:
    size = max(1, (unscaled.bit_length() + 8) // 8)
    return base64.b64encode(unscaled.to_bytes(size, "big", signed=True)).decode("ascii")


def column(name: str, kind: str, logical: str | None = None, **parameters) -> dict:
    node = {"type": kind, "optional": True, "field": name}
    if logical:
        node["name"] = logical
    if parameters:
        node["parameters"] = {key: str(value) for key, value in parameters.items()}
    return node


def envelope(columns: list[dict], payload: dict, table: str = "orders") -> bytes:
    """A schemas.enable=true value of `inventory.<table>` with the given row columns (spec §2-3)."""
    row = {"type": "struct", "fields": columns, "optional": True, "name": f"db.inventory.{table}.Value"}
    source = {
        "type": "struct",
        "name": "io.debezium.connector.postgresql.Source",
        "optional": False,
        "fields": [column("ts_ms", "int64"), column("schema", "string"), column("table", "string")],
    }
    schema = {
        "type": "struct",
        "name": f"db.inventory.{table}.Envelope",
        "optional": False,
        "fields": [
            {**row, "field": "before"},
            {**row, "field": "after"},
            {**source, "field": "source"},
            column("op", "string"),
            column("ts_ms", "int64"),
        ],
    }
    body = {
        "before": None,
        "after": None,
        "source": {"ts_ms": 1, "schema": "inventory", "table": table},
        "op": "c",
        "ts_ms": 2,
        **payload,
    }
    return compact({"schema": schema, "payload": body})


def typed_after(columns: list[dict], value) -> object:
    """The decoded value of column `v` in a create whose after row is {"v": value}."""
    return decode_message(None, envelope(columns, {"after": {"v": value}})).after["v"]


# ---- the real captures ---------------------------------------------------------------------------


def fixture_payload(path: Path) -> tuple[dict, dict | None]:
    document = json.loads(path.read_text(encoding="utf-8"))
    if set(document) == {"schema", "payload"}:
        return document["payload"], document["schema"]
    return document, None


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda path: path.name)
@pytest.mark.parametrize("form", ["as-stored", "compact"])
def test_every_fixture_decodes_as_the_file_says(path: Path, form: str) -> None:
    raw = path.read_bytes() if form == "as-stored" else compact(json.loads(path.read_text("utf-8")))
    payload, schema = fixture_payload(path)
    event = decode_message(None, raw)
    assert event.op == payload["op"]
    assert event.table == payload["source"]["table"]
    assert event.schema == payload["source"]["schema"]
    assert event.before == payload["before"]
    assert event.after == payload["after"]
    assert event.source == payload["source"]
    assert event.source_ts_ms == payload["source"]["ts_ms"]
    assert event.snapshot == payload["source"]["snapshot"]
    for name in ("ts_ms", "ts_us", "ts_ns", "transaction"):
        assert getattr(event, name) == payload.get(name)
    if schema is not None:  # typed as the schema says (these captures use ints and strings)
        row_schema = next(field for field in schema["fields"] if field["field"] == "after")
        for field in row_schema["fields"]:
            assert type(event.after[field["field"]]) is PYTHON_TYPES[field["type"]]


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda path: path.name)
def test_fixture_key_from_its_primary_key(path: Path) -> None:
    payload, _ = fixture_payload(path)
    row = payload["after"] or payload["before"]
    key = {
        "schema": {
            "type": "struct",
            "optional": False,
            "name": "k.Key",
            "fields": [{"type": "int32" if type(row["id"]) is int else "string", "optional": False, "field": "id"}],
        },
        "payload": {"id": row["id"]},
    }
    assert decode_message(compact(key), path.read_bytes()).key == {"id": row["id"]}
    assert decode_message(compact({"id": row["id"]}), path.read_bytes()).key == {"id": row["id"]}


# ---- decimals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unscaled", "scale", "expected"),
    [
        (120000, 2, "1200.00"),
        (2550, 2, "25.50"),
        (0, 2, "0.00"),
        (-1, 2, "-0.01"),
        (-123456789, 3, "-123456.789"),
        (42, 0, "42"),
        (-128, 0, "-128"),
        (127, 0, "127"),
        (10**70 + 1, 10, "1" + "0" * 60 + "." + "0" * 9 + "1"),  # NUMERIC(80,10): beyond 28 digits
    ],
)
def test_precise_decimal(unscaled: int, scale: int, expected: str) -> None:
    columns = [column("v", "bytes", DECIMAL, scale=scale, **{"connect.decimal.precision": 80})]
    value = typed_after(columns, b64_decimal(unscaled))
    assert value == Decimal(expected) and str(value) == expected


def test_spec_examples_of_precise_decimals() -> None:
    columns = [column("v", "bytes", DECIMAL, scale=2)]
    assert [typed_after(columns, text) for text in ("AdTA", "CfY=", "AA==")] == [
        Decimal("1200.00"),
        Decimal("25.50"),
        Decimal("0.00"),
    ]


def test_variable_scale_decimal_with_and_without_schema() -> None:
    struct = {
        "type": "struct",
        "name": "io.debezium.data.VariableScaleDecimal",
        "optional": True,
        "field": "v",
        "fields": [column("scale", "int32"), column("value", "bytes")],
    }
    assert typed_after([struct], {"scale": 1, "value": "AVk="}) == Decimal("34.5")
    bare = compact({"op": "c", "source": {"table": "t"}, "after": {"v": {"scale": 3, "value": b64_decimal(-5)}}})
    assert decode_message(None, bare).after["v"] == Decimal("-0.005")


def test_string_and_double_decimal_modes_stay_as_delivered() -> None:
    assert typed_after([column("v", "string")], "50.50") == "50.50"
    assert typed_after([column("v", "string")], "NAN") == "NAN"
    assert typed_after([column("v", "double")], 50.5) == 50.5


def test_schemaless_decimal_needs_scales() -> None:
    raw = compact(
        {"op": "c", "source": {"schema": "inventory", "table": "orders"}, "after": {"total": "AdTA", "note": "AdTA"}}
    )
    assert decode_message(None, raw).after["total"] == "AdTA"
    event = decode_message(None, raw, scales={"orders.total": 2})
    assert event.after == {"total": Decimal("1200.00"), "note": "AdTA"}
    assert decode_message(None, raw, scales={"customers.total": 2}).after["total"] == "AdTA"
    assert decode_message(None, raw, scales={"inventory.orders.total": 1}).after["total"] == Decimal("12000.0")
    # the most specific reference wins
    assert decode_message(None, raw, scales={"total": 0, "orders.total": 2}).after["total"] == Decimal("1200.00")


def test_schema_scale_wins_over_scales() -> None:
    raw = envelope([column("total", "bytes", DECIMAL, scale=2)], {"after": {"total": "AdTA"}})
    assert decode_message(None, raw, scales={"total": 4}).after["total"] == Decimal("1200.00")


# ---- time ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("logical", "kind", "value", "expected"),
    [
        ("io.debezium.time.Date", "int32", 16816, date(2016, 1, 16)),
        ("io.debezium.time.Date", "int32", -1, date(1969, 12, 31)),
        ("io.debezium.time.MicroTimestamp", "int64", 1767610078945635, datetime(2026, 1, 5, 10, 47, 58, 945635)),
        ("io.debezium.time.Timestamp", "int64", 1767610078945, datetime(2026, 1, 5, 10, 47, 58, 945000)),
        ("io.debezium.time.NanoTimestamp", "int64", 1767610078945635999, datetime(2026, 1, 5, 10, 47, 58, 945635)),
        (
            "io.debezium.time.ZonedTimestamp",
            "string",
            "2026-05-24T02:49:32.359424Z",
            datetime(2026, 5, 24, 2, 49, 32, 359424, tzinfo=UTC),
        ),
        (
            "io.debezium.time.ZonedTimestamp",
            "string",
            "2026-05-24T04:49:32+02:00",
            datetime(2026, 5, 24, 2, 49, 32, tzinfo=UTC),
        ),
        ("io.debezium.time.MicroTime", "int64", 45_296_000_007, time(12, 34, 56, 7)),
        ("io.debezium.time.Time", "int32", 45_296_007, time(12, 34, 56, 7000)),
    ],
)
def test_temporal_columns(logical: str, kind: str, value, expected) -> None:
    assert typed_after([column("v", kind, logical)], value) == expected


def test_values_python_cannot_hold_stay_as_delivered() -> None:
    infinity = 9223372036825200000
    assert typed_after([column("v", "int64", "io.debezium.time.MicroTimestamp")], infinity) == infinity
    assert typed_after([column("v", "int64", "io.debezium.time.MicroTime")], 86_400_000_000) == 86_400_000_000
    assert typed_after([column("v", "string", "io.debezium.time.ZonedTimestamp")], "infinity") == "infinity"


def test_wrong_json_type_for_a_logical_type_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="column 'v'"):
        typed_after([column("v", "int32", "io.debezium.time.Date")], "2016-01-16")


# ---- event kinds -------------------------------------------------------------------------------------


def test_tombstone_takes_table_from_topic() -> None:
    event = decode_message(compact({"id": 7}), None, topic="dbserver1.inventory.customers")
    assert (event.op, event.schema, event.table, event.key) == ("tombstone", "inventory", "customers", {"id": 7})
    assert event.is_tombstone and event.after is None and event.before is None
    assert decode_message(None, None).table is None


@pytest.mark.parametrize("with_nulls", [True, False])
def test_truncate(with_nulls: bool) -> None:
    payload = {"source": {"schema": "inventory", "table": "orders", "ts_ms": 5}, "op": "t", "ts_ms": 6}
    if with_nulls:
        payload.update(before=None, after=None, transaction=None)
    event = decode_message(None, compact(payload))
    assert (event.op, event.table, event.before, event.after, event.key) == ("t", "orders", None, None, None)


def test_message_event() -> None:
    payload = {
        "source": {"schema": "", "table": ""},
        "op": "m",
        "ts_ms": 1,
        "message": {"prefix": "audit", "content": base64.b64encode(b"hello \x00").decode()},
    }
    event = decode_message(compact({"prefix": "audit"}), compact(payload))
    assert event.message == {"prefix": "audit", "content": b"hello \x00"}
    assert event.table is None and event.schema is None and event.key == {"prefix": "audit"}
    with pytest.raises(DecodeError, match="message"):
        decode_message(None, compact({**payload, "message": None}))
    with pytest.raises(DecodeError, match="base64"):
        decode_message(None, compact({**payload, "message": {"prefix": "p", "content": "***"}}))


def test_1x_envelope_without_newer_fields() -> None:
    payload = {
        "before": None,
        "after": {"id": 1},
        "source": {"schema": "s", "table": "t", "ts_ms": 3},
        "op": "c",
        "ts_ms": 4,
    }
    event = decode_message(None, compact(payload))
    assert (event.ts_ms, event.ts_us, event.ts_ns, event.transaction) == (4, None, None, None)


def test_key_with_schema_is_typed() -> None:
    key = {
        "schema": {
            "type": "struct",
            "optional": False,
            "name": "k.Key",
            "fields": [
                {"type": "int32", "optional": False, "field": "id"},
                {"type": "int32", "optional": False, "name": "io.debezium.time.Date", "field": "day"},
            ],
        },
        "payload": {"id": 3, "day": 1},
    }
    event = decode_message(compact(key), envelope([column("id", "int32")], {"after": {"id": 3}}))
    assert event.key == {"id": 3, "day": date(1970, 1, 2)}
    assert decode_message(compact({"schema": key["schema"], "payload": None}), envelope([], {})).key is None


def test_changed_columns_of_an_update() -> None:
    payload = {"op": "u", "source": {"table": "t"}, "before": {"id": 1, "s": "a"}, "after": {"id": 1, "s": "b"}}
    assert decode_message(None, compact(payload)).changed_columns() == {"s": ("a", "b")}


# ---- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (b"\x00\x00\x00\x00\x01{}", "Schema Registry"),
        (b"not json", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[1, 2]", "array"),
        (b'"text"', "string"),
        (b'{"before": null, "after": {"id": 1}}', "no 'op'"),
        (b'{"op": "x", "after": {}}', "unknown op 'x'"),
        (b'{"op": 1}', "unknown op 1"),
        (b'{"op": "c", "source": []}', "'source'"),
        (b'{"op": "c", "after": [1]}', "'after'"),
        (b'{"op": "c", "ts_ms": "1"}', "'ts_ms'"),
        (b'{"op": "c", "transaction": 5}', "'transaction'"),
    ],
)
def test_malformed_values_raise_decode_error_with_clear_text(value: bytes, words: str) -> None:
    with pytest.raises(DecodeError, match=words.replace("(", r"\(")):
        decode_message(None, value)


def test_row_schema_without_fields_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="fields"):
        decode_message(
            None,
            compact(
                {
                    "schema": {"type": "struct", "fields": [{"type": "struct", "field": "after"}]},
                    "payload": {"op": "c", "after": {"v": 1}},
                }
            ),
        )


def test_malformed_key_raises_decode_error() -> None:
    with pytest.raises(DecodeError, match="key"):
        decode_message(b"[1]", compact({"op": "c", "source": {}}))
    with pytest.raises(DecodeError, match="Schema Registry"):
        decode_message(b"\x00\x00\x00\x00\x02", None)


def test_non_bytes_argument_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        decode_message(None, 12)  # type: ignore[arg-type]


def test_str_bytearray_and_memoryview_values() -> None:
    raw = compact({"op": "c", "source": {"table": "t"}, "after": {"id": 1}})
    for value in (raw.decode(), bytearray(raw), memoryview(raw)):
        assert decode_message(None, value).after == {"id": 1}


def test_bad_scales_are_rejected() -> None:
    with pytest.raises(ValueError, match="scale"):
        decode_message(None, compact({"op": "c"}), scales={"a.b.c.d": 1})
