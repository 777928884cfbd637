"""DebeziumEncoder: field-by-field against the spec and the real 3.x captures; decodes with our decoder."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from cdc_tutor.cdc.decode import decode_message
from cdc_tutor.source.database import InventoryDatabase
from cdc_tutor.source.encoder import DEBEZIUM_VERSION, DebeziumEncoder
from cdc_tutor.source.schema import TABLE_BY_NAME, typed_row
from cdc_tutor.source.values import decimal_base64, java_double

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "debezium"
ENVELOPE_ORDER = ["before", "after", "source", "transaction", "op", "ts_ms", "ts_us", "ts_ns"]


def _fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def db():
    database = InventoryDatabase()
    yield database
    database.close()


def _changes(db, script: str):
    start = db.last_seq
    result = db.execute_script(script)
    assert result.ok, result.error
    return db.changes_since(start)


def _value(record) -> dict:
    return json.loads(record[2])


def test_insert_event_field_by_field(db):
    [change] = _changes(
        db, "INSERT INTO inventory.customers (first_name, last_name, email) VALUES ('Liam', 'Han', 'liam@example.com')"
    )
    [(topic, key, value)] = DebeziumEncoder().encode_change(change)
    assert topic == "dbserver1.inventory.customers"
    assert json.loads(key)["payload"] == {"id": 1005}
    payload = json.loads(value)["payload"]
    assert list(payload) == ENVELOPE_ORDER
    assert payload["before"] is None and payload["transaction"] is None and payload["op"] == "c"
    assert payload["after"] == {"id": 1005, "first_name": "Liam", "last_name": "Han", "email": "liam@example.com"}
    source = payload["source"]
    assert source["version"] == DEBEZIUM_VERSION and source["connector"] == "postgresql"
    assert (source["name"], source["db"], source["schema"], source["table"]) == (
        "dbserver1",
        "postgres",
        "inventory",
        "customers",
    )
    assert source["snapshot"] == "false" and source["xmin"] is None
    assert source["txId"] == change.txid and source["lsn"] == change.lsn
    assert json.loads(source["sequence"]) == [str(change.last_commit_lsn), str(change.lsn)]
    assert source["ts_us"] == change.ts_us and source["ts_ms"] == change.ts_us // 1000
    assert source["ts_ns"] == change.ts_us * 1000
    assert payload["ts_ms"] == payload["ts_ns"] // 1_000_000 and payload["ts_us"] == payload["ts_ns"] // 1000
    assert payload["ts_ms"] >= source["ts_ms"]


def test_update_carries_full_before_and_after(db):
    [change] = _changes(db, "UPDATE customers SET email = 'anne@example.com' WHERE id = 1004")
    payload = _value(DebeziumEncoder().encode_change(change)[0])["payload"]
    assert payload["op"] == "u"
    assert payload["before"] == {
        "id": 1004,
        "first_name": "Anne",
        "last_name": "Kretchmar",
        "email": "annek@noanswer.org",
    }
    assert payload["after"] == {**payload["before"], "email": "anne@example.com"}


def test_delete_is_followed_by_a_tombstone_with_the_same_key(db):
    [change] = _changes(db, "DELETE FROM orders WHERE id = 10004")
    (topic, key, value), (tomb_topic, tomb_key, tomb_value) = DebeziumEncoder().encode_change(change)
    assert tomb_value is None and tomb_key == key and tomb_topic == topic == "dbserver1.inventory.orders"
    payload = json.loads(value)["payload"]
    assert payload["op"] == "d" and payload["after"] is None
    assert payload["before"]["id"] == 10004 and payload["before"]["status"] == "DELIVERED"
    assert decode_message(tomb_key, None, topic=tomb_topic).key == {"id": 10004}


def test_primary_key_change_is_delete_tombstone_create(db):
    [change] = _changes(db, "UPDATE customers SET id = 2004 WHERE id = 1004")
    records = DebeziumEncoder(schemas_enabled=False).encode_change(change)
    assert [json.loads(key) for _, key, _ in records] == [{"id": 1004}, {"id": 1004}, {"id": 2004}]
    assert [None if value is None else json.loads(value)["op"] for _, _, value in records] == ["d", None, "c"]


def test_snapshot_markers_follow_debezium_precedence(db):
    records = DebeziumEncoder().encode_snapshot(db.snapshot())
    payloads = [_value(record)["payload"] for record in records]
    tables = [p["source"]["table"] for p in payloads]
    assert tables == sorted(tables)  # tables by name, as Debezium orders the captured tables
    markers = [p["source"]["snapshot"] for p in payloads]
    assert markers[0] == "first" and markers[-1] == "last"
    for index in range(1, len(payloads) - 1):
        table = tables[index]
        if tables[index + 1] != table:
            assert markers[index] == "last_in_data_collection"
        elif tables[index - 1] != table:
            assert markers[index] == "first_in_data_collection"
        else:
            assert markers[index] == "true"
    assert markers.count("first_in_data_collection") == 3 and markers.count("last_in_data_collection") == 3
    assert {p["op"] for p in payloads} == {"r"} and all(p["before"] is None for p in payloads)
    assert len({p["source"]["ts_ms"] for p in payloads}) == 1  # the snapshot's read time
    assert len({(p["source"]["txId"], p["source"]["lsn"]) for p in payloads}) == 1
    lsn = payloads[0]["source"]["lsn"]
    assert all(json.loads(p["source"]["sequence"]) == [None, str(lsn)] for p in payloads)


@pytest.mark.parametrize(
    "mode, expected_json, expected_type",
    [("precise", "BOI=", "bytes"), ("string", "12.50", "string"), ("double", 12.5, "double")],
)
def test_decimal_modes(db, mode, expected_json, expected_type):
    snapshot = db.snapshot()
    row = next(row for table, row in snapshot if table == "products" and row["id"] == 103)
    [record] = DebeziumEncoder(decimal_mode=mode).encode_snapshot([("products", row)])
    message = json.loads(record[2])
    assert message["payload"]["after"]["price"] == expected_json
    price_schema = next(f for f in message["schema"]["fields"][1]["fields"] if f["field"] == "price")
    assert price_schema["type"] == expected_type
    decoded = decode_message(record[1], record[2], topic=record[0]).after["price"]
    if mode == "precise":  # the scale travels in the schema: an exact Decimal comes back
        assert decoded == Decimal("12.50") and str(decoded) == "12.50"
    elif mode == "string":  # a string schema: the decoder hands over the exact text
        assert decoded == "12.50"
    if mode == "precise":
        assert price_schema["name"] == "org.apache.kafka.connect.data.Decimal"
        assert price_schema["parameters"] == {"scale": "2", "connect.decimal.precision": "10"}


def test_precise_decimal_bytes_are_minimal_twos_complement():
    assert decimal_base64("12.50") == "BOI=" and decimal_base64("0.00") == "AA=="
    assert decimal_base64("1200.00") == "AdTA" and decimal_base64("25.50") == "CfY="  # spec §8.2
    assert base64.b64decode(decimal_base64("-1.28")) == b"\x80"
    assert base64.b64decode(decimal_base64("1.28")) == b"\x00\x80"


def test_date_is_days_and_timestamp_is_micros(db):
    [change] = _changes(db, "UPDATE orders SET updated_at = '2024-03-05 06:07:08.123456' WHERE id = 10001")
    payload = _value(DebeziumEncoder().encode_change(change)[0])["payload"]
    assert payload["before"]["order_date"] == 16816  # 2016-01-16, the spec's example
    assert payload["after"]["updated_at"] == 1709618828123456
    schema = json.loads(DebeziumEncoder().encode_change(change)[0][2])["schema"]
    fields = {f["field"]: f for f in schema["fields"][0]["fields"]}
    assert fields["order_date"]["name"] == "io.debezium.time.Date" and fields["order_date"]["type"] == "int32"
    assert fields["updated_at"]["name"] == "io.debezium.time.MicroTimestamp"
    assert fields["updated_at"]["type"] == "int64" and fields["updated_at"]["optional"] is True
    event = decode_message(*DebeziumEncoder().encode_change(change)[0][1:])
    assert event.before["order_date"] == date(2016, 1, 16)
    assert event.after["updated_at"] == datetime(2024, 3, 5, 6, 7, 8, 123456)


def test_doubles_print_like_java():
    assert [java_double(x) for x in (1.0, 0.875, 22.2, 3.14, 1e7, 1.5e-4, -2.5e10, 0.0)] == [
        "1.0",
        "0.875",
        "22.2",
        "3.14",
        "1.0E7",
        "1.5E-4",
        "-2.5E10",
        "0.0",
    ]


def test_customers_schema_equals_the_real_3_1_3_capture(db):
    real = _fixture("pg_3.1.3_update_full_schema.json")
    [change] = _changes(db, "UPDATE customers SET email = 'x@example.com' WHERE id = 1001")
    ours = json.loads(DebeziumEncoder(version="3.1.3.Final").encode_change(change)[0][2])
    assert ours["schema"] == real["schema"]
    # Byte order too: the same keys in the same order at every level.
    assert json.dumps(ours["schema"]) == json.dumps(real["schema"])
    assert list(ours["payload"]) == list(real["payload"])
    assert list(ours["payload"]["source"]) == list(real["payload"]["source"])


def test_3_0_0_capture_shares_our_source_and_envelope_layout(db):
    real = _fixture("pg_3.0.0_create_schema.json")
    [change] = _changes(db, "INSERT INTO customers (first_name, last_name, email) VALUES ('a', 'b', 'c')")
    ours = json.loads(DebeziumEncoder(version="3.0.0.Final").encode_change(change)[0][2])
    assert ours["schema"]["fields"][2:] == real["schema"]["fields"][2:]
    assert ours["schema"]["version"] == real["schema"]["version"] == 2
    assert list(ours["payload"]["source"]) == list(real["payload"]["source"])


def test_default_version_adds_the_3_5_origin_fields(db):
    real = _fixture("pg_3.1.3_update_full_schema.json")
    [change] = _changes(db, "UPDATE customers SET email = 'x@example.com' WHERE id = 1001")
    ours = json.loads(DebeziumEncoder().encode_change(change)[0][2])
    source = ours["payload"]["source"]
    assert list(source) == list(real["payload"]["source"]) + ["origin", "origin_lsn"]
    assert source["origin"] is None and source["origin_lsn"] is None
    source_fields = ours["schema"]["fields"][2]["fields"]
    assert source_fields[:-2] == real["schema"]["fields"][2]["fields"]
    assert [f["field"] for f in source_fields[-2:]] == ["origin", "origin_lsn"]


def test_output_is_compact_json(db):
    [change] = _changes(db, "UPDATE products SET weight = 1.5 WHERE id = 101")
    for schemas in (True, False):
        _, key, value = DebeziumEncoder(schemas_enabled=schemas).encode_change(change)[0]
        for data in (key, value):
            assert data == json.dumps(json.loads(data), separators=(",", ":"), ensure_ascii=False).encode()
        assert ("schema" in json.loads(value)) is schemas


@pytest.mark.parametrize("schemas", [True, False])
@pytest.mark.parametrize("mode", ["precise", "string", "double"])
def test_every_record_decodes_to_the_row_written(db, schemas, mode):
    encoder = DebeziumEncoder(schemas_enabled=schemas, decimal_mode=mode)
    snapshot = db.snapshot()
    changes = _changes(
        db,
        "INSERT INTO orders (order_date, purchaser, quantity, product_id, total, updated_at) "
        "VALUES ('2024-02-29', 1001, 3, 103, 37.5, NOW()); "
        "UPDATE products SET price = 0.005, description = 'naïve \"quoted\" ✓' WHERE id = 103; "
        "DELETE FROM orders WHERE id = 10002",
    )
    scales = {"orders.total": 2, "products.price": 2} if mode == "precise" else None
    expected = [(table, None, row) for table, row in snapshot]
    expected += [(c.table, c.before, c.after) for c in changes]
    records = encoder.encode_snapshot(snapshot) + [r for c in changes for r in encoder.encode_change(c)]
    events = [decode_message(key, value, topic=topic, scales=scales) for topic, key, value in records]
    assert [e.op for e in events[len(snapshot.rows) :]] == ["c", "u", "d", "tombstone"]
    events = [e for e in events if not e.is_tombstone]
    assert len(events) == len(expected)
    for event, (table, before, after) in zip(events, expected):
        spec = TABLE_BY_NAME[table]
        for side, row in (("before", before), ("after", after)):
            got = getattr(event, side)
            if row is None:
                assert got is None
                continue
            want = typed_row(spec, row)
            for column in spec.columns:
                value = got[column.name]
                if schemas is False and column.kind in ("date", "timestamp") and value is not None:
                    value = want[column.name] if value == _raw(column, row[column.name]) else value
                if mode == "double" and column.kind == "numeric":
                    assert value == float(want[column.name])
                elif mode == "string" and column.kind == "numeric":
                    assert Decimal(value) == want[column.name]
                else:
                    assert value == want[column.name], (table, column.name)
        assert event.key == {spec.key: (after or before)[spec.key]}
    assert changes[1].after["price"] == "0.01"  # NUMERIC(10,2) rounds half away from zero


def _raw(column, text):
    from cdc_tutor.source.values import days, micros

    return days(text) if column.kind == "date" else micros(text)
