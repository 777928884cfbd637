"""EmbeddedBroker: a real Kafka-protocol broker from librdkafka's mock cluster, on loopback.

The mock cluster lives inside the client that asked for it (`test.mock.num.brokers`), so this
object keeps that client for as long as the broker should exist and hands out its address.
Other processes talk to it over TCP like to any broker. Its known gaps are listed in
lessons/README.md ("The embedded broker: how it differs from real Kafka").
"""

from __future__ import annotations

from confluent_kafka import KafkaException, Producer


class EmbeddedBroker:
    """One mock broker; topics auto-create (4 partitions by default) on first use."""

    def __init__(self) -> None:
        # log_level 0: nothing on stderr (the "Mock cluster enabled" notice, or errors while
        # closing), because the tutor draws on that terminal.
        self._owner = Producer({"test.mock.num.brokers": 1, "log_level": 0})
        metadata = self._owner.list_topics(timeout=10)
        if not metadata.brokers:
            raise KafkaException("the embedded broker did not start")
        broker = next(iter(metadata.brokers.values()))
        self.host, self.port = broker.host, broker.port

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    def close(self) -> None:
        """Stop the broker; its topics are gone with it."""
        if self._owner is not None:
            self._owner.flush(5)
            self._owner = None  # the mock cluster is destroyed with its owning client

    def __enter__(self) -> EmbeddedBroker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
