"""Typed column values from Debezium's JSON encodings: decimals, dates, times, timestamps, bytes.

Each converter takes the value as JsonConverter delivered it and returns the Python value.
A value of the wrong JSON type (a string where the schema says days) raises DecodeError; a
well-typed value Python cannot represent (PostgreSQL's ±infinity timestamps, TIME '24:00')
is returned as delivered rather than failing the whole message.
"""

from __future__ import annotations

import binascii
from datetime import UTC, date, datetime, time, timedelta
from decimal import MAX_PREC, Context, Decimal

from cdc_tutor.cdc.errors import DecodeError

# scaleb under the default context rounds to 28 digits; NUMERIC has up to 1000.
_EXACT = Context(prec=MAX_PREC)
_EPOCH = datetime(1970, 1, 1)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MICROS_PER_DAY = 86_400_000_000


def _expect(value, kind: type, what: str):
    if type(value) is not kind:
        raise DecodeError(f"{what}: expected a JSON {kind.__name__}, got {type(value).__name__} {value!r:.40}")
    return value


def bytes_from_base64(value) -> bytes:
    """Connect `bytes` (bytea, message content): a base64 string."""
    try:
        return binascii.a2b_base64(_expect(value, str, "bytes"), strict_mode=True)
    except ValueError as error:  # binascii.Error, or a non-ASCII str
        raise DecodeError(f"not valid base64: {value!r:.40} ({error})") from None


def decimal_from_base64(value, scale: int) -> Decimal:
    """org.apache.kafka.connect.data.Decimal: base64 of the big-endian two's-complement unscaled int."""
    try:
        if type(value) is str:
            unscaled = int.from_bytes(bytes_from_base64(value), "big", signed=True)
            return Decimal(unscaled).scaleb(-scale, _EXACT)
        # JsonConverter's decimal.format=NUMERIC writes a JSON number instead.
        if type(value) is int:
            return Decimal(value).quantize(Decimal(1).scaleb(-scale, _EXACT), context=_EXACT)
        if type(value) is float:
            return Decimal(repr(value))
    except ArithmeticError as error:  # an absurd scale from a hand-made schema
        raise DecodeError(f"decimal {value!r:.40} with scale {scale}: {error!r}") from None
    return _expect(value, str, "decimal")


def variable_scale_decimal(value) -> Decimal:
    """io.debezium.data.VariableScaleDecimal: {"scale": int, "value": base64}."""
    if type(value) is not dict:
        _expect(value, dict, "VariableScaleDecimal")
    scale = _expect(value.get("scale"), int, "VariableScaleDecimal scale")
    return decimal_from_base64(value.get("value"), scale)


def is_variable_scale_decimal(value) -> bool:
    """True for a schemaless {"scale", "value"} struct, the only shape VariableScaleDecimal has."""
    return type(value) is dict and len(value) == 2 and "scale" in value and "value" in value


def date_from_days(value):
    """io.debezium.time.Date / connect Date: days since 1970-01-01."""
    days = _expect(value, int, "date (days)")  # outside the try: DecodeError is a ValueError
    try:
        return date.fromordinal(_EPOCH_ORDINAL + days)
    except (ValueError, OverflowError):
        return value


def _time_from_micros(micros: int, value):
    if not 0 <= micros < _MICROS_PER_DAY:
        return value  # PostgreSQL allows '24:00:00'; datetime.time does not
    hours, rest = divmod(micros, 3_600_000_000)
    minutes, rest = divmod(rest, 60_000_000)
    seconds, micro = divmod(rest, 1_000_000)
    return time(hours, minutes, seconds, micro)


def time_from_millis(value):
    """io.debezium.time.Time / connect Time: milliseconds past midnight."""
    return _time_from_micros(_expect(value, int, "time (ms)") * 1000, value)


def time_from_micros(value):
    """io.debezium.time.MicroTime: microseconds past midnight."""
    return _time_from_micros(_expect(value, int, "time (µs)"), value)


def time_from_nanos(value):
    """io.debezium.time.NanoTime: nanoseconds past midnight (truncated to µs)."""
    return _time_from_micros(_expect(value, int, "time (ns)") // 1000, value)


def _timestamp_from_micros(micros: int, value):
    try:
        return _EPOCH + timedelta(microseconds=micros)
    except OverflowError:  # ±infinity sentinels such as 9223372036825200000
        return value


def timestamp_from_millis(value):
    """io.debezium.time.Timestamp / connect Timestamp: ms since epoch, no time zone."""
    return _timestamp_from_micros(_expect(value, int, "timestamp (ms)") * 1000, value)


def timestamp_from_micros(value):
    """io.debezium.time.MicroTimestamp: µs since epoch, no time zone."""
    return _timestamp_from_micros(_expect(value, int, "timestamp (µs)"), value)


def timestamp_from_nanos(value):
    """io.debezium.time.NanoTimestamp: ns since epoch (truncated to µs), no time zone."""
    return _timestamp_from_micros(_expect(value, int, "timestamp (ns)") // 1000, value)


def zoned_timestamp(value):
    """io.debezium.time.ZonedTimestamp: ISO-8601 string in UTC ("...Z") -> aware datetime in UTC."""
    text = _expect(value, str, "ZonedTimestamp")  # outside the try: DecodeError is a ValueError
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:  # e.g. "infinity", or a year Python cannot hold
        return value
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # "0001-01-01T00:00:00+01:00" has no UTC datetime
        return value


# Connect logical type name -> converter, for every named type we turn into a Python value.
# Decimal needs its scale, so the schema module handles it separately.
NAMED_CONVERTERS = {
    "io.debezium.data.VariableScaleDecimal": variable_scale_decimal,
    "io.debezium.time.Date": date_from_days,
    "org.apache.kafka.connect.data.Date": date_from_days,
    "io.debezium.time.Time": time_from_millis,
    "org.apache.kafka.connect.data.Time": time_from_millis,
    "io.debezium.time.MicroTime": time_from_micros,
    "io.debezium.time.NanoTime": time_from_nanos,
    "io.debezium.time.Timestamp": timestamp_from_millis,
    "org.apache.kafka.connect.data.Timestamp": timestamp_from_millis,
    "io.debezium.time.MicroTimestamp": timestamp_from_micros,
    "io.debezium.time.NanoTimestamp": timestamp_from_nanos,
    "io.debezium.time.ZonedTimestamp": zoned_timestamp,
}
DECIMAL = "org.apache.kafka.connect.data.Decimal"
