"""Broker questions asked without a consumer group: is it up, which topics exist, how full are they."""

from __future__ import annotations

from confluent_kafka import Consumer, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient

from cdc_tutor.kafka.client import client_config
from cdc_tutor.kafka.closing import close_consumer
from cdc_tutor.kafka.state import private_group


def list_topics(bootstrap_servers: str, timeout: float = 5.0) -> set[str]:
    """Names of the broker's topics; raises ConnectionError when no broker answers in `timeout`."""
    admin = AdminClient(
        client_config(bootstrap_servers)
        | {
            "log_level": 0,
            "socket.connection.setup.timeout.ms": int(timeout * 1000),
        }
    )
    try:
        metadata = admin.list_topics(timeout=timeout)
    except KafkaException as problem:
        raise ConnectionError(f"no Kafka broker answers at {bootstrap_servers}: {problem}") from None
    if not metadata.brokers:
        raise ConnectionError(f"no Kafka broker answers at {bootstrap_servers}")
    return {name for name, topic in metadata.topics.items() if topic.error is None}


def message_counts(bootstrap_servers: str, topics: list[str], timeout: float = 5.0) -> dict[str, int]:
    """High minus low watermark per topic, summed over its partitions (0 for a missing topic)."""
    consumer = Consumer(
        client_config(bootstrap_servers)
        | {
            "group.id": private_group("watermarks"),
            "enable.auto.commit": False,
            "log_level": 0,
        }
    )
    try:
        metadata = consumer.list_topics(timeout=timeout)
        counts = {}
        for name in topics:
            topic = metadata.topics.get(name)
            total = 0
            if topic is not None and topic.error is None:
                for partition in topic.partitions:
                    low, high = consumer.get_watermark_offsets(TopicPartition(name, partition), timeout=timeout)
                    total += high - low
            counts[name] = total
        return counts
    except KafkaException as problem:
        raise ConnectionError(f"no Kafka broker answers at {bootstrap_servers}: {problem}") from None
    finally:
        close_consumer(consumer)
