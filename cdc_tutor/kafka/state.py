"""Kafka state for checks: committed offsets, end offsets, a topic's messages read from the start.

Imports only the standard library and confluent_kafka: the same source also runs inside lesson
kernels (the flink and spark environments too) as the Kafka half of the `tutor` module, so it
must not import anything from cdc_tutor and must stay valid on their Python. Its consumers only
ever assign() partitions, never join a group, so their close() runs no rebalance callback and
needs none of cdc_tutor.kafka.closing.
"""

from __future__ import annotations

import json
import os
import time
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

ISOLATIONS = ("read_committed", "read_uncommitted")
BATCH = 500


def sasl(username, password, mechanism="SCRAM-SHA-512"):
    """librdkafka's settings for one SASL user over plaintext (loopback only, as the stack binds)."""
    return {
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanism": mechanism,
        "sasl.username": username,
        "sasl.password": password,
    }


def login_from_environment(bootstrap):
    """(username, password) of the student's own Kafka user on a workshop stack with ACLs, for that
    stack's broker only (None for any other, e.g. an embedded lab): the tutor puts their
    `kafka_username` / `kafka_password` settings and the broker they are for in these variables
    (cdc_tutor/kafka/client.py). The one rule for the tutor's clients and the kernels' `tutor` module."""
    username = os.environ.get("CDC_TUTOR_KAFKA_USERNAME", "")
    password = os.environ.get("CDC_TUTOR_KAFKA_PASSWORD", "")
    if not (username and password) or bootstrap != os.environ.get("CDC_TUTOR_BOOTSTRAP_SERVERS"):
        return None
    return username, password


def sasl_from_environment(bootstrap):
    """librdkafka's settings for login_from_environment's user, or {}."""
    login = login_from_environment(bootstrap)
    return {} if login is None else sasl(*login)


def private_group(purpose):
    """A throwaway consumer group of the tutor's own (never committed), under this student's
    `{user}-` prefix when they have one: on a workshop stack their ACLs allow no other group."""
    user = os.environ.get("CDC_TUTOR_USER", "")
    return f"{user + '-' if user else ''}cdc-tutor-{purpose}-{uuid.uuid4().hex[:8]}"


def _config(bootstrap, **extra):
    # log_level 0: nothing on stderr (the tutor draws on that terminal; kernels log to a file).
    config = {
        "bootstrap.servers": bootstrap,
        "log_level": 0,
        "enable.auto.commit": False,
        "group.id": private_group("probe"),
        **sasl_from_environment(bootstrap),
    }
    config.update(extra)
    return config


def decode(raw):
    """Message bytes as JSON when they parse, else text when UTF-8, else the bytes; None stays None."""
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw
    try:
        return json.loads(text)
    except ValueError:
        return text


def message_dict(message):
    """A consumed message as a plain dict: topic, partition, offset, timestamp, key, value, headers."""
    kind, timestamp = message.timestamp()
    return {
        "topic": message.topic(),
        "partition": message.partition(),
        "offset": message.offset(),
        "timestamp": timestamp if kind else None,
        "key": decode(message.key()),
        "value": decode(message.value()),
        "headers": [(name, decode(value)) for name, value in (message.headers() or [])],
    }


def partitions(consumer, topic, timeout=10.0):
    """The topic's partition ids ([] when it does not exist); asks for every topic so that the
    question itself never auto-creates the topic."""
    metadata = consumer.list_topics(timeout=timeout)
    found = metadata.topics.get(topic)
    if found is None or found.error is not None:
        return []
    return sorted(found.partitions)


def committed(bootstrap, group, topic, timeout=10.0):
    """{partition: committed offset} of `group` in `topic`; partitions without a commit are left out."""
    consumer = Consumer(_config(bootstrap, **{"group.id": group}))
    try:
        ids = partitions(consumer, topic, timeout)
        if not ids:
            return {}
        answer = consumer.committed([TopicPartition(topic, p) for p in ids], timeout=timeout)
        return {tp.partition: tp.offset for tp in answer if tp.error is None and tp.offset >= 0}
    finally:
        consumer.close()


def end_offsets(bootstrap, topic, timeout=10.0):
    """{partition: high watermark} (the offset the next message will get); {} for no such topic."""
    consumer = Consumer(_config(bootstrap))
    try:
        return {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout)[1]
            for p in partitions(consumer, topic, timeout)
        }
    finally:
        consumer.close()


def iter_topic(bootstrap, topic, isolation="read_committed", timeout=5.0, max_messages=10000):
    """Yield the topic's messages (as message_dict) from the start up to its end at call time.

    Stops at the end of every partition, after `max_messages`, or when `timeout` seconds have
    passed, whichever comes first. Partitions interleave; within one, offsets ascend.
    """
    if isolation not in ISOLATIONS:
        raise ValueError("isolation must be one of " + ", ".join(ISOLATIONS))
    consumer = Consumer(
        _config(
            bootstrap, **{"isolation.level": isolation, "enable.partition.eof": True, "auto.offset.reset": "earliest"}
        )
    )
    deadline = time.monotonic() + timeout
    try:
        pending = set()
        for p in partitions(consumer, topic, min(timeout, 10.0)):
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=max(0.1, timeout))
            if high > low:
                pending.add(p)
        if not pending:
            return
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in sorted(pending)])
        count = 0
        while pending and count < max_messages:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            for message in consumer.consume(num_messages=BATCH, timeout=min(left, 0.5)):
                error = message.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        pending.discard(message.partition())
                        continue
                    raise RuntimeError("reading %s failed: %s" % (topic, error.str()))
                count += 1
                yield message_dict(message)
                if count >= max_messages:
                    return
    finally:
        consumer.close()


def read_topic(bootstrap, topic, isolation="read_committed", max_messages=10000, timeout=5.0):
    """The topic's messages from the start, as a list (see iter_topic)."""
    return list(iter_topic(bootstrap, topic, isolation=isolation, timeout=timeout, max_messages=max_messages))


class KafkaState:
    """The checks' view of one broker (CheckContext.kafka); every call opens its own client."""

    def __init__(self, bootstrap, timeout=10.0):
        self.bootstrap = bootstrap
        self.timeout = timeout

    def committed(self, group, topic):
        return committed(self.bootstrap, group, topic, self.timeout)

    def end_offsets(self, topic):
        return end_offsets(self.bootstrap, topic, self.timeout)

    def read_topic(self, topic, isolation="read_committed", max_messages=10000):
        return read_topic(self.bootstrap, topic, isolation=isolation, max_messages=max_messages, timeout=self.timeout)

    def count(self, topic, predicate, isolation="read_committed", limit=1):
        """How many messages (read from the start, up to the end now) satisfy `predicate`, up to `limit`."""
        found = 0
        for message in iter_topic(self.bootstrap, topic, isolation=isolation, timeout=self.timeout, max_messages=10**9):
            if predicate(message):
                found += 1
                if found >= limit:
                    break
        return found
