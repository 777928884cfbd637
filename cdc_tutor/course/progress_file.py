"""The private SQLite file behind the progress store: creating, checking, initialising, moving aside."""

from __future__ import annotations

import datetime as _dt
import errno
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cdc_tutor import strings

SCHEMA_VERSION = 1  # stored in PRAGMA user_version

COLUMNS = ("lesson_id", "step_id", "checkpoint_id", "passed_at", "failures", "hint_level", "last_answer")
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


class Corrupt(Exception):
    """The file is not a usable progress database; the message says why (SQLite's words)."""


class Newer(Exception):
    """The file was made by a newer tutor: its schema version `found` is above SCHEMA_VERSION."""

    def __init__(self, found: int):
        super().__init__(found)
        self.found = found


class Opened:
    """What open_file found: a connection to the file (or None: progress in memory), a read-only
    copy of a file that cannot be written, notices for the student, and whether an existing file
    could not be read at all (`cdc-tutor progress export` then fails instead of exporting nothing)."""

    def __init__(self) -> None:
        self.conn: sqlite3.Connection | None = None
        self.read_only_copy: sqlite3.Connection | None = None
        self.notices: list[str] = []
        self.unreadable: str | None = None


def open_file(path: Path) -> Opened:
    """A checked connection to the file at `path`, or what can be had instead, with notices.

    Never raises for a bad file or directory: a damaged file is moved aside and a fresh one begins;
    a file that cannot be written is read into memory, so past progress still shows.
    """
    opened = Opened()
    notices = opened.notices
    try:
        _prepare_file(path)
    except OSError as error:
        return _unwritable(path, error, opened)

    try:
        opened.conn = _connect_checked(path)
        return opened
    except Newer as newer:
        notices.append(strings.NOTICE_NEWER.format(path=path, found=newer.found, known=SCHEMA_VERSION))
        return opened
    except Corrupt as corrupt:
        reason = str(corrupt)
    except (sqlite3.Error, OSError) as error:  # cannot open or write: unwritable, not damaged
        return _unwritable(path, error, opened)

    try:
        moved = _move_aside(path)
    except OSError as error:
        notices.append(strings.NOTICE_CORRUPT_UNMOVABLE.format(path=path, reason=reason, error=describe(error)))
        return opened
    notices.append(strings.NOTICE_CORRUPT.format(path=path, reason=reason, moved=moved))
    try:
        _prepare_file(path)
        opened.conn = _connect_checked(path)
    except (OSError, sqlite3.Error, Corrupt, Newer) as error:
        notices.append(strings.NOTICE_UNWRITABLE.format(path=path, error=describe(error)))
    return opened


def _unwritable(path: Path, error: BaseException, opened: Opened) -> Opened:
    """The file cannot be written: read an existing one into memory (read-only, shown), else note
    that nothing could be read."""
    if not path.exists():
        opened.notices.append(strings.NOTICE_UNWRITABLE.format(path=path, error=describe(error)))
        return opened
    try:
        opened.read_only_copy = _read_into_memory(path)
    except (OSError, sqlite3.Error, Corrupt, Newer) as unreadable:
        opened.unreadable = describe(unreadable)
        opened.notices.append(strings.NOTICE_UNREADABLE.format(path=path, error=opened.unreadable))
        return opened
    opened.notices.append(strings.NOTICE_READ_ONLY.format(path=path, error=describe(error)))
    return opened


def _read_into_memory(path: Path) -> sqlite3.Connection:
    """A private in-memory copy of the progress file, opened read-only (immutable: no lock or
    journal is needed, so a read-only directory or file system is fine)."""
    if not path.is_file():
        raise IsADirectoryError(21, "not a regular file", str(path))
    with open(path, "rb"):  # a clear OSError (permission) before SQLite's vaguer one
        pass
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    try:
        check_schema(source)
        memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        source.backup(memory)
    except sqlite3.DatabaseError as error:
        raise Corrupt(str(error)) from None
    finally:
        source.close()
    return memory


def describe(error: BaseException) -> str:
    """The error in a few words for a notice; a full disk is named as such (strings.DISK_FULL)."""
    if (isinstance(error, OSError) and error.errno == errno.ENOSPC) or "disk is full" in str(error):
        return f"{strings.DISK_FULL} ({error})"
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
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
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
                raise Corrupt(str(error)) from None
            raise
        if result != [("ok",)]:
            raise Corrupt("; ".join(str(row[0]) for row in result[:3]))
        try:
            initialise(conn)
        except sqlite3.DatabaseError as error:
            if _is_damage(error):
                raise Corrupt(str(error)) from None
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


def initialise(conn: sqlite3.Connection) -> None:
    """Create the schema in an empty database, or check that an existing one is ours."""
    with transaction(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        if version == 0 and not tables:
            conn.execute(_SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return
    check_schema(conn)


def check_schema(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise Newer(version)
    if version != SCHEMA_VERSION:
        raise Corrupt(f"unknown schema version {version}")
    columns = tuple(row[1] for row in conn.execute("PRAGMA table_info(checkpoint_state)"))
    if columns != COLUMNS:
        raise Corrupt("unexpected tables")


def _move_aside(path: Path) -> Path:
    """Rename a damaged file (and its journal/WAL side files) to <name>.corrupt-<UTC time>."""
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
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
