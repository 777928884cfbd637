"""events_to_frame: the same values as pd.json_normalize, typed, fast path and slow path alike."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from cdc_tutor.cdc.decode import DecodeError
from cdc_tutor.cdc.frame import FRAME_COLUMNS, events_to_frame
from cdc_tutor.cdc.values import decimal_from_base64

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "debezium").glob("*.json"))
sys.path.insert(0, str(ROOT / "bench"))
import frame as bench  # noqa: E402  (bench/frame.py: the orders schema and message builder)


def normalized(messages: list[bytes]) -> pd.DataFrame:
    payloads = [json.loads(message) for message in messages]
    return pd.json_normalize([payload.get("payload", payload) for payload in payloads])


def assert_same_as_normalize(frame: pd.DataFrame, anchor: pd.DataFrame, decode=None) -> None:
    """Every before./after./op/ts_ms value of json_normalize, under its frame name."""
    decode = decode or {}
    assert len(frame) == len(anchor)
    for name in anchor.columns:
        if name.startswith(("before.", "after.")) or name in ("op", "ts_ms", "source.ts_ms"):
            ours = frame[name.replace("source.", "source_").replace(".", "_")]
            for mine, theirs in zip(ours, anchor[name]):
                if pd.isna(theirs):
                    assert pd.isna(mine), (name, mine)
                else:
                    convert = decode.get(name.split(".", 1)[-1], lambda value: value)
                    assert mine == convert(theirs), (name, mine, theirs)


def test_fixtures_match_json_normalize() -> None:
    messages = [path.read_bytes() for path in FIXTURES]
    frame = events_to_frame(messages)
    assert list(frame["op"]) == [json.loads(message).get("payload", json.loads(message))["op"] for message in messages]
    assert_same_as_normalize(frame, normalized(messages))
    assert str(frame["op"].dtype) == "str" and str(frame["table"].dtype) == "str"


def test_schemad_orders_match_json_normalize_with_decoded_values() -> None:
    messages = bench.orders_messages(300, seed=3)
    frame = events_to_frame(messages)
    bench.check_same_values(frame, normalized(messages))
    epoch = datetime(1970, 1, 1)
    assert_same_as_normalize(
        frame,
        normalized(messages),
        {
            "total": lambda value: decimal_from_base64(value, 2),
            "order_date": lambda days: pd.Timestamp(epoch) + pd.Timedelta(days=int(days)),
            "updated_at": lambda micros: pd.Timestamp(epoch) + pd.Timedelta(microseconds=int(micros)),
        },
    )
    assert str(frame["after_status"].dtype) == "str"
    assert str(frame["after_id"].dtype) == "Int32"
    assert str(frame["after_order_date"].dtype).startswith("datetime64")
    assert str(frame["after_updated_at"].dtype) == "datetime64[us]"
    assert frame["after_total"].dtype == object


def test_fast_and_slow_paths_agree() -> None:
    messages = bench.orders_messages(200, seed=5)
    fast = events_to_frame(messages)
    # Pretty-printing defeats the fast path: every message is decoded one by one.
    slow = events_to_frame([json.dumps(json.loads(message), indent=1).encode() for message in messages])
    assert list(fast.columns) == list(slow.columns)
    for name in fast.columns:
        assert [None if pd.isna(value) else value for value in fast[name]] == [
            None if pd.isna(value) else value for value in slow[name]
        ], name


def test_decimals_are_exact_decimal_objects() -> None:
    values = [
        Decimal("0.00"),
        Decimal("-0.01"),
        Decimal("1200.00"),
        Decimal("99999999.99"),
        Decimal("-1407374883553.28"),
        Decimal("123456789012345678901234.56"),
    ]
    messages = [_orders_message("c", after={"total": bench.encode_decimal(value, 2)}) for value in values]
    frame = events_to_frame(messages)
    assert list(frame["after_total"]) == values
    assert all(type(value) is Decimal for value in frame["after_total"])
    assert [str(value) for value in frame["after_total"]] == [str(value) for value in values]


def test_deletes_have_before_and_null_after() -> None:
    messages = [message for message in bench.orders_messages(100, seed=11) if b'"op":"d"' in message]
    frame = events_to_frame(messages)
    assert len(frame) == len(messages) > 0
    assert frame["before_id"].notna().all() and frame["after_id"].isna().all()
    assert frame["after_total"].isna().all() and frame["before_total"].notna().all()


def test_tombstones_are_not_rows_but_counted() -> None:
    delete = FIXTURES[1].read_bytes()
    frame = events_to_frame(
        [
            (b'{"id":111}', delete, "fullfillment.inventory.products"),
            (b'{"id":111}', None, "fullfillment.inventory.products"),
            None,
        ]
    )
    assert list(frame["op"]) == ["d"]
    assert frame.attrs["tombstones"] == 2 and frame.attrs["malformed"] == 0
    assert list(frame["key_id"]) == [111]


def test_empty_input_has_the_columns_it_can_know() -> None:
    frame = events_to_frame([])
    assert tuple(frame.columns) == FRAME_COLUMNS and len(frame) == 0
    assert events_to_frame(iter([None])).attrs["tombstones"] == 1


def test_keys_become_key_columns_on_both_paths() -> None:
    messages = bench.orders_messages(20, seed=2)
    keys = [
        json.dumps(
            {"schema": {"type": "struct", "fields": [{"type": "int32", "field": "id"}]}, "payload": {"id": index}}
        ).encode()
        for index in range(20)
    ]
    frame = events_to_frame(zip(keys, messages))
    assert list(frame.columns[:4]) == ["op", "schema", "table", "key_id"]
    assert list(frame["key_id"]) == list(range(20))
    pretty = [json.dumps(json.loads(message), indent=1) for message in messages]
    assert list(events_to_frame(zip(keys, pretty))["key_id"]) == list(range(20))


def test_malformed_messages_raise_or_are_skipped() -> None:
    good = bench.orders_messages(5, seed=1)
    broken = good[2].replace(b'"op":"', b'"op":"x')  # compact, so it is in the fast path's group
    messages = good[:2] + [b"not json", broken] + good[3:]
    with pytest.raises(DecodeError, match="message 2"):
        events_to_frame(messages)
    frame = events_to_frame(messages, errors="skip")
    assert len(frame) == 4 and frame.attrs["malformed"] == 2
    assert list(frame["after_id"].fillna(frame["before_id"])) == [
        json.loads(message)["payload"]["after" if b'"op":"d"' not in message else "before"]["id"]
        for message in good[:2] + good[3:]
    ]
    with pytest.raises(ValueError, match="errors"):
        events_to_frame([], errors="ignore")


def test_mixed_tables_keep_input_order() -> None:
    orders = bench.orders_messages(6, seed=4)
    fixtures = [path.read_bytes() for path in FIXTURES[:3]]
    messages = [orders[0], fixtures[0], orders[1], fixtures[1], orders[2], fixtures[2], orders[3]]
    frame = events_to_frame(messages)
    assert list(frame["table"]) == ["orders", "products"] * 3 + ["orders"]
    assert frame.loc[1, "after_name"] == "jacket" and pd.isna(frame.loc[0, "after_name"])


def test_scales_apply_to_schemaless_decimals() -> None:
    message = json.dumps(
        {
            "op": "c",
            "source": {"schema": "inventory", "table": "orders", "ts_ms": 1},
            "after": {"id": 1, "total": "AdTA"},
        }
    )
    assert list(events_to_frame([message])["after_total"]) == ["AdTA"]
    assert list(events_to_frame([message], scales={"orders.total": 2})["after_total"]) == [Decimal("1200.00")]


def test_time_columns_on_the_fast_path() -> None:
    schema = json.loads(bench.orders_messages(1)[0])["schema"]
    for side in schema["fields"][:2]:
        side["fields"].append({"type": "int64", "optional": True, "name": "io.debezium.time.MicroTime", "field": "at"})
        side["fields"].append({"type": "int32", "optional": True, "name": "io.debezium.time.Time", "field": "at_ms"})
    payload = {
        "op": "c",
        "source": {"ts_ms": 1, "schema": "s", "table": "t"},
        "before": None,
        "after": {"at": 45_296_000_007, "at_ms": 1_000, "order_date": 16816},
    }
    compact = json.dumps({"schema": schema, "payload": payload}, separators=(",", ":"))
    frame = events_to_frame([compact])
    assert frame.loc[0, "after_at"] == time(12, 34, 56, 7) and frame.loc[0, "after_at_ms"] == time(0, 0, 1)
    assert frame.loc[0, "after_order_date"] == pd.Timestamp(date(2016, 1, 16))


def _orders_message(op: str, after: dict) -> bytes:
    document = json.loads(bench.orders_messages(1)[0])
    row = {
        "id": 1,
        "order_date": 0,
        "purchaser": 1,
        "quantity": 1,
        "product_id": 1,
        "status": "PAID",
        "total": "AA==",
        "updated_at": 0,
        **after,
    }
    document["payload"].update(op=op, before=None, after=row)
    return json.dumps(document, separators=(",", ":")).encode()
