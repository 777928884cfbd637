"""KafkaSink: the producer the embedded source relays its Debezium records through."""

from __future__ import annotations

from confluent_kafka import Producer

from cdc_tutor.kafka.client import client_config


class KafkaSink:
    """`send(topic, key, value)` with back-pressure: waits for room instead of failing."""

    def __init__(self, bootstrap_servers: str, **config) -> None:
        self._producer = Producer(
            client_config(bootstrap_servers)
            | {
                "linger.ms": 5,
                "enable.idempotence": True,  # a retried batch must not duplicate change events
                "partitioner": "murmur2_random",  # the Java client's partitioner, as Kafka Connect uses
                # Silent: the tutor draws on this terminal. Errors are kept for whoever asks.
                "log_level": 0,
                "error_cb": self._on_error,
                **config,
            }
        )
        self.last_error: str | None = None

    def send(self, topic: str, key: bytes | None, value: bytes | None) -> None:
        while True:
            try:
                self._producer.produce(topic, key=key, value=value)
                break
            except BufferError:  # local queue full: let deliveries drain, then retry
                self._producer.poll(0.05)
        self._producer.poll(0)

    def _on_error(self, error) -> None:
        self.last_error = error.str()

    def flush(self, timeout: float = 10.0) -> int:
        """Wait for delivery; returns how many records are still undelivered."""
        return self._producer.flush(timeout)
