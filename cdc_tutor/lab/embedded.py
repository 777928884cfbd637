"""EmbeddedLab: broker, outage proxy, inventory source, relay and workload in this process.

Clients (the tutor's panes, the student's kernels, their own tools) get the proxy's address;
the relay writes to the broker directly, so cutting the proxy is an outage for consumers while
the source keeps capturing, as Debezium does when only the network to the consumers fails.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from cdc_tutor.kafka.broker import EmbeddedBroker
from cdc_tutor.kafka.proxy import OutageProxy
from cdc_tutor.kafka.sink import KafkaSink
from cdc_tutor.lab.options import LabOptions
from cdc_tutor.lab.tails import Tails
from cdc_tutor.redis_server import RedisServer
from cdc_tutor.source.database import InventoryDatabase
from cdc_tutor.source.encoder import DebeziumEncoder
from cdc_tutor.source.relay import SourceRelay
from cdc_tutor.source.workload import Workload


class EmbeddedLab(Tails):
    """Start with `start()` (or as a context manager); everything stops with `close()`."""

    can_cut = True
    relay: SourceRelay | None  # set by start(), dropped by close()
    fallback: str | None = None
    """Why this lab runs the mock although the lesson asked for a real broker (open_lab sets it)."""

    def __init__(self, options: LabOptions | None = None, broker_factory: Callable[[], Any] | None = None) -> None:
        """`broker_factory` starts the broker (default: the mock cluster); anything with host,
        port, bootstrap_servers and close() will do (JvmBroker)."""
        super().__init__()
        self.options = options or LabOptions()
        self._broker_factory = broker_factory or EmbeddedBroker
        self.broker: Any = None
        self.proxy: OutageProxy | None = None
        self.database: InventoryDatabase | None = None
        self.workload: Workload | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sink: KafkaSink | None = None
        self.redis: RedisServer | None = None

    def start(self) -> EmbeddedLab:
        options = self.options
        if options.redis:  # first: a missing redis-server stops the start before a JVM is spent
            self.redis = RedisServer().start()
        self.broker = self._broker_factory()
        self.proxy = OutageProxy(self.broker.host, self.broker.port)
        self.database = InventoryDatabase()
        self._sink = sink = KafkaSink(self.broker.bootstrap_servers)
        encoder = DebeziumEncoder(
            schemas_enabled=options.schemas_enabled,
            decimal_mode=options.decimal_mode,
            transaction_metadata=options.transaction_metadata,
        )
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
    def real_kafka(self) -> bool:
        """A real Kafka broker (the JVM lab); False for librdkafka's mock cluster."""
        return self.options.broker == "kafka"

    @property
    def redis_url(self) -> str | None:
        return self.redis.url if self.redis is not None else None

    @property
    def bootstrap_servers(self) -> str:
        """The address every client should use (through the outage proxy)."""
        return self._started_proxy().address

    @property
    def reachable(self) -> bool:
        return self._started_proxy().reachable

    LIMITS = ("too many connections", "request too large", "topic limit")

    def limits_hit(self) -> set[str]:
        """Which of the lab's limits (LIMITS: connections and request size at its proxies,
        topics created on demand at the mock) a client has run into so far."""
        counts: dict[str, int] = dict(getattr(self.broker, "refusals", {}))
        if self.proxy is not None:
            for reason, count in self.proxy.refusals.items():
                counts[reason] = counts.get(reason, 0) + count
        return {reason for reason in self.LIMITS if counts.get(reason)}

    @property
    def lost(self) -> str | None:
        """Why the broker is gone (its process ended: a crash, a kill); None while it runs."""
        return getattr(self.broker, "lost", None)

    def cut(self) -> None:
        """Make the broker unreachable for clients; the source keeps capturing."""
        self._started_proxy().cut()

    def restore(self) -> None:
        self._started_proxy().restore()

    def _started_proxy(self) -> OutageProxy:
        if self.proxy is None:  # AttributeError, as before start(): hasattr() and getattr() defaults still work
            raise AttributeError("the lab is not started: call start() first")
        return self.proxy

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
        if self.redis is not None:
            self.redis.close()

    def __enter__(self) -> EmbeddedLab:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _spawn(self, name: str, target: Callable[[threading.Event], None]) -> None:
        thread = threading.Thread(target=target, args=(self._stop,), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)
