"""Value objects of the embedded source: a captured Change, a Snapshot, and a SqlResult."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Change:
    """One committed row change, as PostgreSQL's logical decoding would report it."""

    seq: int
    """Position in the change log (1, 2, ...); commit order."""
    txid: int
    lsn: int
    """WAL position of this change (synthesized, monotonic)."""
    table: str
    op: str
    """"c", "u" or "d"."""
    before: dict[str, Any] | None
    """Full old row (REPLICA IDENTITY FULL) for u and d; values as stored (NUMERIC/DATE/TIMESTAMP as text)."""
    after: dict[str, Any] | None
    ts_us: int
    """Commit time, µs since the epoch."""
    last_commit_lsn: int | None = None
    """LSN of the previous transaction's commit: the first element of source.sequence."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The initial snapshot: every row, read in one transaction, and where streaming resumes."""

    rows: list[tuple[str, dict[str, Any]]]
    txid: int
    lsn: int
    ts_us: int
    last_seq: int
    """Changes up to this seq are contained in `rows`; stream from the next one."""

    def __iter__(self):
        return iter(self.rows)


@dataclass(frozen=True)
class SqlResult:
    """What a student's script did. `rows` holds at most the first rows of the last result set."""

    ok: bool
    error: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    total_rows: int = 0
    """Rows in the last result set, including those not kept in `rows`."""
    rowcount: int = 0
    """Rows changed by the script's INSERT/UPDATE/DELETE statements."""
    statements: int = 0
    """Statements executed."""
    changes: int = 0
    """Change events the script produced (0 when it failed or rolled back)."""
    notice: str | None = None

    @property
    def truncated(self) -> bool:
        return self.total_rows > len(self.rows)
