"""The student's SQL for the embedded source: statement splitting, PostgreSQL spellings, refusals."""

from __future__ import annotations

import re
import sqlite3

DIALECT_NOTE = (
    "The embedded source speaks SQLite's dialect, not PostgreSQL's "
    "(inventory.<table> names, NOW() and ::type casts are accepted)."
)
FIXED_SCHEMA = (
    "the inventory schema is fixed in the embedded source: CREATE, DROP and ALTER are "
    "refused; change rows with INSERT, UPDATE and DELETE"
)
TRUNCATE_REFUSED = (
    "TRUNCATE is not supported by the embedded source (real PostgreSQL would emit one "
    'op "t" event per table); DELETE FROM <table> emits one delete event per row'
)
NESTED_TRANSACTION = "SAVEPOINT and RELEASE are not supported: the whole script runs as one transaction"

# Literals and comments are copied untouched; only the code between them is rewritten.
_OPAQUE = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.S)
_QUALIFIED = re.compile(r'(?i)(?<![\w."])("?)inventory\1\s*\.\s*(?=["\w])')
_CAST = re.compile(
    r"(?i)::\s*(?:double\s+precision|character\s+varying|timestamp(?:\s+with(?:out)?\s+"
    r"time\s+zone)?|\w+)(?:\s*\(\s*\d+\s*(?:,\s*\d+\s*)?\))?(?:\[\])?"
)
_BEGIN_OR_COMMIT = re.compile(
    r"(?is)^\s*(?:begin|start\s+transaction|commit|end)"
    r"(?:\s+(?:work|transaction))?\s*;?\s*$"
)
_ROLLBACK = re.compile(r"(?is)^\s*(?:rollback|abort)(?:\s+(?:work|transaction))?\s*;?\s*$")
_TRUNCATE = re.compile(r"(?is)^\s*truncate\b")
_READ_ONLY_PRAGMAS = {"table_info", "table_xinfo", "index_list", "index_info", "foreign_key_list"}
_DDL = {
    getattr(sqlite3, name)
    for name in dir(sqlite3)
    if name.startswith(
        (
            "SQLITE_CREATE_",
            "SQLITE_DROP_",
            "SQLITE_ALTER",
            "SQLITE_ATTACH",
            "SQLITE_DETACH",
            "SQLITE_REINDEX",
            "SQLITE_ANALYZE",
        )
    )
}
_TABLE_ACCESS = {sqlite3.SQLITE_READ, sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE}


def split_statements(script: str) -> list[str]:
    """Statements of a script, split at semicolons outside literals, identifiers and comments."""
    statements, start, i, n = [], 0, 0, len(script)
    while i < n:
        char = script[i]
        if char in "'\"`[":
            close = "]" if char == "[" else char
            i = script.find(close, i + 1)
            if i < 0:
                break
        elif script.startswith("--", i):
            i = script.find("\n", i)
            if i < 0:
                break
        elif script.startswith("/*", i):
            i = script.find("*/", i + 2)
            if i < 0:
                break
            i += 1
        elif char == ";":
            statements.append(script[start:i])
            start = i + 1
        i += 1
    statements.append(script[start:])
    return [s.strip() for s in statements if _has_code(s)]


def _has_code(statement: str) -> bool:
    return bool(_OPAQUE.sub(lambda m: "x" if m.group(0).startswith("'") else "", statement).strip())


def to_sqlite(statement: str) -> str:
    """Rewrite the PostgreSQL spellings a lesson uses: inventory.<table>, ::casts."""
    out, last = [], 0
    for match in _OPAQUE.finditer(statement):
        out.append(_rewrite_code(statement[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_rewrite_code(statement[last:]))
    return "".join(out)


def _rewrite_code(code: str) -> str:
    return _CAST.sub("", _QUALIFIED.sub("", code))


def transaction_control(statement: str) -> str | None:
    """ "skip" for BEGIN/COMMIT (the script is one transaction already), "rollback", or None."""
    if _BEGIN_OR_COMMIT.match(statement):
        return "skip"
    if _ROLLBACK.match(statement):
        return "rollback"
    return None


def is_truncate(statement: str) -> bool:
    return bool(_TRUNCATE.match(statement))


class Guard:
    """sqlite3 authorizer for student SQL: no DDL, no internal tables, no transaction games.

    `reason` keeps why the last statement was refused, since SQLite only says "not authorized".
    """

    def __init__(self) -> None:
        self.reason: str | None = None

    def __call__(self, action, arg1, arg2, database, trigger) -> int:
        if trigger is not None:
            return sqlite3.SQLITE_OK  # our own change-capture triggers
        if action in _DDL:
            return self._deny(FIXED_SCHEMA)
        if action in _TABLE_ACCESS and arg1 and arg1.lower().startswith(("_cdc_", "sqlite_")):
            if action == sqlite3.SQLITE_READ and arg1.lower() == "sqlite_master":
                return sqlite3.SQLITE_OK
            if arg1.lower().startswith("sqlite_"):  # DDL writes the catalog before asking for DDL
                return self._deny(FIXED_SCHEMA)
            return self._deny(f"{arg1!r} is internal to the embedded source, not part of the inventory database")
        if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() not in _READ_ONLY_PRAGMAS:
            return self._deny(f"PRAGMA {arg1} is not available in the embedded source")
        if action in (sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT):
            return self._deny(NESTED_TRANSACTION)
        return sqlite3.SQLITE_OK

    def _deny(self, reason: str) -> int:
        self.reason = reason
        return sqlite3.SQLITE_DENY
