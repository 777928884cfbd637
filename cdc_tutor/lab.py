"""The labs the tutor's panes and kernels work against: its own EmbeddedLab, or an ExternalLab.

EmbeddedLab is broker, outage proxy, inventory source, relay and workload in this process.
Clients (the tutor's panes, the student's kernels, their own tools) get the proxy's address;
the relay writes to the broker directly, so cutting the proxy is an outage for consumers while
the source keeps capturing, as Debezium does when only the network to the consumers fails.
ExternalLab is a real stack (`--bootstrap-servers`): tailing works the same, the source pane
talks to its PostgreSQL through psql, and outages are not the tutor's to make.
"""

from __future__ import annotations

import subprocess
import threading

from cdc_tutor import strings
from cdc_tutor.kafka.broker import EmbeddedBroker
from cdc_tutor.kafka.proxy import OutageProxy
from cdc_tutor.kafka.sink import KafkaSink
from cdc_tutor.kafka.tail import TopicTail
from cdc_tutor.lab_options import CDC_TOPICS, LabOptions
from cdc_tutor.source.database import InventoryDatabase
from cdc_tutor.source.encoder import DebeziumEncoder
from cdc_tutor.source.relay import SourceRelay
from cdc_tutor.source.workload import Workload


class _Tails:
    """Tails opened for panes, all stopped when the lab closes."""

    bootstrap_servers: str

    def __init__(self) -> None:
        self._tails: list[TopicTail] = []

    def open_tail(self, topics: list[str] | None = None, *, from_start: bool = True) -> TopicTail:
        """A started tail of `topics` (default: every CDC topic); stopped with the lab at the latest."""
        tail = TopicTail(self.bootstrap_servers, topics or [CDC_TOPICS], from_start=from_start).start()
        self._tails = [kept for kept in self._tails if kept.running]  # forget the ones already stopped
        self._tails.append(tail)
        return tail

    def _stop_tails(self) -> None:
        for tail in self._tails:
            tail.stop()


class EmbeddedLab(_Tails):
    """Start with `start()` (or as a context manager); everything stops with `close()`."""

    can_cut = True

    def __init__(self, options: LabOptions | None = None) -> None:
        super().__init__()
        self.options = options or LabOptions()
        self.broker: EmbeddedBroker | None = None
        self.proxy: OutageProxy | None = None
        self.database: InventoryDatabase | None = None
        self.workload: Workload | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sink: KafkaSink | None = None

    def start(self) -> "EmbeddedLab":
        options = self.options
        self.broker = EmbeddedBroker()
        self.proxy = OutageProxy(self.broker.host, self.broker.port)
        self.database = InventoryDatabase()
        self._sink = sink = KafkaSink(self.broker.bootstrap_servers)
        encoder = DebeziumEncoder(schemas_enabled=options.schemas_enabled, decimal_mode=options.decimal_mode)
        self.relay = SourceRelay(self.database, encoder, sink.send, flush=sink.flush)
        self.relay.pump()  # the initial snapshot is in the topics before anyone is told the address
        sink.flush()
        self.workload = Workload(self.database, seed=options.seed, rate=options.rate)
        if not options.workload:
            self.workload.pause()
        self._spawn("source-relay", self.relay.run)
        self._spawn("source-workload", self.workload.run)
        return self

    @property
    def bootstrap_servers(self) -> str:
        """The address every client should use (through the outage proxy)."""
        return self.proxy.address

    @property
    def reachable(self) -> bool:
        return self.proxy.reachable

    def cut(self) -> None:
        """Make the broker unreachable for clients; the source keeps capturing."""
        self.proxy.cut()

    def restore(self) -> None:
        self.proxy.restore()

    def close(self) -> None:
        self._stop.set()
        self._stop_tails()
        for thread in self._threads:
            thread.join(timeout=5)
        if self._sink is not None:
            self._sink.flush()
            self._sink = self.relay = None  # the producer goes before the broker it would miss
        if self.database is not None:
            self.database.close()
        if self.proxy is not None:
            self.proxy.close()
        if self.broker is not None:
            self.broker.close()

    def __enter__(self) -> "EmbeddedLab":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def _spawn(self, name: str, target) -> None:
        thread = threading.Thread(target=target, args=(self._stop,), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)


class ExternalLab(_Tails):
    """A real broker (and, when a DSN is given, the lab stack's PostgreSQL for the source pane).

    `outage` (cut()/restore(), e.g. cdc_tutor.stack.outage.BrokerOutage for this user's native
    stack) lets outage steps run; without it a real broker is not the tutor's to cut."""

    workload = None

    def __init__(self, bootstrap_servers: str, postgres_dsn: str | None = None, outage=None) -> None:
        super().__init__()
        self.bootstrap_servers = bootstrap_servers
        self.database = PsqlDatabase(postgres_dsn) if postgres_dsn else None
        self.outage = outage
        self.reachable = True

    @property
    def can_cut(self) -> bool:
        return self.outage is not None

    def cut(self) -> None:
        self.outage.cut()
        self.reachable = False

    def restore(self) -> None:
        self.outage.restore()
        self.reachable = True

    def start(self) -> "ExternalLab":
        return self

    def close(self) -> None:
        self._stop_tails()


class PsqlDatabase:
    """The source pane's SQL against real PostgreSQL, through psql, in one transaction."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    def execute_script(self, script: str):
        from cdc_tutor.source.changes import SqlResult
        from cdc_tutor.source.database import MAX_ROWS
        from cdc_tutor.stack.config import psql_target

        dsn, env = psql_target(self.dsn)
        command = ["psql", dsn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                   "-A", "-F", "\t", "-P", "footer=off", "-c", f"SET search_path TO inventory, public; {script}"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
        except (OSError, subprocess.TimeoutExpired) as problem:
            return SqlResult(False, f"psql: {problem}")
        if done.returncode != 0:
            return SqlResult(False, done.stderr.strip() or f"psql exited with {done.returncode}")
        lines = [line for line in done.stdout.splitlines() if line]
        if not lines:
            return SqlResult(True, notice=strings.SQL_EXTERNAL_NOTICE)
        rows = [tuple(line.split("\t")) for line in lines[1:]]
        return SqlResult(True, None, lines[0].split("\t"), rows[:MAX_ROWS], len(rows),
                         notice=strings.SQL_EXTERNAL_NOTICE)
