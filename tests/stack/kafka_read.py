"""Reading whole topics in tests: every record of every partition, in partition order."""

from __future__ import annotations

import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from cdc_tutor.kafka.closing import close_consumer


def read_topics(
    bootstrap: str, topics: list[str], expected: dict[str, int] | None = None, seconds: float = 60.0
) -> dict[str, list]:
    """topic -> [(partition, offset, key, value)], sorted by partition then offset. With
    `expected`, waits until each topic holds at least that many records (or the time runs out)."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "stack-tests", "enable.auto.commit": False, "log_level": 0}
    )
    try:
        deadline = time.monotonic() + seconds
        while True:
            metadata = consumer.list_topics(timeout=10)
            if all(name in metadata.topics for name in topics) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        consumer.assign(
            [
                TopicPartition(name, partition, OFFSET_BEGINNING)
                for name in topics
                if name in metadata.topics
                for partition in metadata.topics[name].partitions
            ]
        )
        found: dict[str, list] = {name: [] for name in topics}
        quiet_until = time.monotonic() + 3
        while time.monotonic() < deadline:
            batch = [m for m in consumer.consume(500, 0.5) if m.error() is None]
            for message in batch:
                found[message.topic()].append((message.partition(), message.offset(), message.key(), message.value()))
            if batch:
                quiet_until = time.monotonic() + 2
            enough = expected is None or all(len(found[name]) >= count for name, count in expected.items())
            if enough and time.monotonic() > quiet_until:
                break
        return {name: sorted(records, key=lambda r: (r[0], r[1])) for name, records in found.items()}
    finally:
        close_consumer(consumer)
