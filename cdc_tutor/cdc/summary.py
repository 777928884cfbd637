"""One-line summaries and whole-event documents of tailed messages, for the topic pane (pure)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cdc_tutor.cdc.event import TOMBSTONE, TransactionEvent
from cdc_tutor.cdc.tail_buffer import TailEntry

MAX_VALUE_CHARS = 24  # a changed value longer than this is cut with "…" in the one-line view


@dataclass(frozen=True, slots=True)
class EventLine:
    time: str
    table: str
    op: str
    """c/u/d/r/t/m, "tombstone", "BEGIN"/"END" (transaction metadata), or "?" for a malformed message."""
    key: str
    detail: str
    """Changed columns of an update (`col: old → new`), the row of other ops, or the problem."""
    malformed: bool = False


def summarize(entry: TailEntry) -> EventLine:
    """The pane's line for one message; never raises, whatever the bytes."""
    event = entry.decode()
    time = _clock(entry.timestamp_ms)
    if event is None:
        return EventLine(
            time,
            entry.table,
            "?",
            _short(_text(entry.key)),
            f"{entry.error}: {_short(_text(entry.value), 60)}",
            malformed=True,
        )
    if isinstance(event, TransactionEvent):
        return _transaction_line(entry, event)
    source_ms = event.source_ts_ms
    if isinstance(source_ms, int):
        time = _clock(source_ms)
    key = ", ".join(f"{name}={_plain(value)}" for name, value in (event.key or {}).items())
    if event.op == TOMBSTONE:
        detail = "tombstone"
    elif event.op == "u" and event.changed_columns():
        detail = "; ".join(
            f"{column}: {_short(_plain(old))} → {_short(_plain(new))}"
            for column, (old, new) in event.changed_columns().items()
        )
    else:
        row = event.after if event.after is not None else event.before
        detail = ", ".join(f"{name}={_short(_plain(value))}" for name, value in (row or {}).items())
    return EventLine(time, event.table or entry.table, event.op, key, detail)


def _transaction_line(entry: TailEntry, event: TransactionEvent) -> EventLine:
    """BEGIN: the transaction id; END: its event count, per table."""
    time = _clock(event.ts_ms if isinstance(event.ts_ms, int) else entry.timestamp_ms)
    detail = f"txId={event.tx_id}"
    if event.status == "END":
        counts = (event.data_collections or {}).items()
        per_table = ", ".join(f"{name.rsplit('.', 1)[-1]} {count}" for name, count in counts)
        detail += f"; events={event.event_count}" + (f" ({per_table})" if per_table else "")
    return EventLine(time, entry.table, event.status, f"id={event.id}", detail)


def event_document(entry: TailEntry) -> str:
    """The whole decoded event as indented JSON, the schema left out (it is in the raw view)."""
    event = entry.decode()
    if event is None:
        return json.dumps({"error": entry.error, "raw": _text(entry.value)}, ensure_ascii=False, indent=2)
    if isinstance(event, TransactionEvent):
        document: dict[str, Any] = {"topic": entry.topic, "partition": entry.partition, "offset": entry.offset}
        for name in ("status", "id", "tx_id", "event_count", "data_collections", "ts_ms"):
            document[name] = getattr(event, name)
        return json.dumps(document, ensure_ascii=False, indent=2)
    document = {
        "topic": entry.topic,
        "partition": entry.partition,
        "offset": entry.offset,
        "op": event.op,
        "table": event.table,
        "key": event.key,
        "before": event.before,
        "after": event.after,
        "source": event.source,
        "transaction": event.transaction,
        "ts_ms": event.ts_ms,
        "ts_us": event.ts_us,
        "ts_ns": event.ts_ns,
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=json_default)


def raw_document(entry: TailEntry) -> str:
    """Key and value as delivered, pretty-printed when they are JSON."""
    return f"key:\n{_pretty(entry.key)}\n\nvalue:\n{_pretty(entry.value)}"


def json_default(value: Any) -> Any:
    """JSON for decoded values: Decimal as a string (exact), dates ISO, bytes base64."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _pretty(data: bytes | None) -> str:
    if data is None:
        return "null"
    try:
        return json.dumps(json.loads(data), ensure_ascii=False, indent=2)
    except (ValueError, UnicodeDecodeError):
        return _text(data)


_CONTROL = {code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F]}


def _text(data: bytes | None) -> str:
    """Bytes for a terminal line: invalid UTF-8 and control characters shown as \\xNN."""
    if data is None:
        return "null"
    return data.decode("utf-8", "backslashreplace").translate(_CONTROL)


def _plain(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=json_default)
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    return str(value)


def _short(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clock(milliseconds: int) -> str:
    if milliseconds <= 0:
        return "--:--:--.---"
    moment = dt.datetime.fromtimestamp(milliseconds / 1000)  # the student's wall clock
    return moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
