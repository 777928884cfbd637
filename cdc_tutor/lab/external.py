"""ExternalLab: a real stack (`--bootstrap-servers`); the source pane talks to its PostgreSQL via psql.

Tailing works as in the embedded lab; outages are not the tutor's to make unless the stack is the
student's own native one (cdc_tutor.stack.outage).
"""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING, Protocol

from cdc_tutor import strings
from cdc_tutor.lab.tails import Tails

if TYPE_CHECKING:
    from cdc_tutor.source.changes import SqlResult


class OutageControl(Protocol):
    """Takes a real broker away and brings it back (cdc_tutor.stack.outage.BrokerOutage)."""

    def cut(self) -> None: ...

    def restore(self) -> None: ...


class ExternalLab(Tails):
    """A real broker (and, when a DSN is given, the lab stack's PostgreSQL for the source pane).

    `outage` (cut()/restore(), e.g. cdc_tutor.stack.outage.BrokerOutage for this user's native
    stack) lets outage steps run; without it a real broker is not the tutor's to cut."""

    workload = None
    real_kafka = True
    fallback = None
    lost = None  # the stack runs on its own: the tutor does not watch its processes
    bootstrap_servers: str  # a plain attribute here (Tails only needs to read it)

    def __init__(
        self,
        bootstrap_servers: str,
        postgres_dsn: str | None = None,
        outage: OutageControl | None = None,
        redis_url: str | None = None,
    ) -> None:
        super().__init__()
        self.bootstrap_servers = bootstrap_servers
        self.redis_url = redis_url
        self.database = PsqlDatabase(postgres_dsn) if postgres_dsn else None
        self.outage = outage
        self.reachable = True

    @property
    def can_cut(self) -> bool:
        return self.outage is not None

    def cut(self) -> None:
        self._outage().cut()
        self.reachable = False

    def restore(self) -> None:
        self._outage().restore()
        self.reachable = True

    def _outage(self) -> OutageControl:
        if self.outage is None:  # AttributeError, as without an outage before: check can_cut first
            raise AttributeError("this lab cannot cut the broker (can_cut is False)")
        return self.outage

    def start(self) -> ExternalLab:
        return self

    def close(self) -> None:
        self._stop_tails()


class PsqlDatabase:
    """The source pane's SQL against real PostgreSQL, through psql, in one transaction."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    def execute_script(self, script: str) -> SqlResult:
        from cdc_tutor.source.changes import SqlResult
        from cdc_tutor.source.database import MAX_ROWS
        from cdc_tutor.stack.config import psql_target
        from cdc_tutor.stack.psql import run_psql

        dsn, env = psql_target(self.dsn)
        sql = f"SET search_path TO inventory, public; {script}"
        try:  # one command: the pane shows the last statement's result, like the embedded source
            done = run_psql(
                [dsn], sql, env=env, one_command=True, tuples_only=False, field_separator="\t",
                single_transaction=True, footer=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as problem:
            return SqlResult(False, f"psql: {problem}")
        if done.returncode != 0:
            return SqlResult(False, done.stderr.strip() or f"psql exited with {done.returncode}")
        lines = [line for line in done.stdout.splitlines() if line]
        if not lines:
            return SqlResult(True, notice=strings.SQL_EXTERNAL_NOTICE)
        rows = [tuple(line.split("\t")) for line in lines[1:]]
        return SqlResult(
            True, None, lines[0].split("\t"), rows[:MAX_ROWS], len(rows), notice=strings.SQL_EXTERNAL_NOTICE
        )
