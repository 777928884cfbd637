"""Leave a fresh real broker past its first-transaction state before anyone uses it.

On a fresh broker, a librdkafka read_committed consumer created right after the first transaction
commit can stall for 40 s or more (seen 5 of 5 times while writing the engine lessons): the
transaction coordinator and the partition's last stable offset settle once. The warm-up commits
one transaction and reads it back with a fresh read_committed consumer, so the student's first
exactly-once step starts from a broker that already went through it.
"""

from __future__ import annotations

import time
import uuid

from confluent_kafka import Consumer, Producer, TopicPartition

from cdc_tutor.kafka.client import client_config

WARMUP_TOPIC = "_cdc_tutor_warmup"


def warm_up_transactions(bootstrap_servers: str, timeout: float = 60.0) -> float:
    """Commit one transaction and read it back read_committed; returns the seconds it took."""
    began = time.monotonic()
    producer = Producer(
        client_config(bootstrap_servers)
        | {
            "transactional.id": f"cdc-tutor-warmup-{uuid.uuid4().hex[:8]}",
            "log_level": 0,
        }
    )
    producer.init_transactions(timeout)
    producer.begin_transaction()
    marker = uuid.uuid4().hex.encode()
    producer.produce(WARMUP_TOPIC, value=marker, partition=0)
    producer.commit_transaction(timeout)
    consumer = Consumer(
        client_config(bootstrap_servers)
        | {
            "group.id": f"cdc-tutor-warmup-{uuid.uuid4().hex[:8]}",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
            "log_level": 0,
        }
    )
    try:
        consumer.assign([TopicPartition(WARMUP_TOPIC, 0, 0)])
        deadline = began + timeout
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is not None and message.error() is None and message.value() == marker:
                return time.monotonic() - began
        raise TimeoutError(f"the warm-up transaction was not readable read_committed within {timeout:.0f} s")
    finally:
        consumer.close()
