"""Decimal scales for schemaless messages, where the scale is not in the message (it is in the DDL).

The `scales` argument of the decoder is one flat mapping from a column reference to its scale:

    {"price": 2,                      # column `price` of every table
     "orders.total": 2,               # column `total` of table `orders` (any schema)
     "inventory.orders.weight": 3}    # column `weight` of `inventory.orders` only

The most specific reference wins. A column listed there whose value is a string is read as
Connect's base64 decimal with that scale. Messages with a schema ignore `scales`: the schema
carries the scale.
"""

from __future__ import annotations

from collections.abc import Mapping

_compiled: dict[tuple, ScaleMap] = {}


class ScaleMap:
    """A validated `scales` mapping that answers, per table, {column: scale}."""

    def __init__(self, scales: Mapping[str, int]) -> None:
        # specificity (0 column, 1 table.column, 2 schema.table.column) -> list of (parts, scale)
        self._rules: list[tuple[int, tuple[str, ...], int]] = []
        for reference, scale in scales.items():
            parts = tuple(reference.split(".")) if isinstance(reference, str) else ()
            if not 1 <= len(parts) <= 3 or not all(parts):
                raise ValueError(f"scale reference {reference!r}: use COLUMN, TABLE.COLUMN or SCHEMA.TABLE.COLUMN")
            if type(scale) is not int or not -1000 <= scale <= 1000:
                raise ValueError(f"scale for {reference!r} must be an integer in -1000..1000, got {scale!r}")
            self._rules.append((len(parts) - 1, parts, scale))
        self._rules.sort(key=lambda rule: rule[0])  # less specific first, so later ones override
        self._by_table: dict[tuple[str | None, str | None], dict[str, int]] = {}

    def __bool__(self) -> bool:
        return bool(self._rules)

    def for_table(self, schema: str | None, table: str | None) -> dict[str, int]:
        """{column: scale} that applies to rows of `schema.table`."""
        found = self._by_table.get((schema, table))
        if found is None:
            found = {}
            for specificity, parts, scale in self._rules:
                if specificity == 0 or (parts[-2] == table and (specificity == 1 or parts[0] == schema)):
                    found[parts[-1]] = scale
            self._by_table[(schema, table)] = found
        return found


def scale_map(scales: Mapping[str, int] | ScaleMap | None) -> ScaleMap | None:
    """Compile `scales` once per distinct content (callers may pass the same dict per message)."""
    if scales is None or isinstance(scales, ScaleMap):
        return scales or None
    try:
        cache_key = tuple(scales.items())
        compiled = _compiled.get(cache_key)
    except TypeError:  # an unhashable scale; ScaleMap says what is wrong with it
        return ScaleMap(scales) or None
    if compiled is None:
        if len(_compiled) > 64:
            _compiled.clear()
        compiled = _compiled[cache_key] = ScaleMap(scales)
    return compiled or None
