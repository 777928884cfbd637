"""TopicTail: a thread that reads topics in batches into a TailBuffer and tracks the broker's health.

It assigns partitions itself instead of joining a consumer group: nothing is committed, no
rebalance delay, and a tail never disturbs anyone's group. Topics matching the chosen names or
prefixes are picked up as they appear.
"""

from __future__ import annotations

import threading
import time
from enum import Enum

from confluent_kafka import (
    OFFSET_BEGINNING,
    OFFSET_END,
    Consumer,
    KafkaError,
    KafkaException,
    TopicPartition,
)

from cdc_tutor.cdc.tail_buffer import TailBuffer
from cdc_tutor.kafka.client import client_config
from cdc_tutor.kafka.closing import close_consumer
from cdc_tutor.kafka.state import private_group

_DOWN_CODES = {KafkaError._TRANSPORT, KafkaError._ALL_BROKERS_DOWN, KafkaError._RESOLVE}


class BrokerState(Enum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"


class TopicTail:
    """Tails topics named exactly or by a trailing `*` prefix, e.g. `dbserver1.inventory.*`."""

    def __init__(
        self,
        bootstrap_servers: str,
        topics: list[str],
        *,
        from_start: bool = True,
        buffer: TailBuffer | None = None,
        batch_size: int = 1000,
        refresh_seconds: float = 2.0,
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.patterns = list(topics)
        self.from_start = from_start
        self.buffer = buffer if buffer is not None else TailBuffer()
        self.batch_size = batch_size
        self.refresh_seconds = refresh_seconds
        self.state = BrokerState.CONNECTING
        self.last_error: str | None = None
        self._assigned: set[tuple[str, int]] = set()
        self._next: dict[tuple[str, int], int] = {}  # the offset after the last one read
        self.skipped = 0
        """Messages the broker deleted (retention) before this tail read them."""
        self._refreshed_once = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> TopicTail:
        self._thread = threading.Thread(target=self.run, name="topic-tail", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to end; wait up to `timeout` (0 for the UI, which must not block)."""
        self._stop.set()
        if self._thread is not None and timeout > 0:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    @property
    def assigned_topics(self) -> list[str]:
        return sorted({topic for topic, _ in self._assigned})

    def run(self) -> None:
        consumer = Consumer(
            client_config(self.bootstrap_servers)
            | {
                "group.id": private_group("tail"),
                "enable.auto.commit": False,
                "enable.partition.eof": False,
                # Fallen behind retention (the embedded broker keeps ~5 MB per partition): the
                # error lets the tail count what it missed, then it goes on from the oldest
                # message still there (`_skip_deleted`).
                "auto.offset.reset": "error",
                "error_cb": self._on_error,
                "log_level": 0,  # transport errors arrive through error_cb and show in the pane
                # librdkafka pauses fetching for fetch.queue.backoff.ms (1 s) whenever its prefetch
                # queue is full (64 MB): a Python consumer slower than the wire then stalls in
                # bursts, at ~15% of raw speed. A small queue refilled at once keeps it near raw
                # speed and bounds memory (bench/tail.py measures both).
                "queued.max.messages.kbytes": 4096,
                "fetch.queue.backoff.ms": 5,
            }
        )
        try:
            next_refresh = 0.0
            while not self._stop.is_set():
                if time.monotonic() >= next_refresh:
                    self._refresh_assignment(consumer)
                    # While the broker is away, look for it more often than for new topics.
                    pause = 0.5 if self.state is BrokerState.DISCONNECTED else self.refresh_seconds
                    next_refresh = time.monotonic() + pause
                if not self._assigned:
                    self._stop.wait(0.2)
                    continue
                messages = consumer.consume(self.batch_size, 0.1)
                if messages:
                    self._take(messages, consumer)
        finally:
            close_consumer(consumer)

    def _take(self, messages, consumer: Consumer | None = None) -> None:
        # Other per-partition errors are skipped here: they are reported through error_cb.
        good = []
        for message in messages:
            error = message.error()
            if error is None:
                good.append(message)
                self._next[(message.topic(), message.partition())] = message.offset() + 1
            elif error.code() == KafkaError._AUTO_OFFSET_RESET and consumer is not None:
                self._skip_deleted(consumer, message.topic(), message.partition())
        self.buffer.add_messages(good)
        self.state = BrokerState.CONNECTED

    def _skip_deleted(self, consumer: Consumer, topic: str, partition: int) -> None:
        """The partition's oldest messages were deleted before they were read: count them and go
        on from the oldest one left."""
        try:
            low, _ = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=2.0)
        except KafkaException as problem:
            self._mark_down(str(problem))
            return
        self.skipped += max(0, low - self._next.get((topic, partition), low))  # unknown: count none
        self._next[(topic, partition)] = low
        # A seek is refused in this state (_STATE): assign the partition again, at `low`.
        consumer.incremental_unassign([TopicPartition(topic, partition)])
        consumer.incremental_assign([TopicPartition(topic, partition, low)])

    def _refresh_assignment(self, consumer: Consumer) -> None:
        try:
            metadata = consumer.list_topics(timeout=1.0)
        except KafkaException as problem:
            self._mark_down(str(problem))
            return
        self.state = BrokerState.CONNECTED
        # "From now" applies to topics that exist when the tail starts; a topic that appears
        # later is read from its beginning, since everything in it is new.
        start = OFFSET_BEGINNING if self.from_start or self._refreshed_once else OFFSET_END
        self._refreshed_once = True
        new = []
        for name, topic in metadata.topics.items():
            if topic.error is not None or not self._wanted(name):
                continue
            for partition in topic.partitions:
                if (name, partition) not in self._assigned:
                    self._assigned.add((name, partition))
                    new.append(TopicPartition(name, partition, start))
        if new:
            consumer.incremental_assign(new)

    def _wanted(self, topic: str) -> bool:
        return any(
            topic.startswith(pattern[:-1]) if pattern.endswith("*") else topic == pattern for pattern in self.patterns
        )

    def _on_error(self, error: KafkaError) -> None:
        if error.code() in _DOWN_CODES:
            self._mark_down(error.str())

    def _mark_down(self, reason: str) -> None:
        self.state = BrokerState.DISCONNECTED
        self.last_error = reason
