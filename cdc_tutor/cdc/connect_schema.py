"""Converters built once from a Kafka Connect JSON schema, then applied to every message using it.

A converter takes a value as delivered and returns it typed. Structs convert in place (the dict
comes fresh from json.loads) and only the fields whose schema names a logical type are visited,
so a row of plain strings and ints costs one empty loop.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from cdc_tutor.cdc.errors import DecodeError
from cdc_tutor.cdc.values import DECIMAL, NAMED_CONVERTERS, decimal_from_base64

Converter = Callable[[Any], Any]


def field_converter(schema: Any) -> Converter | None:
    """The converter for one schema node, or None when its values stay as delivered."""
    if type(schema) is not dict:
        raise DecodeError(f"schema node is not a JSON object: {schema!r:.60}")
    name = schema.get("name")
    if type(name) is str:
        if name == DECIMAL:
            return partial(decimal_from_base64, scale=_decimal_scale(schema))
        named = NAMED_CONVERTERS.get(name)
        if named is not None:
            return named
    kind = schema.get("type")
    if kind == "struct":
        return struct_converter(schema)
    if kind == "array":
        items = field_converter(schema.get("items"))
        return None if items is None else partial(_convert_array, items)
    return None  # primitives, maps and unknown names stay as delivered


def struct_converter(schema: dict) -> Converter | None:
    """Converter for a struct schema: converts, in place, the fields that need it."""
    fields = schema.get("fields")
    if type(fields) is not list:
        raise DecodeError(f"struct schema {schema.get('name')!r:.60} has no 'fields' list")
    plan = []
    for field in fields:
        converter = field_converter(field)
        name = field.get("field")
        if type(name) is not str:
            raise DecodeError(f"struct schema {schema.get('name')!r:.60} has a field without a name")
        if converter is not None:
            plan.append((name, converter))
    return partial(_convert_struct, tuple(plan)) if plan else None


def envelope_converters(schema: Any) -> tuple[Converter | None, Converter | None]:
    """(before, after) row converters of a Debezium envelope schema; (None, None) if it has none."""
    if type(schema) is not dict or type(schema.get("fields")) is not list:
        return None, None
    rows = {
        field["field"]: field
        for field in schema["fields"]
        if type(field) is dict and field.get("field") in ("before", "after")
    }  # a list name is unhashable
    before, after = rows.get("before"), rows.get("after")
    return (None if before is None else field_converter(before), None if after is None else field_converter(after))


def _decimal_scale(schema: dict) -> int:
    parameters = schema.get("parameters")
    scale = parameters.get("scale") if type(parameters) is dict else None
    try:
        return int(scale)  # Connect writes parameter values as strings: "2"
    except (TypeError, ValueError):
        raise DecodeError(f"Decimal schema has no usable scale parameter: {scale!r:.40}") from None


def _convert_struct(plan: tuple, row: Any) -> Any:
    if type(row) is not dict:
        raise DecodeError(f"expected a JSON object for a struct, got {type(row).__name__}")
    for name, converter in plan:
        value = row.get(name)
        if value is not None:
            try:
                row[name] = converter(value)
            except DecodeError as error:
                raise DecodeError(f"column {name!r}: {error}") from None
    return row


def _convert_array(items: Converter, values: Any) -> Any:
    if type(values) is not list:
        raise DecodeError(f"expected a JSON array, got {type(values).__name__}")
    return [None if value is None else items(value) for value in values]
