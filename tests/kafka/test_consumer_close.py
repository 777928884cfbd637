"""close_consumer: no rebalance callback reaches close(), so the cooperative close cannot deadlock.

The hang it prevents (confluent-kafka 2.16.1 / librdkafka 2.16.0): a rebalance callback served
inside close() takes confluent-kafka's eager-assign fallback on a cooperative group and waits
forever (see cdc_tutor/kafka/closing.py). Each round below closes members at a different moment of
a cooperative rebalance, where the plain close() once hung in CI. The tier's watchdog
(tests/watchdog.py) turns a hang into a failure with every thread's native stack.
"""

from __future__ import annotations

import itertools
import random
import time

from confluent_kafka import Consumer, Producer, TopicPartition

from cdc_tutor.kafka.closing import close_consumer

PARTITIONS = 4
FAST_GROUP = {"session.timeout.ms": 4000, "heartbeat.interval.ms": 300, "max.poll.interval.ms": 4000}
ROUNDS = 6
_ids = itertools.count()


def _seed(bootstrap: str, topic: str, per_partition: int = 1) -> None:
    producer = Producer({"bootstrap.servers": bootstrap})
    for partition in range(PARTITIONS):
        for n in range(per_partition):
            producer.produce(topic, value=str(n).encode(), partition=partition)
    assert producer.flush(5) == 0


def _member(bootstrap: str, group: str, topic: str, log: list, name: str, **extra) -> Consumer:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "log_level": 0,
            "partition.assignment.strategy": "cooperative-sticky",
            **FAST_GROUP,
            **extra,
        }
    )
    consumer.subscribe(
        [topic],
        on_assign=lambda c, parts: log.append((name, "assign", len(parts))),
        on_revoke=lambda c, parts: log.append((name, "revoke", len(parts))),
    )
    return consumer


def _poll(consumers: list[Consumer], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for consumer in consumers:
            consumer.poll(0.05)


def test_cooperative_members_close_cleanly_in_every_phase_of_a_rebalance(broker):
    chance = random.Random(20261203)  # fixed: the same phases every run
    for round_ in range(ROUNDS):
        topic, group, log = f"close-coop-{next(_ids)}", f"close-coop-group-{round_}", []
        _seed(broker.bootstrap_servers, topic)
        first = _member(broker.bootstrap_servers, group, topic, log, "A")
        _poll([first], chance.uniform(0.5, 5.0))  # before, during or after the first join
        second = _member(broker.bootstrap_servers, group, topic, log, "B")
        _poll([first, second], chance.uniform(0.0, 6.0))  # somewhere inside the cooperative rebalance
        started = time.monotonic()
        assert close_consumer(second), f"round {round_}: B still owned partitions at close: {log}"
        _poll([first], chance.uniform(0.0, 1.0))  # A may be mid-way through taking them back
        assert close_consumer(first), f"round {round_}: A still owned partitions at close: {log}"
        assert time.monotonic() - started < 30
        # What a member got it gave back before close(): every assign is matched by revokes.
        for name in ("A", "B"):
            got = sum(n for who, kind, n in log if who == name and kind == "assign")
            gave = sum(n for who, kind, n in log if who == name and kind == "revoke")
            assert got == gave, f"round {round_}: {name} {log}"


def test_the_drain_returns_no_message_so_auto_commit_stores_nothing_unprocessed(broker):
    """At-least-once survives the procedure: only what poll() returned before the close is committed."""
    topic, group = f"close-drain-{next(_ids)}", f"close-drain-group-{next(_ids)}"
    _seed(broker.bootstrap_servers, topic, per_partition=50)
    consumer = _member(
        broker.bootstrap_servers, group, topic, [], "A", **{"enable.auto.commit": True, "auto.commit.interval.ms": 100}
    )
    processed: dict[int, int] = {}
    count, deadline = 0, time.monotonic() + 20
    while count < 10 and time.monotonic() < deadline:  # process ten messages, leave the rest fetched
        message = consumer.poll(0.1)
        if message is not None and not message.error():
            processed[message.partition()] = message.offset() + 1
            count += 1
    assert count == 10
    assert close_consumer(consumer)

    reader = Consumer({"bootstrap.servers": broker.bootstrap_servers, "group.id": group, "log_level": 0})
    try:
        committed = reader.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=10)
    finally:
        close_consumer(reader)
    assert {tp.partition: tp.offset for tp in committed if tp.offset >= 0} == processed


def test_a_manual_assignment_and_a_closed_consumer_are_handled(broker):
    topic = f"close-manual-{next(_ids)}"
    _seed(broker.bootstrap_servers, topic)
    consumer = Consumer({"bootstrap.servers": broker.bootstrap_servers, "group.id": "close-manual", "log_level": 0})
    consumer.assign([TopicPartition(topic, p, 0) for p in range(PARTITIONS)])
    _poll([consumer], 0.5)
    started = time.monotonic()
    assert close_consumer(consumer)
    assert time.monotonic() - started < 5  # no group to leave: no waiting for a revoke
    assert close_consumer(consumer)  # twice is harmless
