"""The one way the tutor runs psql: fixed flags, the password in the environment, never in argv.

Used for the stack's set-up SQL, doctor's wal_level check, the source pane in lab mode and the
long-lived session of the stack's workload. `-X` ignores a ~/.psqlrc that would change the output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

INSTALL_HINT = "apt-get install postgresql-client"


def psql_binary(fallback: str | None = None) -> str | None:
    """psql on PATH, else `fallback` (the stack's own PostgreSQL bin), else None."""
    return shutil.which("psql") or fallback


def psql_argv(
    connection: Sequence[str],
    *,
    binary: str | None = None,
    tuples_only: bool = True,
    field_separator: str | None = None,
    stop_on_error: bool = True,
    single_transaction: bool = False,
    quiet: bool = True,
    footer: bool = True,
) -> list[str]:
    """psql's command line: unaligned output; `connection` is a DSN (see psql_target) or -h/-p/-U/-d."""
    command = [binary or psql_binary() or "psql", "-X", "-A", "-v", f"ON_ERROR_STOP={int(stop_on_error)}"]
    command += ["-q"] if quiet else []
    command += ["-t"] if tuples_only else []
    command += ["-F", field_separator] if field_separator is not None else []
    command += ["-1"] if single_transaction else []
    command += [] if footer else ["-P", "footer=off"]
    return command + list(connection)


def password_env(password: str | None, **extra: str) -> dict[str, str]:
    """The environment for psql: PGPASSWORD (a password in argv shows in every user's `ps`)."""
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10", **extra}
    if password:
        env["PGPASSWORD"] = password
    return env


def run_psql(
    connection: Sequence[str],
    sql: str,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
    one_command: bool = False,
    **flags: Any,
) -> subprocess.CompletedProcess[str]:
    """Run `sql`; raises OSError or subprocess.TimeoutExpired, never on psql's own errors: those
    are in the result's returncode and stderr. Read from stdin statement by statement, or with
    `one_command` sent as one command (`-c`: only the last statement's result is printed)."""
    command = psql_argv(connection, **flags)
    command += ["-c", sql] if one_command else ["-f", "-"]
    return subprocess.run(
        command,
        input=None if one_command else sql,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(env or os.environ),
    )
