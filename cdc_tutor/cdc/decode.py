"""decode_message: one Kafka message of a Debezium PostgreSQL topic (1.x-3.x) -> ChangeEvent.

Key and value are each either JsonConverter-wrapped ({"schema": ..., "payload": ...}, exactly
those two keys) or bare. With a schema, column values become Python types (values.py); without
one they stay as delivered, except VariableScaleDecimal structs and the columns named in
`scales` (scales.py). Anything that is not a Debezium change event raises DecodeError; `decode_record` also
reads the BEGIN/END events of the transaction metadata topic (TransactionEvent).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cdc_tutor.cdc.connect_schema import envelope_converters, field_converter
from cdc_tutor.cdc.errors import DecodeError
from cdc_tutor.cdc.event import OPS, TOMBSTONE, TRANSACTION_STATUSES, ChangeEvent, TransactionEvent
from cdc_tutor.cdc.scales import ScaleMap, scale_map
from cdc_tutor.cdc.values import (
    bytes_from_base64,
    decimal_from_base64,
    is_variable_scale_decimal,
    variable_scale_decimal,
)

__all__ = ["DecodeError", "decode_message", "decode_payload", "decode_key", "decode_record", "decode_transaction"]

Raw = bytes | bytearray | memoryview | str

# Schema text -> converters. JsonConverter repeats the whole schema in every message, so the
# text itself is the exact fingerprint: a changed column type or scale is a different entry.
_plans: dict[tuple[Any, str], Any] = {}
_PLAN_LIMIT = 1024
_WRAPPED_HEAD = '{"schema":'
_PAYLOAD_SEPARATOR = ',"payload":'
_ENVELOPE_INTS = ("ts_ms", "ts_us", "ts_ns")


def decode_message(
    key: Raw | None, value: Raw | None, *, topic: str | None = None, scales: Mapping[str, int] | ScaleMap | None = None
) -> ChangeEvent:
    """Decode one Kafka record of a Debezium topic.

    `value` None is the tombstone that follows a delete: op "tombstone", table (and schema)
    from `topic` ("<prefix>.<schema>.<table>") when given. `scales` is described in scales.py.
    Raises DecodeError, and nothing else, for any malformed key or value.
    """
    lookup = scale_map(scales)
    if value is None:
        parts = topic.split(".") if topic else []
        table = parts[-1] if parts else None
        schema = parts[-2] if len(parts) >= 3 else None
        return ChangeEvent(
            op=TOMBSTONE, table=table, schema=schema, topic=topic, key=decode_key(key, lookup, schema, table)
        )
    payload = decode_payload(value, lookup)
    source = payload["source"]
    schema, table = source.get("schema") or None, source.get("table") or None
    return ChangeEvent(
        op=payload["op"],
        table=table,
        schema=schema,
        topic=topic,
        key=decode_key(key, lookup, schema, table),
        before=payload["before"],
        after=payload["after"],
        source=source,
        ts_ms=payload["ts_ms"],
        ts_us=payload["ts_us"],
        ts_ns=payload["ts_ns"],
        transaction=payload["transaction"],
        message=payload["message"],
    )


def decode_payload(value: Raw, lookup: ScaleMap | None = None) -> dict[str, Any]:
    """The envelope as a dict with every field present: op, before, after, source, ts_*, ...

    before/after are typed; missing optional fields are None; `source` is a dict (may be empty).
    """
    payload, converters = _unwrap(value, "value", envelope_converters)
    convert_before, convert_after = converters or (None, None)
    if type(payload) is not dict:
        raise DecodeError(f"value is not a Debezium envelope: a JSON {_json_type(payload)}, not an object")
    op = payload.get("op")
    if op is None:
        if payload.get("status") in TRANSACTION_STATUSES and "id" in payload:
            raise DecodeError(
                f"value is a transaction metadata event ({payload['status']}), not a change event: "
                "decode_record reads both"
            )
        raise DecodeError("value is not a Debezium envelope: no 'op' field")
    if type(op) is not str or op not in OPS:
        raise DecodeError(f"value is not a Debezium envelope: unknown op {op!r:.40}")
    source = payload.get("source")
    if source is None:
        source = {}
    elif type(source) is not dict:
        raise DecodeError(f"'source' is a JSON {_json_type(source)}, not an object")
    for name in ("schema", "table"):  # they name the table (and key the scales lookup)
        if source.get(name) is not None and type(source[name]) is not str:
            raise DecodeError(f"'source.{name}' is a JSON {_json_type(source[name])}, not a string")
    for name in _ENVELOPE_INTS:
        number = payload.get(name)
        if number is not None and type(number) is not int:
            raise DecodeError(f"'{name}' is not an integer: {number!r:.40}")
    transaction = payload.get("transaction")
    if transaction is not None and type(transaction) is not dict:
        raise DecodeError(f"'transaction' is a JSON {_json_type(transaction)}, not an object")
    rows = []
    for side, convert in (("before", convert_before), ("after", convert_after)):
        row = payload.get(side)
        if row is not None:
            if type(row) is not dict:
                raise DecodeError(f"'{side}' is a JSON {_json_type(row)}, not an object")
            try:
                if convert is not None:
                    row = convert(row)
                    if type(row) is not dict:  # the schema said the row is not a struct
                        raise DecodeError(f"is a {type(row).__name__} per its schema, not a row")
                else:
                    _convert_schemaless(row, lookup, source.get("schema"), source.get("table"))
            except DecodeError as error:
                raise DecodeError(f"'{side}' {error}") from None
        rows.append(row)
    return {
        "op": op,
        "before": rows[0],
        "after": rows[1],
        "source": source,
        "ts_ms": payload.get("ts_ms"),
        "ts_us": payload.get("ts_us"),
        "ts_ns": payload.get("ts_ns"),
        "transaction": transaction,
        "message": _message(payload) if op == "m" else None,
    }


def decode_record(
    key: Raw | None, value: Raw | None, *, topic: str | None = None, scales: Mapping[str, int] | ScaleMap | None = None
) -> ChangeEvent | TransactionEvent:
    """Like decode_message, and a transaction metadata value (BEGIN/END) as a TransactionEvent."""
    if value is not None:
        payload, _ = _unwrap(value, "value", _no_converters)
        if type(payload) is dict and "op" not in payload and payload.get("status") in TRANSACTION_STATUSES:
            return decode_transaction(payload, topic)
    return decode_message(key, value, topic=topic, scales=scales)


def decode_transaction(payload: Mapping[str, Any], topic: str | None = None) -> TransactionEvent:
    """One BEGIN/END payload (already unwrapped) as a TransactionEvent; DecodeError when malformed."""
    status, tx = payload.get("status"), payload.get("id")
    if status not in TRANSACTION_STATUSES:
        raise DecodeError(f"transaction event: status {status!r:.40} is neither BEGIN nor END")
    if type(tx) is not str:
        raise DecodeError(f"transaction event: 'id' is a JSON {_json_type(tx)}, not a string")
    for name in ("event_count", "ts_ms"):
        number = payload.get(name)
        if number is not None and type(number) is not int:
            raise DecodeError(f"transaction event: '{name}' is not an integer: {number!r:.40}")
    collections = payload.get("data_collections")
    counts = None
    if collections is not None:
        if type(collections) is not list:
            kind = _json_type(collections)
            raise DecodeError(f"transaction event: 'data_collections' is a JSON {kind}, not an array")
        counts = {}
        for item in collections:
            name = item.get("data_collection") if type(item) is dict else None
            count = item.get("event_count") if type(item) is dict else None
            if type(name) is not str or type(count) is not int:
                raise DecodeError(
                    f"transaction event: a data_collections entry is not {{data_collection, event_count}}: {item!r:.60}"
                )
            counts[name] = count
    return TransactionEvent(
        status=status,
        id=tx,
        event_count=payload.get("event_count"),
        data_collections=counts,
        ts_ms=payload.get("ts_ms"),
        topic=topic,
    )


def _no_converters(_schema: Any) -> None:
    """A transaction event's schema needs no converters: its fields are plain JSON."""
    return None


def decode_key(
    key: Raw | None, lookup: ScaleMap | None = None, schema: str | None = None, table: str | None = None
) -> dict[str, Any] | None:
    """The key columns, typed like row columns; None for a null key (truncate, keyless tables)."""
    if key is None:
        return None
    columns, convert = _unwrap(key, "key", field_converter)
    if columns is None:
        return None
    if type(columns) is not dict:
        raise DecodeError(f"key is a JSON {_json_type(columns)}, not an object of key columns")
    try:
        if convert is not None:
            columns = convert(columns)
            if type(columns) is not dict:  # the key schema is not a struct
                raise DecodeError(f"is a {type(columns).__name__} per its schema, not key columns")
            return columns
        _convert_schemaless(columns, lookup, schema, table)
    except DecodeError as error:
        raise DecodeError(f"key {error}") from None
    return columns


def _unwrap(data: Raw, what: str, build) -> tuple[Any, Any]:
    """(payload, converters built by `build` from its schema, or None) of a key or value."""
    text = _text(data, what)
    # Fast path for compact JsonConverter output: parse only the payload, find the schema's
    # converters by its text. It is exact: a wrong split leaves one half invalid JSON, and
    # then the full parse below decides (and words the error).
    if text.startswith(_WRAPPED_HEAD) and text.endswith("}"):
        cut = text.find(_PAYLOAD_SEPARATOR, len(_WRAPPED_HEAD))
        if cut > 0:
            schema_text = text[len(_WRAPPED_HEAD) : cut]
            plan = _plans.get((build, schema_text))
            try:
                if plan is None:
                    plan = _plan(build, schema_text, json.loads(schema_text))
                return json.loads(text[cut + len(_PAYLOAD_SEPARATOR) : -1]), plan
            except (ValueError, RecursionError):
                pass
    document = _parse(text, what)
    if type(document) is dict and len(document) == 2 and "schema" in document and "payload" in document:
        schema = document["schema"]
        if schema is None:  # seen in RisingWave's test data
            return document["payload"], None
        try:
            fingerprint = json.dumps(schema, separators=(",", ":"))
        except RecursionError:
            raise DecodeError(f"{what} schema is nested too deeply to decode") from None
        plan = _plans.get((build, fingerprint))
        if plan is None:
            plan = _plan(build, fingerprint, schema)
        return document["payload"], plan
    return document, None


def _plan(build, fingerprint: str, schema: Any):
    try:
        plan = build(schema)
    except RecursionError:
        raise DecodeError("schema is nested too deeply to decode") from None
    if len(_plans) >= _PLAN_LIMIT:
        _plans.clear()  # many schemas means churn; rebuilding is cheap next to leaking
    _plans[(build, fingerprint)] = plan
    return plan


def _text(data: Raw, what: str) -> str:
    if type(data) is str:
        return data
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"{what} must be bytes, str or None, not {type(data).__name__}")
    data = bytes(data)
    if data[:1] == b"\x00":
        raise DecodeError(
            f"{what} is binary, not UTF-8 JSON (it starts with byte 0, the Schema "
            "Registry wire format: decode it with a registry-aware deserializer)"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise DecodeError(f"{what} is binary, not UTF-8 JSON") from None


def _parse(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DecodeError(
            f"{what} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except ValueError as error:  # e.g. an integer longer than Python's digit limit
        raise DecodeError(f"{what} is not valid JSON: {error}") from None
    except RecursionError:
        raise DecodeError(f"{what} is nested too deeply to decode") from None


def _convert_schemaless(row: dict, lookup: ScaleMap | None, schema, table) -> None:
    """Without a schema only two things are known to be decimals: {scale, value} structs and
    the columns the caller named in `scales`."""
    for column, value in row.items():
        if type(value) is dict and is_variable_scale_decimal(value):
            try:
                row[column] = variable_scale_decimal(value)
            except DecodeError as error:
                raise DecodeError(f"column {column!r}: {error}") from None
    if lookup is not None:
        for column, scale in lookup.for_table(schema, table).items():
            value = row.get(column)
            if type(value) is str:
                try:
                    row[column] = decimal_from_base64(value, scale)
                except DecodeError as error:
                    raise DecodeError(f"column {column!r} (scale {scale} from scales): {error}") from None


def _message(payload: dict) -> dict[str, Any]:
    message = payload.get("message")
    if type(message) is not dict:
        raise DecodeError("op 'm' without a 'message' object")
    content = message.get("content")
    try:
        content = None if content is None else bytes_from_base64(content)
    except DecodeError as error:
        raise DecodeError(f"'message' content: {error}") from None
    return {"prefix": message.get("prefix"), "content": content}


def _json_type(value: Any) -> str:
    return {
        dict: "object",
        list: "array",
        str: "string",
        bool: "boolean",
        int: "number",
        float: "number",
        type(None): "null",
    }.get(type(value), type(value).__name__)
