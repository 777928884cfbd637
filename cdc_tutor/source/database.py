"""InventoryDatabase: the tutorial inventory in SQLite, with trigger-based change capture."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from cdc_tutor.source import sql
from cdc_tutor.source.changes import Change, Snapshot, SqlResult
from cdc_tutor.source.schema import CREATION_ORDER, TABLE_BY_NAME, TABLES, normalize_row, numeric_text, sqlite_ddl
from cdc_tutor.source.values import days, micros

MAX_ROWS = 200
FIRST_TXID = 760  # PostgreSQL-like: a fresh cluster's user transactions start in the 700s
FIRST_LSN = 34_389_280
_COMMIT_TO_CHANGE = 56  # WAL bytes from the previous commit record to the first change
_CHANGE_STEP = 104  # WAL bytes per row change (a typical heap record)
_COMMIT_RECORD = 48


def _json_pairs(table, prefix: str) -> str:
    return "json_object(" + ", ".join(f"'{name}', {prefix}.{name}" for name in table.column_names) + ")"


def _trigger_ddl(table) -> list[str]:
    # One AFTER trigger per table and operation: the change log lives in the same transaction as
    # the row change, so a rollback removes both, and only committed changes are ever relayed.
    insert = f"INSERT INTO _cdc_changes (tbl, op, before, after) VALUES ('{table.name}', "
    old, new = _json_pairs(table, "OLD"), _json_pairs(table, "NEW")
    return [
        f"CREATE TRIGGER _cdc_{table.name}_c AFTER INSERT ON {table.name} BEGIN {insert}'c', NULL, {new}); END",
        f"CREATE TRIGGER _cdc_{table.name}_u AFTER UPDATE ON {table.name} BEGIN {insert}'u', {old}, {new}); END",
        f"CREATE TRIGGER _cdc_{table.name}_d AFTER DELETE ON {table.name} BEGIN {insert}'d', {old}, NULL); END",
    ]


def _decimal_multiply(a, b, scale=2):
    """dec_mul(a, b): exact NUMERIC product rounded like PostgreSQL (half away from zero)."""
    try:
        product = Decimal(str(a)) * Decimal(str(b))
        return format(product.quantize(Decimal(1).scaleb(-int(scale)), rounding=ROUND_HALF_UP), "f")
    except (InvalidOperation, ValueError, TypeError):
        return None


def _parses(parse, value) -> bool:
    try:
        return type(value) is str and parse(value) is not None
    except (ValueError, OverflowError):
        return False


class InventoryDatabase:
    """The inventory database; every method is thread-safe (one lock around one connection)."""

    def __init__(self, path: str = ":memory:") -> None:
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._tx_start_ns: int | None = None
        conn = self._conn
        conn.create_function("_pg_numeric_ok", 3, lambda v, p, s: numeric_text(v, p, s) is not None, deterministic=True)
        conn.create_function("_pg_date_ok", 1, lambda v: _parses(days, v), deterministic=True)
        conn.create_function("_pg_timestamp_ok", 1, lambda v: _parses(micros, v), deterministic=True)
        conn.create_function("dec_mul", 2, _decimal_multiply, deterministic=True)
        conn.create_function("now", 0, self._now)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = OFF")  # a teaching database: speed over durability
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_cdc_changes'").fetchone()
        if not exists:
            self._create()
        self._last_seq = conn.execute("SELECT coalesce(max(seq), 0) FROM _cdc_changes").fetchone()[0]
        lsn, txid = conn.execute("SELECT max(commit_lsn), max(txid) FROM _cdc_tx").fetchone()
        self._lsn = lsn or FIRST_LSN
        self._next_txid = FIRST_TXID if txid is None else txid + 1

    def _create(self) -> None:
        conn = self._conn
        conn.execute("BEGIN")
        for statement in sqlite_ddl():
            conn.execute(statement)
        for table in CREATION_ORDER:
            marks = ", ".join("?" * len(table.columns))
            conn.executemany(f"INSERT INTO {table.name} VALUES ({marks})", table.seed)
        # The log: one row per row change; _cdc_tx maps each committed seq range to its txId,
        # LSNs and commit time, written once per transaction rather than once per row.
        conn.execute(
            "CREATE TABLE _cdc_changes (seq INTEGER PRIMARY KEY, "
            "tbl TEXT NOT NULL, op TEXT NOT NULL, before TEXT, after TEXT)"
        )
        conn.execute(
            "CREATE TABLE _cdc_tx (last_seq INTEGER PRIMARY KEY, txid INTEGER, first_seq INTEGER,"
            " first_lsn INTEGER, commit_lsn INTEGER, prev_commit_lsn INTEGER, ts_us INTEGER)"
        )
        for table in TABLES:  # triggers last: the seed rows are the snapshot, not changes
            for statement in _trigger_ddl(table):
                conn.execute(statement)
        conn.execute("COMMIT")

    def _now(self) -> str:
        # PostgreSQL's now() is the transaction's start time; UTC like the tutorial container.
        nanos = self._tx_start_ns or time.time_ns()
        moment = datetime.fromtimestamp(nanos / 1e9, UTC).replace(tzinfo=None)
        return moment.isoformat(" ", "microseconds")

    @property
    def last_seq(self) -> int:
        return self._last_seq

    def transaction(self) -> _Transaction:
        """One PostgreSQL-like transaction (one txId): `with db.transaction() as conn: ...`.

        Commits on success, rolls back (no changes logged) on any exception."""
        return _Transaction(self)

    def _commit(self) -> int:
        """COMMIT, first recording the transaction's id, LSNs and commit time when it changed rows."""
        conn = self._conn
        last = conn.execute("SELECT max(seq) FROM _cdc_changes").fetchone()[0] or 0
        count = last - self._last_seq
        if count <= 0:  # a read-only transaction takes no txId in PostgreSQL either
            conn.execute("COMMIT")
            return 0
        first_lsn = self._lsn + _COMMIT_TO_CHANGE
        commit_lsn = first_lsn + (count - 1) * _CHANGE_STEP + _COMMIT_RECORD
        conn.execute(
            "INSERT INTO _cdc_tx VALUES (?, ?, ?, ?, ?, ?, ?)",
            (last, self._next_txid, self._last_seq + 1, first_lsn, commit_lsn, self._lsn, time.time_ns() // 1000),
        )
        conn.execute("COMMIT")
        self._last_seq, self._lsn = last, commit_lsn
        self._next_txid += 1
        return count

    def execute_script(self, script: str) -> SqlResult:
        """Run a student's SQL as one transaction; never raises. A failure rolls everything back."""
        statements = sql.split_statements(script)
        guard, state = sql.Guard(), _ScriptState()
        with self._lock:
            conn = self._conn
            start = self._last_seq
            try:
                with self.transaction():
                    conn.set_authorizer(guard)  # only while the student's statements run
                    try:
                        self._run_student(conn, statements, guard, state)
                    finally:
                        conn.set_authorizer(None)
            except _RolledBack:
                return SqlResult(
                    True,
                    None,
                    state.columns,
                    state.rows,
                    state.total,
                    0,
                    state.executed,
                    0,
                    notice="ROLLBACK: the script's changes were discarded; no events",
                )
            except _Refused as refusal:
                return SqlResult(False, f"statement {refusal.number}: {refusal.reason}", statements=state.executed)
            except Exception as error:  # e.g. a constraint checked at COMMIT
                return SqlResult(False, f"{error}. {sql.DIALECT_NOTE}", statements=state.executed)
            return SqlResult(
                True,
                None,
                state.columns,
                state.rows,
                state.total,
                state.rowcount,
                state.executed,
                self._last_seq - start,
            )

    @staticmethod
    def _run_student(conn, statements: list[str], guard: sql.Guard, state: _ScriptState) -> None:
        for number, statement in enumerate(statements, 1):
            control = sql.transaction_control(statement)
            if control == "skip":
                continue
            if control == "rollback":
                raise _RolledBack()
            if sql.is_truncate(statement):
                raise _Refused(number, sql.TRUNCATE_REFUSED)
            guard.reason = None
            try:
                cursor = conn.execute(sql.to_sqlite(statement))
                state.executed += 1
                if cursor.description is not None:
                    state.columns = [d[0] for d in cursor.description]
                    state.rows = cursor.fetchmany(MAX_ROWS)
                    state.total = len(state.rows) + sum(1 for _ in cursor)
            except sqlite3.Error as error:
                raise _Refused(number, guard.reason or f"{error}. {sql.DIALECT_NOTE}") from None
            if cursor.rowcount > 0:
                state.rowcount += cursor.rowcount

    def query(self, statement: str, params=()) -> list[tuple]:
        """Internal read (tests, workload): runs as given, without the student guard."""
        with self._lock:
            return self._conn.execute(statement, params).fetchall()

    def changes_since(self, seq: int, limit: int = 10000) -> list[Change]:
        """Committed changes after `seq`, in commit order."""
        with self._lock:
            found = self._conn.execute(
                "SELECT seq, tbl, op, before, after FROM _cdc_changes WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit)
            ).fetchall()
            if not found:
                return []
            # fetchall under the lock: a cursor stepped outside it would share the connection
            # with a writer's thread (it deadlocked in test_concurrent_writers_lose_nothing).
            transactions = iter(
                self._conn.execute(
                    "SELECT last_seq, txid, first_seq, first_lsn, prev_commit_lsn, ts_us FROM _cdc_tx "
                    "WHERE last_seq >= ? AND first_seq <= ? ORDER BY last_seq",
                    (found[0][0], found[-1][0]),
                ).fetchall()
            )
        changes = []
        loads = json.loads
        last_seq = 0
        for number, name, op, before, after in found:
            if number > last_seq:  # the next transaction's range
                last_seq, txid, first_seq, first_lsn, prev_commit, ts_us = next(transactions)
            table = TABLE_BY_NAME[name]
            changes.append(
                Change(
                    number,
                    txid,
                    first_lsn + (number - first_seq) * _CHANGE_STEP,
                    name,
                    op,
                    None if before is None else normalize_row(table, loads(before)),
                    None if after is None else normalize_row(table, loads(after)),
                    ts_us,
                    prev_commit,
                )
            )
        return changes

    def snapshot(self) -> Snapshot:
        """Every row, table by table, read in one transaction that takes a txId like Debezium's."""
        with self.transaction() as conn:
            rows = []
            for table in TABLES:
                names = table.column_names
                cursor = conn.execute(f"SELECT {', '.join(names)} FROM {table.name} ORDER BY {table.key}")
                rows.extend((table.name, normalize_row(table, dict(zip(names, row)))) for row in cursor)
            txid, self._next_txid = self._next_txid, self._next_txid + 1  # txid_current() takes one
            return Snapshot(rows, txid, self._lsn, time.time_ns() // 1000, self._last_seq)

    def snapshot_rows(self) -> list[tuple[str, dict]]:
        """(table, row) for every row, in snapshot order (tables by name, rows by key)."""
        return self.snapshot().rows

    def discard_through(self, seq: int) -> None:
        """Forget logged changes up to `seq` (already relayed), so a long run stays small."""
        with self._lock:
            self._conn.execute("BEGIN")
            self._conn.execute("DELETE FROM _cdc_changes WHERE seq <= ?", (min(seq, self._last_seq - 1),))
            self._conn.execute("DELETE FROM _cdc_tx WHERE last_seq <= ?", (min(seq, self._last_seq - 1),))
            self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class _Transaction:
    """Context manager of InventoryDatabase.transaction (a class: the workload enters one per step)."""

    __slots__ = ("db",)

    def __init__(self, db: InventoryDatabase) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        db = self.db
        db._lock.acquire()
        try:
            db._conn.execute("BEGIN")
        except BaseException:
            db._lock.release()
            raise
        db._tx_start_ns = time.time_ns()
        return db._conn

    def __exit__(self, kind, error, trace) -> None:
        db = self.db
        try:
            if kind is None:
                db._commit()
        finally:
            try:
                if db._conn.in_transaction:  # an exception, here or in the COMMIT itself
                    db._conn.execute("ROLLBACK")
            finally:
                db._tx_start_ns = None
                db._lock.release()


class _ScriptState:
    """What the statements of one script did so far."""

    def __init__(self) -> None:
        self.columns: list[str] = []
        self.rows: list[tuple] = []
        self.total = self.rowcount = self.executed = 0


class _Refused(Exception):
    def __init__(self, number: int, reason: str) -> None:
        super().__init__(reason)
        self.number, self.reason = number, reason


class _RolledBack(Exception):
    pass
