"""TailBuffer: a bounded, thread-safe ring of raw Kafka messages that a topic pane displays.

The tail thread only appends raw bytes and sniffs the op (cheap); full decoding happens when
an entry is shown, so the tail keeps up with the broker and memory stays bounded whatever the
topic's size.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from cdc_tutor.cdc.event import OPS, TOMBSTONE, ChangeEvent, TransactionEvent

NOT_AN_ENVELOPE = "?"  # sniffed op of a value with no Debezium op field
_COMPACT_OPS = {f':"{op}"'.encode(): op for op in OPS}
_STATUS = re.compile(rb'"status"\s*:\s*"(BEGIN|END)"')


def sniff_op(value: bytes | None) -> str:
    """The envelope's op without parsing the JSON, "BEGIN"/"END" for a transaction metadata event,
    or NOT_AN_ENVELOPE.

    The envelope's `op` is the last `"op"` key in every Debezium version (it follows before,
    after and source), so a column named op cannot shadow it.
    """
    if value is None:
        return TOMBSTONE
    at = value.rfind(b'"op"')
    if at < 0:
        status = _STATUS.search(value)
        return status.group(1).decode() if status else NOT_AN_ENVELOPE
    compact = _COMPACT_OPS.get(value[at + 4 : at + 8])  # JsonConverter's own spelling: "op":"u"
    if compact is not None:
        return compact
    rest = value[at + 4 : at + 12].lstrip()
    if rest[:1] != b":":
        return NOT_AN_ENVELOPE
    rest = rest[1:].lstrip()
    op = rest[1:2].decode("ascii", "replace") if rest[:1] == b'"' and rest[2:3] == b'"' else ""
    return op if op in OPS else NOT_AN_ENVELOPE


@dataclass(slots=True)
class TailEntry:
    """One consumed message; `event` decodes on first use and is then cached."""

    seq: int
    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None
    op: str
    _event: ChangeEvent | TransactionEvent | None = field(default=None, repr=False)
    _error: str | None = field(default=None, repr=False)

    @property
    def table(self) -> str:
        return self.topic.rsplit(".", 1)[-1]

    @property
    def malformed(self) -> bool:
        self.decode()
        return self._error is not None

    @property
    def error(self) -> str | None:
        self.decode()
        return self._error

    def decode(self) -> ChangeEvent | TransactionEvent | None:
        """The decoded event, or None when the message is malformed (see `error`)."""
        if self._event is None and self._error is None:
            from cdc_tutor.cdc.decode import DecodeError, decode_record

            try:
                self._event = decode_record(self.key, self.value, topic=self.topic)
            except DecodeError as problem:
                self._error = str(problem)
        return self._event


@dataclass(frozen=True, slots=True)
class TailView:
    """What a pane shows at one repaint: the newest matching entries and the counters."""

    entries: list[TailEntry]
    received: int
    matching: int
    dropped: int
    malformed: int
    rate: float
    """Messages per second received over the last few seconds."""
    tables: frozenset[str] = frozenset()
    """Every table seen since the start (for filter choices), even if trimmed from the ring."""


class TailBuffer:
    """Keeps the newest `capacity` messages; counts everything ever received."""

    def __init__(self, capacity: int = 5000, *, rate_window: float = 3.0) -> None:
        self.capacity = capacity
        self._ring: deque[TailEntry] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._received = 0
        self._malformed = 0
        self._dropped = 0  # evicted before any view could show them
        self._last_viewed_seq = 0
        self._rate_window = rate_window
        self._arrivals: deque[tuple[float, int]] = deque()  # (monotonic time, count) per batch
        self._topics: set[str] = set()

    def add(
        self, topic: str, partition: int, offset: int, timestamp_ms: int, key: bytes | None, value: bytes | None
    ) -> None:
        self.add_batch([(topic, partition, offset, timestamp_ms, key, value)])

    def add_batch(self, messages: list[tuple[str, int, int, int, bytes | None, bytes | None]]) -> None:
        """Append raw messages (topic, partition, offset, timestamp_ms, key, value)."""
        with self._lock:
            first = self._received + 1
            self._append(
                [
                    TailEntry(seq, topic, partition, offset, timestamp_ms, key, value, sniff_op(value))
                    for seq, (topic, partition, offset, timestamp_ms, key, value) in enumerate(messages, first)
                ]
            )

    def add_messages(self, messages) -> None:
        """Append consumed Kafka messages as they come from a client (objects with topic(),
        partition(), offset(), timestamp(), key(), value()) without an intermediate tuple: the
        tail thread's per-message cost decides how close it gets to raw consume speed."""
        with self._lock:
            seq = self._received
            entries = []
            append = entries.append
            for message in messages:
                seq += 1
                value = message.value()
                append(
                    TailEntry(
                        seq,
                        message.topic(),
                        message.partition(),
                        message.offset(),
                        message.timestamp()[1],
                        message.key(),
                        value,
                        sniff_op(value),
                    )
                )
            self._append(entries)

    def _append(self, entries: list[TailEntry]) -> None:
        """Add entries numbered from received + 1 (the caller holds the lock)."""
        if not entries:
            return
        now = time.monotonic()
        first = entries[0].seq
        self._received += len(entries)
        self._malformed += sum(1 for entry in entries if entry.op == NOT_AN_ENVELOPE)
        self._topics.update({entry.topic for entry in entries})
        # Seqs are contiguous, so what this batch evicts is a range: count the part of it
        # that no view has shown (dropped), without a test per message.
        oldest = self._ring[0].seq if self._ring else first
        evicted_through = self._received - self.capacity
        self._dropped += max(0, evicted_through - max(self._last_viewed_seq, oldest - 1))
        self._ring.extend(entries)
        self._arrivals.append((now, len(entries)))
        self._trim_arrivals(now)

    def view(
        self, *, limit: int = 200, tables: frozenset[str] | None = None, ops: frozenset[str] | None = None
    ) -> TailView:
        """The newest `limit` entries whose table and op pass the filters (None = all)."""
        with self._lock:
            entries = list(self._ring)
            if entries:
                self._last_viewed_seq = entries[-1].seq
            now = time.monotonic()
            self._trim_arrivals(now)
            recent = sum(count for _, count in self._arrivals)
            counters = (self._received, self._dropped, self._malformed)
            seen_tables = frozenset(topic.rsplit(".", 1)[-1] for topic in self._topics)
        matching = [
            entry for entry in entries if (tables is None or entry.table in tables) and (ops is None or entry.op in ops)
        ]
        return TailView(
            entries=matching[-limit:],
            received=counters[0],
            matching=len(matching),
            dropped=counters[1],
            malformed=counters[2],
            rate=recent / self._rate_window,
            tables=seen_tables,
        )

    def clear(self) -> None:
        with self._lock:
            self._ring.clear()

    def _trim_arrivals(self, now: float) -> None:
        while self._arrivals and now - self._arrivals[0][0] > self._rate_window:
            self._arrivals.popleft()
