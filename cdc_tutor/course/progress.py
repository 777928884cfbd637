"""Per-user progress in a private SQLite file: passes, failed checks, hints and last answers.

Opening never raises for a bad file or directory: a damaged file is moved aside and a fresh store
begins; an unwritable location falls back to an in-memory store. Either way `store.notices`
carries a message for the student (Russian). Every write is one transaction.

Keys are strings: lesson_id ("module-1/01-slug"), step_id and checkpoint_id as in the lesson file.
"""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
import stat
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from cdc_tutor import strings

SCHEMA_VERSION = 1  # stored in PRAGMA user_version
EXPORT_FORMAT = "cdc-tutor-progress"
EXPORT_VERSION = 1
MAX_COUNT = 1_000_000  # upper bound accepted on import for failures and hint levels
MAX_ANSWER_CHARS = 100_000

_COLUMNS = ("lesson_id", "step_id", "checkpoint_id", "passed_at", "failures", "hint_level", "last_answer")
_SCHEMA = """
CREATE TABLE checkpoint_state (
    lesson_id     TEXT    NOT NULL,
    step_id       TEXT    NOT NULL,
    checkpoint_id TEXT    NOT NULL,
    passed_at     TEXT,
    failures      INTEGER NOT NULL DEFAULT 0,
    hint_level    INTEGER NOT NULL DEFAULT 0,
    last_answer   TEXT,
    PRIMARY KEY (lesson_id, step_id, checkpoint_id)
)
"""

Key = tuple[str, str]  # (step_id, checkpoint_id)
T = TypeVar("T")


class ProgressImportError(ValueError):
    """A progress document that cannot be imported; the message is English, then Russian."""

    def __init__(self, where: str, english: str, russian: str):
        self.where = where
        self.english = english
        self.russian = russian
        location = f"{where}: " if where else ""
        super().__init__(
            f"Invalid progress document: {location}{english}. / "
            f"Некорректный файл прогресса: {location}{russian}."
        )


class _Corrupt(Exception):
    """Internal: the file is not a usable progress database; the message says why (SQLite's words)."""


class _Newer(Exception):
    def __init__(self, found: int):
        super().__init__(found)
        self.found = found


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string with second precision, e.g. 2024-05-01T12:00:00Z."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ProgressStore:
    """One user's progress. Create with `ProgressStore.open(path)` or `ProgressStore.in_memory()`."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None, notices: list[str] | None = None):
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        """The file backing the store, or None when progress lives only in memory."""
        self.notices: list[str] = list(notices or [])
        """Messages for the student (Russian) about what went wrong with the progress file."""

    # ----------------------------------------------------------------- opening

    @classmethod
    def in_memory(cls, notices: list[str] | None = None) -> "ProgressStore":
        """A store that keeps progress only until it is closed."""
        conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        _initialise(conn)
        return cls(conn, None, notices)

    @classmethod
    def open(cls, path: Path) -> "ProgressStore":
        """The store at `path`, created if missing (dir 0700, file 0600). Never raises for bad files."""
        path = Path(path)
        notices: list[str] = []
        try:
            _prepare_file(path)
        except OSError as error:
            notices.append(strings.NOTICE_UNWRITABLE.format(path=path, error=_describe(error)))
            return cls.in_memory(notices)

        try:
            return cls(_connect_checked(path), path, notices)
        except _Newer as newer:
            notices.append(strings.NOTICE_NEWER.format(path=path, found=newer.found, known=SCHEMA_VERSION))
            return cls.in_memory(notices)
        except _Corrupt as corrupt:
            reason = str(corrupt)
        except (sqlite3.Error, OSError) as error:  # cannot open or write: unwritable, not damaged
            notices.append(strings.NOTICE_UNWRITABLE.format(path=path, error=_describe(error)))
            return cls.in_memory(notices)

        try:
            moved = _move_aside(path)
        except OSError as error:
            notices.append(strings.NOTICE_CORRUPT_UNMOVABLE.format(path=path, reason=reason, error=_describe(error)))
            return cls.in_memory(notices)
        notices.append(strings.NOTICE_CORRUPT.format(path=path, reason=reason, moved=moved))
        try:
            _prepare_file(path)
            return cls(_connect_checked(path), path, notices)
        except (OSError, sqlite3.Error, _Corrupt, _Newer) as error:
            notices.append(strings.NOTICE_UNWRITABLE.format(path=path, error=_describe(error)))
            return cls.in_memory(notices)

    @property
    def persistent(self) -> bool:
        """True when progress is being saved to a file."""
        return self.path is not None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "ProgressStore":
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
        return self._column("passed_at", lesson_id, step_id, checkpoint_id, None)

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
        return self._column("last_answer", lesson_id, step_id, checkpoint_id, None)

    def export(self) -> dict[str, Any]:
        """Every record as a JSON-able document that `import_` accepts."""
        rows = self._read(f"SELECT {', '.join(_COLUMNS)} FROM checkpoint_state ORDER BY lesson_id, step_id, checkpoint_id")
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "exported_at": utc_now(),
            "records": [dict(zip(_COLUMNS, row)) for row in rows],
        }

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
        self._write(lambda conn: conn.execute(
            "DELETE FROM checkpoint_state WHERE lesson_id = ? AND step_id = ?", (lesson_id, step_id)
        ))

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
                    f"INSERT INTO checkpoint_state ({', '.join(_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (lesson_id, step_id, checkpoint_id) DO UPDATE SET "
                    "passed_at = CASE WHEN passed_at IS NULL THEN excluded.passed_at "
                    "                 WHEN excluded.passed_at IS NULL THEN passed_at "
                    "                 ELSE MIN(passed_at, excluded.passed_at) END, "
                    "failures = MAX(failures, excluded.failures), "
                    "hint_level = MAX(hint_level, excluded.hint_level), "
                    "last_answer = COALESCE(last_answer, excluded.last_answer)",
                    tuple(record[column] for column in _COLUMNS),
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

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as error:
                if self.path is None:
                    raise
                self._lose_file(error)
                return self._conn.execute(sql, params).fetchall()

    def _write(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            try:
                with _transaction(self._conn):
                    return operation(self._conn)
            except sqlite3.DatabaseError as error:
                if self.path is None or isinstance(error, sqlite3.IntegrityError):
                    raise
                self._lose_file(error)
                with _transaction(self._conn):
                    return operation(self._conn)

    def _lose_file(self, error: sqlite3.Error) -> None:
        """The file stopped working mid-session: keep going in memory with what could be read."""
        memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        try:
            self._conn.backup(memory)
            _check_schema(memory)
        except (sqlite3.Error, _Corrupt, _Newer):
            memory.close()
            memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            _initialise(memory)
        try:
            self._conn.close()
        except sqlite3.Error:
            pass
        self.notices.append(strings.NOTICE_LOST_DURING_SESSION.format(path=self.path, error=_describe(error)))
        self._conn = memory
        self.path = None


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


# ---------------------------------------------------------------------- validation


def validate_export(data: Any) -> list[dict[str, Any]]:
    """The records of a progress document, checked strictly; raises ProgressImportError."""
    if not isinstance(data, dict):
        raise ProgressImportError("", "the document must be a JSON object", "документ должен быть JSON-объектом")
    expected = {"format", "version", "exported_at", "records"}
    _exact_keys(data, expected, "")
    if data["format"] != EXPORT_FORMAT:
        raise ProgressImportError(
            "format", f"must be {EXPORT_FORMAT!r}, got {data['format']!r}",
            f"должно быть {EXPORT_FORMAT!r}, а получено {data['format']!r}",
        )
    if not _is_int(data["version"]) or data["version"] != EXPORT_VERSION:
        raise ProgressImportError(
            "version", f"unsupported version {data['version']!r} (this tutor reads {EXPORT_VERSION})",
            f"неподдерживаемая версия {data['version']!r} (эта версия читает {EXPORT_VERSION})",
        )
    if not _is_timestamp(data["exported_at"]):
        raise ProgressImportError(
            "exported_at", "must be an ISO 8601 timestamp", "должно быть меткой времени ISO 8601"
        )
    records = data["records"]
    if not isinstance(records, list):
        raise ProgressImportError("records", "must be a list", "должно быть списком")
    seen: set[tuple[str, str, str]] = set()
    checked: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        where = f"records[{index}]"
        if not isinstance(record, dict):
            raise ProgressImportError(where, "must be an object", "должно быть объектом")
        _exact_keys(record, set(_COLUMNS), where)
        for column in ("lesson_id", "step_id", "checkpoint_id"):
            value = record[column]
            if not isinstance(value, str) or not value.strip() or len(value) > 500:
                raise ProgressImportError(
                    f"{where}.{column}", "must be a non-empty string", "должно быть непустой строкой"
                )
        if record["passed_at"] is not None and not _is_timestamp(record["passed_at"]):
            raise ProgressImportError(
                f"{where}.passed_at", "must be null or an ISO 8601 timestamp",
                "должно быть null или меткой времени ISO 8601",
            )
        for column in ("failures", "hint_level"):
            value = record[column]
            if not _is_int(value) or not 0 <= value <= MAX_COUNT:
                raise ProgressImportError(
                    f"{where}.{column}", f"must be an integer from 0 to {MAX_COUNT}",
                    f"должно быть целым числом от 0 до {MAX_COUNT}",
                )
        answer = record["last_answer"]
        if answer is not None and (not isinstance(answer, str) or len(answer) > MAX_ANSWER_CHARS):
            raise ProgressImportError(
                f"{where}.last_answer", f"must be null or a string of at most {MAX_ANSWER_CHARS} characters",
                f"должно быть null или строкой не длиннее {MAX_ANSWER_CHARS} символов",
            )
        key = (record["lesson_id"], record["step_id"], record["checkpoint_id"])
        if key in seen:
            raise ProgressImportError(
                where, f"duplicate record for {'/'.join(key)}", f"повторная запись для {'/'.join(key)}"
            )
        seen.add(key)
        checked.append({column: record[column] for column in _COLUMNS})
    return checked


def _exact_keys(obj: dict, expected: set[str], where: str) -> None:
    missing = sorted(expected - obj.keys())
    unknown = sorted(str(key) for key in obj.keys() - expected)
    if missing:
        raise ProgressImportError(
            where, f"missing field(s) {', '.join(missing)}", f"не хватает полей {', '.join(missing)}"
        )
    if unknown:
        raise ProgressImportError(
            where, f"unknown field(s) {', '.join(unknown)}", f"неизвестные поля {', '.join(unknown)}"
        )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_timestamp(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 64:
        return False
    try:
        _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _check_keys(*keys: str) -> None:
    for key in keys:
        if not isinstance(key, str) or not key:
            raise ValueError(f"progress keys must be non-empty strings, got {key!r}")


# ---------------------------------------------------------------------- file handling


def _describe(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        where = f": {error.filename}" if error.filename else ""
        return f"{error.strerror}{where}"
    return str(error) or type(error).__name__


def _prepare_file(path: Path) -> None:
    """Create missing directories (0700) and the file (0600); an existing file open to others -> 0600."""
    missing: list[Path] = []
    parent = path.parent
    while not parent.exists():
        missing.append(parent)
        if parent.parent == parent:
            break
        parent = parent.parent
    for directory in reversed(missing):
        directory.mkdir(mode=0o700)
        os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(21, "not a regular file", str(path)) from None
        if stat.S_IMODE(info.st_mode) & 0o077:  # readable by others: make it private
            os.chmod(path, 0o600)  # (a deliberately read-only 0400 file stays read-only)
    else:
        try:
            os.fchmod(fd, 0o600)
        finally:
            os.close(fd)


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        raise
    conn.execute("COMMIT")


def _connect_checked(path: Path) -> sqlite3.Connection:
    """Connect, verify integrity and schema (initialising an empty file) and prove it is writable."""
    # SQLite gives its -journal file the database file's permissions (0600); a restrictive umask
    # covers any other file it might create while connecting.
    old_umask = os.umask(0o077)
    try:
        conn = sqlite3.connect(str(path), timeout=5.0, check_same_thread=False, isolation_level=None)
    finally:
        os.umask(old_umask)
    try:
        try:
            conn.execute("PRAGMA journal_mode = DELETE").fetchall()
            result = conn.execute("PRAGMA quick_check").fetchall()
        except sqlite3.DatabaseError as error:
            if _is_damage(error):
                raise _Corrupt(str(error)) from None
            raise
        if result != [("ok",)]:
            raise _Corrupt("; ".join(str(row[0]) for row in result[:3]))
        try:
            _initialise(conn)
        except sqlite3.DatabaseError as error:
            if _is_damage(error):
                raise _Corrupt(str(error)) from None
            raise
        # Prove we can write (file, directory for the journal) without changing anything.
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE _write_probe (x)")
        finally:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
    except BaseException:
        conn.close()
        raise
    return conn


def _is_damage(error: sqlite3.DatabaseError) -> bool:
    if isinstance(error, sqlite3.OperationalError):
        return False  # locked, readonly, cannot open: a problem of access, not of the file
    return True


def _initialise(conn: sqlite3.Connection) -> None:
    """Create the schema in an empty database, or check that an existing one is ours."""
    with _transaction(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        if version == 0 and not tables:
            conn.execute(_SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return
    _check_schema(conn)


def _check_schema(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise _Newer(version)
    if version != SCHEMA_VERSION:
        raise _Corrupt(f"unknown schema version {version}")
    columns = tuple(row[1] for row in conn.execute("PRAGMA table_info(checkpoint_state)"))
    if columns != _COLUMNS:
        raise _Corrupt("unexpected tables")


def _move_aside(path: Path) -> Path:
    """Rename a damaged file (and its journal/WAL side files) to <name>.corrupt-<UTC time>."""
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    os.rename(path, target)
    for suffix in ("-journal", "-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            try:
                os.rename(side, target.with_name(target.name + suffix))
            except OSError:
                pass
    return target
