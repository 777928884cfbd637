"""Column values as Debezium's JsonConverter writes them: JSON text per column kind and decimal mode."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from json.encoder import encode_basestring as json_string  # the C encoder, without ASCII escaping

from cdc_tutor.source.schema import DATE, FLOAT, INTEGER, NUMERIC, SERIAL, TIMESTAMP, VARCHAR, Column

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EPOCH = datetime(1970, 1, 1)


def java_double(value: float) -> str:
    """A double as Jackson prints it (Java's Double.toString): 1.0, 0.875, 1.0E7, 1.0E-4, "NaN"."""
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        # Jackson quotes non-finite numbers by default (QUOTE_NON_NUMERIC_NUMBERS).
        return '"NaN"' if value != value else ('"Infinity"' if value > 0 else '"-Infinity"')
    magnitude = abs(value)
    if magnitude == 0 or 1e-3 <= magnitude < 1e7:
        return repr(value)  # same shortest digits as Java 19+; Python adds ".0" alike
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    mantissa = text[0] + "." + (text[1:] or "0")
    return f"{'-' if sign else ''}{mantissa}E{len(digits) - 1 + exponent}"


@lru_cache(maxsize=4096)  # prices and totals recur across events
def decimal_base64(text: str) -> str:
    """Connect Decimal (precise mode): base64 of the big-endian two's-complement unscaled value,
    in the fewest bytes, as Java's BigInteger.toByteArray() gives them. `text` has exactly the
    column's scale ("12.50" -> 1250 -> "BOI=")."""
    unscaled = int(text.replace(".", ""))
    length = (unscaled if unscaled >= 0 else ~unscaled).bit_length() // 8 + 1
    return base64.b64encode(unscaled.to_bytes(length, "big", signed=True)).decode("ascii")


@lru_cache(maxsize=1024)
def days(text: str) -> int:
    """io.debezium.time.Date: days since 1970-01-01."""
    return date.fromisoformat(text).toordinal() - _EPOCH_ORDINAL


def micros(text: str) -> int:
    """io.debezium.time.MicroTimestamp: µs since the epoch of a wall-clock time read as UTC."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:  # SQLite accepted an offset; PostgreSQL would store it in UTC
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def column_writer(column: Column, decimal_mode: str):
    """stored value -> JSON text of that value, for one column (None is handled by the caller)."""
    kind = column.kind
    if kind in (SERIAL, INTEGER):
        return str
    if kind == VARCHAR:
        return json_string
    if kind == FLOAT:
        return java_double
    if kind == NUMERIC:
        if decimal_mode == "precise":
            return lambda text: '"' + decimal_base64(text) + '"'
        if decimal_mode == "string":
            return json_string  # BigDecimal.toPlainString(): the stored text, "12.50"
        return lambda text: java_double(float(text))
    if kind == DATE:
        return lambda text: str(days(text))
    if kind == TIMESTAMP:
        return lambda text: str(micros(text))
    raise ValueError(f"no JSON writer for column kind {kind!r}")


def row_writer(columns: tuple[Column, ...], decimal_mode: str):
    """row dict -> compact JSON object text with the columns in table order.

    The writer is generated as one expression per table: this runs for every before and after
    of every event, and a loop over the columns costs as much as the conversions themselves.
    """
    namespace = {}
    pieces = []
    for index, column in enumerate(columns):
        writer = column_writer(column, decimal_mode)
        namespace[f"w{index}"] = str if writer is str else writer
        head = ("{" if index == 0 else ",") + json_string(column.name) + ":"
        get = f"row[{column.name!r}]"
        if column.nullable:
            pieces.append(f"{head!r} + ('null' if (v{index} := {get}) is None else w{index}(v{index}))")
        else:
            pieces.append(f"{head!r} + w{index}({get})")
    source = "def write(row):\n    return " + " + ".join(pieces) + " + '}'\n"
    exec(compile(source, "<row_writer>", "exec"), namespace)
    return namespace["write"]
