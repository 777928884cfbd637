"""The embedded source's Workload against real PostgreSQL, through one long-lived psql process.

PostgresInventory offers what Workload uses of InventoryDatabase (`transaction()` yielding a
connection whose `execute(sql, params)` returns a cursor with `fetchone()` and `rowcount`), so the
same seed makes the same changes in both. psql rather than a driver: the stack needs psql anyway,
and the tutor gains no compiled dependency.
"""

from __future__ import annotations

import re
import subprocess
import threading

from cdc_tutor.stack.psql import INSTALL_HINT, password_env, psql_argv, psql_binary

_END = "__cdc_tutor_end__"
_TAG = re.compile(r"^(?:INSERT \d+ (\d+)|(?:UPDATE|DELETE|SELECT) (\d+)|BEGIN|COMMIT|ROLLBACK|SET)$")
# The workload's SQLite spellings and their PostgreSQL equivalents.
_DIALECT = (
    (re.compile(r"date\('now'\)"), "CURRENT_DATE"),
    (re.compile(r"dec_mul\(([\w.]+), \?\)"), r"(\1 * ?)"),
    (re.compile(r"\bmax\((\w+ - \?), 0\)"), r"greatest(\1, 0)"),
)


class PostgresError(Exception):
    """An SQL error PostgreSQL reported (the transaction is rolled back)."""


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def to_postgres(sql: str, params=()) -> str:
    """Translate the workload's SQL and inline its parameters as literals."""
    for pattern, replacement in _DIALECT:
        sql = pattern.sub(replacement, sql)
    values = iter(params)
    return re.sub(r"\?", lambda _match: _literal(next(values)), sql)


class _Cursor:
    def __init__(self, rows: list[list[str]], rowcount: int) -> None:
        self.rows, self.rowcount = rows, rowcount

    def fetchone(self):
        return tuple(int(v) if v.lstrip("-").isdigit() else v for v in self.rows[0]) if self.rows else None


class PsqlSession:
    """One psql process; `run(sql)` returns (rows, rowcount) or raises PostgresError."""

    def __init__(self, host: str, port: int, user: str, password: str, dbname: str) -> None:
        psql = psql_binary()
        if psql is None:
            raise PostgresError(f"psql is not installed: {INSTALL_HINT}")
        self._process = subprocess.Popen(
            psql_argv(
                ["-h", host, "-p", str(port), "-U", user, "-d", dbname],
                binary=psql,
                field_separator="\t",
                stop_on_error=False,  # one bad statement must not end the session
                quiet=False,
            ),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            env=password_env(password, PGOPTIONS="-c timezone=UTC"),
        )
        self._lock = threading.Lock()

    def run(self, sql: str) -> _Cursor:
        with self._lock:
            self._process.stdin.write(sql.rstrip().rstrip(";") + ";\n\\echo " + _END + "\n")
            self._process.stdin.flush()
            rows, rowcount, error = [], 0, None
            while True:
                line = self._process.stdout.readline()
                if not line:
                    raise PostgresError("psql exited: " + (error or "connection lost"))
                line = line.rstrip("\n")
                if line == _END:
                    break
                if "ERROR:" in line or line.startswith("psql:"):
                    error = error or line.split("ERROR:", 1)[-1].strip()
                elif (tag := _TAG.match(line)) is not None:
                    rowcount = int(tag.group(1) or tag.group(2) or 0)
                elif line:
                    rows.append(line.split("\t"))
        if error is not None:
            raise PostgresError(error)
        return _Cursor(rows, rowcount)

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.stdin.close()
            self._process.wait(10)


class _Connection:
    def __init__(self, session: PsqlSession) -> None:
        self.session = session

    def execute(self, sql: str, params=()) -> _Cursor:
        return self.session.run(to_postgres(sql, params))


class _Transaction:
    def __init__(self, session: PsqlSession) -> None:
        self.session = session

    def __enter__(self) -> _Connection:
        self.session.run("BEGIN")
        return _Connection(self.session)

    def __exit__(self, kind, error, trace) -> None:
        self.session.run("COMMIT" if kind is None else "ROLLBACK")


class PostgresInventory:
    """The inventory tables in PostgreSQL (search_path inventory), as Workload's database."""

    errors = (PostgresError,)

    def __init__(self, host: str, port: int, user: str, password: str, dbname: str = "postgres") -> None:
        self.session = PsqlSession(host, port, user, password, dbname)
        self.session.run("SET search_path TO inventory")

    def transaction(self) -> _Transaction:
        return _Transaction(self.session)

    def close(self) -> None:
        self.session.close()
