"""Per-user progress in a private SQLite file: passes, failed checks, hints and last answers.

Opening never raises for a bad file or directory: a damaged file is moved aside and a fresh store
begins; an unwritable location falls back to an in-memory store. Either way `store.notices`
carries a message for the student (Russian). Every write is one transaction.

Keys are strings: lesson_id ("module-1/01-slug"), step_id and checkpoint_id as in the lesson file.
"""

from __future__ import annotations

import datetime as _dt
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from cdc_tutor import strings
from cdc_tutor.course.progress_export import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    MAX_ANSWER_CHARS,
    MAX_COUNT,
    ProgressImportError,
    export_document,
    validate_export,
)
from cdc_tutor.course.progress_file import (
    COLUMNS,
    SCHEMA_VERSION,
    Corrupt,
    Newer,
    check_schema,
    describe,
    initialise,
    open_file,
    transaction,
)

__all__ = [
    "ProgressStore",
    "ProgressImportError",
    "validate_export",
    "utc_now",
    "Key",
    "SCHEMA_VERSION",
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "MAX_COUNT",
    "MAX_ANSWER_CHARS",
]

Key = tuple[str, str]  # (step_id, checkpoint_id)
T = TypeVar("T")


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string with second precision, e.g. 2024-05-01T12:00:00Z."""
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ProgressStore:
    """One user's progress. Create with `ProgressStore.open(path)` or `ProgressStore.in_memory()`."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None, notices: list[str] | None = None):
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        """The file backing the store, or None when progress lives only in memory."""
        self.notices: list[str] = list(notices or [])
        """Messages for the student (Russian) about what went wrong with the progress file."""
        self.unreadable: str | None = None
        """Why an existing progress file could not be read at all (None: read, or there was none)."""

    # ----------------------------------------------------------------- opening

    @classmethod
    def in_memory(cls, notices: list[str] | None = None) -> ProgressStore:
        """A store that keeps progress only until it is closed."""
        conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        initialise(conn)
        return cls(conn, None, notices)

    @classmethod
    def open(cls, path: Path) -> ProgressStore:
        """The store at `path`, created if missing (dir 0700, file 0600). Never raises for bad files."""
        path = Path(path)
        opened = open_file(path)
        if opened.conn is not None:
            return cls(opened.conn, path, opened.notices)
        if opened.read_only_copy is not None:  # shown, but marks of this session are not kept
            store = cls(opened.read_only_copy, None, opened.notices)
        else:
            store = cls.in_memory(opened.notices)
        store.unreadable = opened.unreadable
        return store

    @property
    def persistent(self) -> bool:
        """True when progress is being saved to a file."""
        return self.path is not None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------- reads

    def passed(self, lesson_id: str) -> set[Key]:
        """(step_id, checkpoint_id) of every checkpoint of the lesson ever passed."""
        rows = self._read(
            "SELECT step_id, checkpoint_id FROM checkpoint_state WHERE lesson_id = ? AND passed_at IS NOT NULL",
            (lesson_id,),
        )
        return {(step_id, checkpoint_id) for step_id, checkpoint_id in rows}

    def passed_at(self, lesson_id: str, step_id: str, checkpoint_id: str) -> str | None:
        """When the checkpoint was first passed (ISO 8601 UTC), or None."""
        passed_at: str | None = self._column("passed_at", lesson_id, step_id, checkpoint_id, None)
        return passed_at

    def all_passed(self) -> dict[str, set[Key]]:
        """Every lesson with at least one passed checkpoint -> its passed (step_id, checkpoint_id)."""
        result: dict[str, set[Key]] = {}
        for lesson_id, step_id, checkpoint_id in self._read(
            "SELECT lesson_id, step_id, checkpoint_id FROM checkpoint_state WHERE passed_at IS NOT NULL"
        ):
            result.setdefault(lesson_id, set()).add((step_id, checkpoint_id))
        return result

    def failures(self, lesson_id: str, step_id: str) -> int:
        """Failed checks summed over the step's checkpoints."""
        rows = self._read(
            "SELECT COALESCE(SUM(failures), 0) FROM checkpoint_state WHERE lesson_id = ? AND step_id = ?",
            (lesson_id, step_id),
        )
        return int(rows[0][0])

    def checkpoint_failures(self, lesson_id: str, step_id: str, checkpoint_id: str) -> int:
        """Failed checks of one checkpoint."""
        return int(self._column("failures", lesson_id, step_id, checkpoint_id, 0))

    def hint_level(self, lesson_id: str, step_id: str, checkpoint_id: str) -> int:
        """How many hints of the checkpoint have been revealed (0 = none)."""
        return int(self._column("hint_level", lesson_id, step_id, checkpoint_id, 0))

    def last_answer(self, lesson_id: str, step_id: str, checkpoint_id: str) -> str | None:
        """The student's last submitted answer to the checkpoint, or None."""
        answer: str | None = self._column("last_answer", lesson_id, step_id, checkpoint_id, None)
        return answer

    def export(self) -> dict[str, Any]:
        """Every record as a JSON-able document that `import_` accepts."""
        rows = self._read(
            f"SELECT {', '.join(COLUMNS)} FROM checkpoint_state ORDER BY lesson_id, step_id, checkpoint_id"
        )
        return export_document(rows, utc_now())

    # ------------------------------------------------------------------ writes

    def record_pass(self, lesson_id: str, step_id: str, checkpoint_id: str) -> None:
        """Mark the checkpoint passed; the first pass time is kept."""
        _check_keys(lesson_id, step_id, checkpoint_id)
        now = utc_now()

        def write(conn: sqlite3.Connection) -> None:
            _ensure_row(conn, lesson_id, step_id, checkpoint_id)
            conn.execute(
                "UPDATE checkpoint_state SET passed_at = COALESCE(passed_at, ?) "
                "WHERE lesson_id = ? AND step_id = ? AND checkpoint_id = ?",
                (now, lesson_id, step_id, checkpoint_id),
            )

        self._write(write)

    def record_failure(self, lesson_id: str, step_id: str, checkpoint_id: str) -> int:
        """Count one failed check of the checkpoint; returns the checkpoint's new count."""
        _check_keys(lesson_id, step_id, checkpoint_id)

        def write(conn: sqlite3.Connection) -> int:
            _ensure_row(conn, lesson_id, step_id, checkpoint_id)
            conn.execute(
                "UPDATE checkpoint_state SET failures = failures + 1 "
                "WHERE lesson_id = ? AND step_id = ? AND checkpoint_id = ?",
                (lesson_id, step_id, checkpoint_id),
            )
            return int(_select_column(conn, "failures", lesson_id, step_id, checkpoint_id))

        return self._write(write)

    def set_hint_level(self, lesson_id: str, step_id: str, checkpoint_id: str, level: int) -> None:
        """Remember how many hints of the checkpoint have been revealed."""
        _check_keys(lesson_id, step_id, checkpoint_id)
        if isinstance(level, bool) or not isinstance(level, int) or level < 0:
            raise ValueError(f"hint level must be a non-negative integer, got {level!r}")
        self._set_column("hint_level", level, lesson_id, step_id, checkpoint_id)

    def set_last_answer(self, lesson_id: str, step_id: str, checkpoint_id: str, answer: str | None) -> None:
        """Remember the student's last submitted answer (None forgets it)."""
        _check_keys(lesson_id, step_id, checkpoint_id)
        if answer is not None and not isinstance(answer, str):
            raise TypeError(f"answer must be a string or None, got {type(answer).__name__}")
        self._set_column("last_answer", answer, lesson_id, step_id, checkpoint_id)

    def reset_step(self, lesson_id: str, step_id: str) -> None:
        """Forget everything about one step: passes, failures, hints, answers."""
        self._write(
            lambda conn: conn.execute(
                "DELETE FROM checkpoint_state WHERE lesson_id = ? AND step_id = ?", (lesson_id, step_id)
            )
        )

    def reset_lesson(self, lesson_id: str) -> None:
        """Forget everything about one lesson."""
        self._write(lambda conn: conn.execute("DELETE FROM checkpoint_state WHERE lesson_id = ?", (lesson_id,)))

    def import_(self, data: Any, replace: bool = False) -> int:
        """Import a document made by `export`; returns how many records it held.

        Merge (default) keeps the union of passes (earliest time), the max of failure counts and
        hint levels, and the local last answer when there is one. `replace=True` drops all local
        progress first. A bad document raises ProgressImportError and changes nothing.
        """
        records = validate_export(data)

        def write(conn: sqlite3.Connection) -> int:
            if replace:
                conn.execute("DELETE FROM checkpoint_state")
            for record in records:
                conn.execute(
                    f"INSERT INTO checkpoint_state ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (lesson_id, step_id, checkpoint_id) DO UPDATE SET "
                    "passed_at = CASE WHEN passed_at IS NULL THEN excluded.passed_at "
                    "                 WHEN excluded.passed_at IS NULL THEN passed_at "
                    "                 ELSE MIN(passed_at, excluded.passed_at) END, "
                    "failures = MAX(failures, excluded.failures), "
                    "hint_level = MAX(hint_level, excluded.hint_level), "
                    "last_answer = COALESCE(last_answer, excluded.last_answer)",
                    tuple(record[column] for column in COLUMNS),
                )
            return len(records)

        return self._write(write)

    # --------------------------------------------------------------- internals

    def _column(self, column: str, lesson_id: str, step_id: str, checkpoint_id: str, default: Any) -> Any:
        rows = self._read(
            f"SELECT {column} FROM checkpoint_state WHERE lesson_id = ? AND step_id = ? AND checkpoint_id = ?",
            (lesson_id, step_id, checkpoint_id),
        )
        return rows[0][0] if rows and rows[0][0] is not None else default

    def _set_column(self, column: str, value: Any, lesson_id: str, step_id: str, checkpoint_id: str) -> None:
        def write(conn: sqlite3.Connection) -> None:
            _ensure_row(conn, lesson_id, step_id, checkpoint_id)
            conn.execute(
                f"UPDATE checkpoint_state SET {column} = ? WHERE lesson_id = ? AND step_id = ? AND checkpoint_id = ?",
                (value, lesson_id, step_id, checkpoint_id),
            )

        self._write(write)

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return _patiently(lambda: self._conn.execute(sql, params).fetchall())
            except sqlite3.DatabaseError as error:
                if self.path is None:
                    raise
                self._lose_file(error)
                return self._conn.execute(sql, params).fetchall()

    def _write(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:

            def attempt() -> T:
                with transaction(self._conn):
                    return operation(self._conn)

            try:
                return _patiently(attempt)
            except sqlite3.DatabaseError as error:
                if self.path is None or isinstance(error, sqlite3.IntegrityError):
                    raise
                self._lose_file(error)
                with transaction(self._conn):
                    return operation(self._conn)

    def _lose_file(self, error: sqlite3.Error) -> None:
        """The file stopped working mid-session: keep going in memory with what could be read."""
        memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        try:
            self._conn.backup(memory)
            check_schema(memory)
        except (sqlite3.Error, Corrupt, Newer):
            memory.close()
            memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            initialise(memory)
        try:
            self._conn.close()
        except sqlite3.Error:
            pass
        self.notices.append(strings.NOTICE_LOST_DURING_SESSION.format(path=self.path, error=describe(error)))
        self._conn = memory
        self.path = None


BUSY_PATIENCE_SECONDS = 30.0
"""How long a read or write waits for another process's write lock (e.g. a long `progress import`)
before the file is given up for this session. SQLite's own busy timeout waits 5 s per attempt."""


def _patiently(call: Callable[[], T]) -> T:
    """`call()`, tried again with backoff while the database is locked by another connection: a busy
    file is a wait, not a damaged one."""
    deadline = time.monotonic() + BUSY_PATIENCE_SECONDS
    pause = 0.05
    while True:
        try:
            return call()
        except sqlite3.OperationalError as error:
            busy = getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 1.0)


def _ensure_row(conn: sqlite3.Connection, lesson_id: str, step_id: str, checkpoint_id: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO checkpoint_state (lesson_id, step_id, checkpoint_id) VALUES (?, ?, ?)",
        (lesson_id, step_id, checkpoint_id),
    )


def _select_column(conn: sqlite3.Connection, column: str, lesson_id: str, step_id: str, checkpoint_id: str) -> Any:
    row = conn.execute(
        f"SELECT {column} FROM checkpoint_state WHERE lesson_id = ? AND step_id = ? AND checkpoint_id = ?",
        (lesson_id, step_id, checkpoint_id),
    ).fetchone()
    return None if row is None else row[0]


def _check_keys(*keys: str) -> None:
    for key in keys:
        if not isinstance(key, str) or not key:
            raise ValueError(f"progress keys must be non-empty strings, got {key!r}")
