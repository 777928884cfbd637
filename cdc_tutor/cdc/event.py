"""ChangeEvent: one decoded Kafka message of a Debezium topic, with typed column values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Debezium op codes; TOMBSTONE is ours: the null-value record that follows a delete.
OPS = ("c", "u", "d", "r", "t", "m")
TOMBSTONE = "tombstone"


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """A change as a consumer should see it; values are typed (Decimal, date, datetime...)."""

    op: str
    """One of OPS, or TOMBSTONE for a delete's null-value follower."""
    table: str | None
    """Table name from `source.table`, or from the topic for tombstones; None when unknown."""
    schema: str | None = None
    """Database schema (`source.schema`), e.g. "inventory"."""
    topic: str | None = None
    key: dict[str, Any] | None = None
    """Key columns (unwrapped from the JsonConverter envelope); None for truncate and keyless tables."""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    source: dict[str, Any] = field(default_factory=dict)
    """The `source` block as delivered (snapshot stays a string, sequence a JSON string)."""
    ts_ms: int | None = None
    """Connector processing time (envelope `ts_ms`); `source["ts_ms"]` is the commit time."""
    ts_us: int | None = None
    ts_ns: int | None = None
    transaction: dict[str, Any] | None = None
    message: dict[str, Any] | None = None
    """Logical decoding message (`op == "m"`): {"prefix": str, "content": bytes}."""

    @property
    def is_tombstone(self) -> bool:
        return self.op == TOMBSTONE

    @property
    def snapshot(self) -> str | None:
        """`source.snapshot` as the string Debezium sends ("true", "first", "last", "false"...)."""
        value = self.source.get("snapshot")
        return None if value is None else str(value)

    @property
    def source_ts_ms(self) -> int | None:
        return self.source.get("ts_ms")

    def changed_columns(self) -> dict[str, tuple[Any, Any]]:
        """Columns whose value differs between before and after: {column: (old, new)}.

        Empty when either side is missing (inserts, deletes, updates under REPLICA IDENTITY
        DEFAULT, where `before` is null).
        """
        if not self.before or not self.after:
            return {}
        return {
            column: (self.before.get(column), new)
            for column, new in self.after.items()
            if self.before.get(column) != new
        }


TRANSACTION_STATUSES = ("BEGIN", "END")


@dataclass(frozen=True, slots=True)
class TransactionEvent:
    """A transaction metadata event (`provide.transaction.metadata=true`): BEGIN or END of one
    source transaction, on the `<topic.prefix>.transaction` topic."""

    status: str
    """"BEGIN" or "END"."""
    id: str
    """Debezium 2.0+: "<txId>:<LSN>" (the LSN differs between BEGIN, events and END); 1.x: "<txId>"."""
    event_count: int | None = None
    """Data events of the transaction (END only; None on BEGIN)."""
    data_collections: dict[str, int] | None = None
    """Events per table, {"inventory.orders": 2} (END only)."""
    ts_ms: int | None = None
    """Commit time (Debezium 2.0+; absent in 1.x)."""
    topic: str | None = None

    @property
    def tx_id(self) -> str:
        """The transaction's id without the LSN: equal to the data events' `source.txId`; group by
        this, never by the whole `id`."""
        return self.id.partition(":")[0]
