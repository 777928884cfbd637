"""Kafka Connect schemas of Debezium 3.x PostgreSQL events for the inventory tables (JsonConverter form)."""

from __future__ import annotations

import re

from cdc_tutor.source.schema import DATE, FLOAT, INTEGER, NUMERIC, SCHEMA, SERIAL, TIMESTAMP, VARCHAR, Column, Table

DECIMAL_MODES = ("precise", "string", "double")
_ALLOWED_OLD = "true,last,false,incremental"
_ALLOWED_ALL = "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"


def version_tuple(version: str) -> tuple[int, int, int]:
    """ "3.1.3.Final" -> (3, 1, 3); only 3.x layouts are generated."""
    match = re.match(r"(\d+)\.(\d+)\.(\d+)", version)
    if match is None or int(match.group(1)) != 3:
        raise ValueError(f"unsupported Debezium version {version!r}: the embedded source speaks 3.x")
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def source_has_origin(version: str) -> bool:
    """origin/origin_lsn joined the PostgreSQL source block in 3.5.0."""
    return version_tuple(version) >= (3, 5, 0)


def field_schema(column: Column, decimal_mode: str) -> dict:
    """One column's field schema, keys in JsonConverter's order: type, optional, name, version,
    parameters, default, field."""
    node: dict = {}
    if column.kind in (SERIAL, INTEGER):
        node["type"] = "int32"
    elif column.kind == VARCHAR:
        node["type"] = "string"
    elif column.kind == FLOAT:
        node["type"] = "double"
    elif column.kind == NUMERIC:
        node["type"] = {"precise": "bytes", "string": "string", "double": "double"}[decimal_mode]
    elif column.kind == DATE:
        node["type"] = "int32"
    elif column.kind == TIMESTAMP:
        node["type"] = "int64"
    node["optional"] = column.nullable
    if column.kind == NUMERIC and decimal_mode == "precise":
        node["name"] = "org.apache.kafka.connect.data.Decimal"
        node["version"] = 1
        node["parameters"] = {"scale": str(column.scale), "connect.decimal.precision": str(column.precision)}
    elif column.kind == DATE:
        node["name"], node["version"] = "io.debezium.time.Date", 1
    elif column.kind == TIMESTAMP:
        node["name"], node["version"] = "io.debezium.time.MicroTimestamp", 1
    if column.kind == SERIAL:
        node["default"] = 0  # nextval() cannot be evaluated; Debezium shows the type's zero
    elif column.default is not None:
        node["default"] = column.default
    node["field"] = column.name
    return node


def key_schema(table: Table, server: str, decimal_mode: str = "precise") -> dict:
    fields = [field_schema(column, decimal_mode) for column in table.columns if column.name == table.key]
    return {"type": "struct", "fields": fields, "optional": False, "name": f"{server}.{SCHEMA}.{table.name}.Key"}


def row_schema(table: Table, server: str, decimal_mode: str, side: str) -> dict:
    return {
        "type": "struct",
        "fields": [field_schema(column, decimal_mode) for column in table.columns],
        "optional": True,
        "name": f"{server}.{SCHEMA}.{table.name}.Value",
        "field": side,
    }


def _f(kind: str, name: str, optional: bool) -> dict:
    return {"type": kind, "optional": optional, "field": name}


def source_schema(version: str) -> dict:
    numbers = version_tuple(version)
    allowed = _ALLOWED_ALL if numbers >= (3, 0, 5) else _ALLOWED_OLD  # the list was completed in 3.0.5
    fields = [
        _f("string", "version", False),
        _f("string", "connector", False),
        _f("string", "name", False),
        _f("int64", "ts_ms", False),
        {
            "type": "string",
            "optional": True,
            "name": "io.debezium.data.Enum",
            "version": 1,
            "parameters": {"allowed": allowed},
            "default": "false",
            "field": "snapshot",
        },
        _f("string", "db", False),
        _f("string", "sequence", True),
        _f("int64", "ts_us", True),
        _f("int64", "ts_ns", True),
        _f("string", "schema", False),
        _f("string", "table", False),
        _f("int64", "txId", True),
        _f("int64", "lsn", True),
        _f("int64", "xmin", True),
    ]
    if source_has_origin(version):
        fields += [_f("string", "origin", True), _f("int64", "origin_lsn", True)]
    schema = {"type": "struct", "fields": fields, "optional": False, "name": "io.debezium.connector.postgresql.Source"}
    if numbers >= (3, 1, 0):
        schema["version"] = 1  # the Source schema got a version in 3.1.0
    schema["field"] = "source"
    return schema


TRANSACTION_SCHEMA = {
    "type": "struct",
    "fields": [
        _f("string", "id", False),
        _f("int64", "total_order", False),
        _f("int64", "data_collection_order", False),
    ],
    "optional": True,
    "name": "event.block",
    "version": 1,
    "field": "transaction",
}


# The transaction metadata topic's key and value (Debezium's SchemaFactory; `provide.transaction.metadata`).
TRANSACTION_KEY_SCHEMA = {
    "type": "struct",
    "fields": [_f("string", "id", False)],
    "optional": False,
    "name": "io.debezium.connector.common.TransactionMetadataKey",
    "version": 1,
}
TRANSACTION_VALUE_SCHEMA = {
    "type": "struct",
    "fields": [
        _f("string", "status", False),
        _f("string", "id", False),
        _f("int64", "event_count", True),
        {
            "type": "array",
            "items": {
                "type": "struct",
                "fields": [_f("string", "data_collection", False), _f("int64", "event_count", False)],
                "optional": True,
                "name": "event.collection",
                "version": 1,
            },
            "optional": True,
            "field": "data_collections",
        },
        _f("int64", "ts_ms", False),
    ],
    "optional": False,
    "name": "io.debezium.connector.common.TransactionMetadataValue",
    "version": 1,
}


def envelope_schema(table: Table, server: str, decimal_mode: str, version: str) -> dict:
    """The value schema: before, after, source, transaction, op, ts_ms, ts_us, ts_ns (2.7+ order)."""
    return {
        "type": "struct",
        "fields": [
            row_schema(table, server, decimal_mode, "before"),
            row_schema(table, server, decimal_mode, "after"),
            source_schema(version),
            TRANSACTION_SCHEMA,
            _f("string", "op", False),
            _f("int64", "ts_ms", True),
            _f("int64", "ts_us", True),
            _f("int64", "ts_ns", True),
        ],
        "optional": False,
        "name": f"{server}.{SCHEMA}.{table.name}.Envelope",
        "version": 2,
    }
