"""SourceRelay: moves the snapshot, then every committed change, from the database to a sender."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

from cdc_tutor.source.database import InventoryDatabase
from cdc_tutor.source.encoder import DebeziumEncoder

Send = Callable[[str, bytes, "bytes | None"], None]
_BATCH = 5000


class SourceRelay:
    """Like Debezium's streaming task: snapshot first, then changes in commit order, each once.

    `send(topic, key, value)` delivers one record (a Kafka producer's send); `flush()`, when
    given, is called after each pump of run() that sent something. With `prune`, changes already
    sent are dropped from the database's log so a long session does not grow without bound.
    """

    def __init__(
        self,
        db: InventoryDatabase,
        encoder: DebeziumEncoder,
        send: Send,
        flush: Callable[[], object] | None = None,
        poll_interval: float = 0.05,
        prune: bool = True,
    ) -> None:
        self.db, self.encoder, self.send, self.flush = db, encoder, send, flush
        self.poll_interval = poll_interval
        self.prune = prune
        self._position: int | None = None  # last seq sent; None until the snapshot is sent
        self._lock = threading.Lock()  # one pump at a time: position moves only forward
        # source.sequence[0] is the commit LSN of the last transaction the streaming task has
        # processed: real Debezium sends null there for the first transaction after its snapshot
        # (seen against Debezium 3.7 in tests/stack/test_parity.py). Its txid while it lasts:
        self._first_txid: int | None = None
        self._streamed = False
        self._last_of_open: object = None  # the last change sent of the open transaction (metadata)
        self.sent = 0

    @property
    def position(self) -> int | None:
        """The seq of the last change sent, or None before the snapshot."""
        return self._position

    def pump(self) -> int:
        """Send the snapshot (first call only) and every change committed since; returns records sent."""
        with self._lock:
            sent = 0
            if self._position is None:
                snapshot = self.db.snapshot()
                for record in self.encoder.encode_snapshot(snapshot):
                    self.send(*record)
                    sent += 1
                self._position = snapshot.last_seq
            while self.db.last_seq > self._position:
                changes = self.db.changes_since(self._position, _BATCH)
                if not changes:
                    break
                for change in changes:
                    if not self._streamed:
                        if self._first_txid is None:
                            self._first_txid = change.txid
                        if change.txid == self._first_txid:
                            change = replace(change, last_commit_lsn=None)
                        else:
                            self._streamed = True
                    # With transaction metadata: BEGIN/END around each transaction's events.
                    boundary = self._boundary(change) if self.encoder.transaction_metadata else []
                    records = boundary + self.encoder.encode_change(change)
                    self._last_of_open = change
                    for record in records:
                        self.send(*record)
                        sent += 1
                    self._position = change.seq  # after all of its records: resend none, skip none
            if self.encoder.open_txid is not None:  # the log is read to its end: that transaction is whole
                self.send(*self._end())
                sent += 1
            if self.prune and sent:
                self.db.discard_through(self._position)
            self.sent += sent
            return sent

    def _boundary(self, change) -> list:
        """END of the previous transaction and BEGIN of this one, when `change` starts a new one."""
        if self.encoder.open_txid == change.txid:
            return []
        records = [self._end()] if self.encoder.open_txid is not None else []
        return [*records, self.encoder.begin_transaction(change.txid, change.lsn, change.ts_us)]

    def _end(self):
        last = self._last_of_open
        return self.encoder.end_transaction(last.lsn, last.ts_us)  # type: ignore[attr-defined]

    def run(self, stop_event: threading.Event) -> None:
        """Pump every poll_interval until stop_event is set, flushing after each busy pump."""
        while not stop_event.is_set():
            if self.pump() and self.flush is not None:
                self.flush()
            stop_event.wait(self.poll_interval)
        if self.pump() and self.flush is not None:  # what committed before the stop still goes out
            self.flush()
