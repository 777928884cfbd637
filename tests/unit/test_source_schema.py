"""The inventory description: tutorial data, PostgreSQL DDL, Connect schemas, NUMERIC rounding."""

from __future__ import annotations

import re
import sqlite3

import pytest

from cdc_tutor.source.connect import envelope_schema, key_schema, version_tuple
from cdc_tutor.source.schema import CREATION_ORDER, TABLE_BY_NAME, TABLES, numeric_text, postgres_ddl, sqlite_ddl


def test_tutorial_tables_and_rows():
    assert [t.name for t in TABLES] == ["customers", "orders", "products", "products_on_hand"]
    customers = TABLE_BY_NAME["customers"].seed
    assert [(c[1], c[2]) for c in customers] == [
        ("Sally", "Thomas"),
        ("George", "Bailey"),
        ("Edward", "Walker"),
        ("Anne", "Kretchmar"),
    ]
    assert [p[0] for p in TABLE_BY_NAME["products"].seed] == list(range(101, 110))
    assert [o[0] for o in TABLE_BY_NAME["orders"].seed] == [10001, 10002, 10003, 10004]
    prices = {p[0]: p[4] for p in TABLE_BY_NAME["products"].seed}
    for order in TABLE_BY_NAME["orders"].seed:  # totals are price x quantity
        assert numeric_text(float(prices[order[4]]) * order[3], 10, 2) == order[6]


def test_postgres_ddl_matches_the_description():
    ddl = postgres_ddl()
    for table in CREATION_ORDER:
        assert f"ALTER TABLE inventory.{table.name} REPLICA IDENTITY FULL;" in ddl
        assert f"CREATE TABLE inventory.{table.name} (" in ddl
        inserted = re.search(rf"INSERT INTO inventory\.{table.name} \(.*?\) VALUES\n(.*?);\n", ddl, re.S)
        assert inserted.group(1).count("\n") + 1 == len(table.seed)
    assert "price NUMERIC(10,2) NOT NULL" in ddl and "weight FLOAT," in ddl
    assert "status VARCHAR(16) NOT NULL DEFAULT 'NEW'" in ddl and "updated_at TIMESTAMP\n" in ddl
    assert "id SERIAL NOT NULL PRIMARY KEY" in ddl and "'12oz carpenter''s hammer'" in ddl
    assert ddl.index("inventory.products (") < ddl.index("inventory.orders (")  # foreign keys
    assert "setval(pg_get_serial_sequence('inventory.orders', 'id')" in ddl


def test_sqlite_ddl_creates_the_tables():
    connection = sqlite3.connect(":memory:")
    connection.create_function("_pg_numeric_ok", 3, lambda *a: True)
    connection.create_function("_pg_date_ok", 1, lambda *a: True)
    connection.create_function("_pg_timestamp_ok", 1, lambda *a: True)
    for statement in sqlite_ddl():
        connection.execute(statement)
    columns = [row[1] for row in connection.execute("PRAGMA table_info(orders)")]
    assert columns == list(TABLE_BY_NAME["orders"].column_names)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("12.5", "12.50"),
        (12.345, "12.35"),
        ("-0.005", "-0.01"),
        ("99999999.99", "99999999.99"),
        ("100000000", None),
        ("abc", None),
        ("NaN", None),
        (7, "7.00"),
    ],
)
def test_numeric_text_rounds_like_postgres(value, expected):
    assert numeric_text(value, 10, 2) == expected


def test_connect_schemas_per_column_type():
    orders = envelope_schema(TABLE_BY_NAME["orders"], "dbserver1", "precise", "3.7.1.Final")
    assert orders["name"] == "dbserver1.inventory.orders.Envelope" and orders["version"] == 2
    fields = {f["field"]: f for f in orders["fields"][1]["fields"]}
    assert fields["id"] == {"type": "int32", "optional": False, "default": 0, "field": "id"}
    assert fields["status"]["default"] == "NEW"
    assert fields["total"]["type"] == "bytes" and fields["total"]["version"] == 1
    assert fields["updated_at"]["optional"] is True
    key = key_schema(TABLE_BY_NAME["products_on_hand"], "dbserver1")
    assert key == {
        "type": "struct",
        "fields": [{"type": "int32", "optional": False, "field": "product_id"}],
        "optional": False,
        "name": "dbserver1.inventory.products_on_hand.Key",
    }
    double = envelope_schema(TABLE_BY_NAME["products"], "s", "double", "3.7.1.Final")
    assert {f["field"]: f["type"] for f in double["fields"][0]["fields"]}["price"] == "double"


def test_only_3x_layouts():
    assert version_tuple("3.7.1.Final") == (3, 7, 1)
    with pytest.raises(ValueError):
        version_tuple("2.7.1.Final")
