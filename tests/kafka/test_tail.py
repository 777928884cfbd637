"""TopicTail against the embedded broker: from the start or from now, new topics, outages."""

from __future__ import annotations

import time

from confluent_kafka import Consumer, Producer, TopicPartition

from cdc_tutor.kafka.sink import KafkaSink
from cdc_tutor.kafka.tail import BrokerState, TopicTail


def _send(address: str, topic: str, count: int, start: int = 0) -> None:
    sink = KafkaSink(address)
    for n in range(start, start + count):
        sink.send(topic, b'{"id":%d}' % n, b'{"before":null,"after":{"id":%d},"source":{},"op":"c"}' % n)
    assert sink.flush() == 0


def _wait(predicate, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)
    return predicate()


def test_tail_from_start_reads_existing_and_new_topics(broker, topic):
    _send(broker.bootstrap_servers, topic, 30)
    tail = TopicTail(broker.bootstrap_servers, [topic.rsplit(".", 1)[0] + ".*"], refresh_seconds=0.3).start()
    try:
        assert _wait(lambda: tail.buffer.view().received >= 30)
        later = topic + "_later"
        _send(broker.bootstrap_servers, later, 5)
        assert _wait(lambda: later in tail.assigned_topics)
        assert _wait(lambda: tail.buffer.view(tables=frozenset({later.rsplit(".", 1)[1]})).matching == 5)
        assert tail.state is BrokerState.CONNECTED
    finally:
        tail.stop()


def test_tail_from_now_skips_history(broker, topic):
    _send(broker.bootstrap_servers, topic, 20)
    tail = TopicTail(broker.bootstrap_servers, [topic], from_start=False).start()
    try:
        assert _wait(lambda: topic in tail.assigned_topics)
        time.sleep(0.5)  # let the consumer settle at the end offsets
        _send(broker.bootstrap_servers, topic, 3, start=100)
        assert _wait(lambda: tail.buffer.view().received == 3)
        keys = sorted(entry.key for entry in tail.buffer.view().entries)
        assert keys == [b'{"id":100}', b'{"id":101}', b'{"id":102}']
    finally:
        tail.stop()


def test_tail_reports_a_cut_and_recovers_on_its_own(broker, proxy, topic):
    _send(broker.bootstrap_servers, topic, 10)
    tail = TopicTail(proxy.address, [topic], refresh_seconds=0.3).start()
    try:
        assert _wait(lambda: tail.buffer.view().received == 10)
        proxy.cut()
        assert _wait(lambda: tail.state is BrokerState.DISCONNECTED)
        assert tail.last_error
        _send(broker.bootstrap_servers, topic, 10, start=10)
        proxy.restore()
        assert _wait(lambda: tail.state is BrokerState.CONNECTED and tail.buffer.view().received == 20, 30)
    finally:
        tail.stop()


def test_a_tail_that_fell_behind_retention_says_how_many_messages_it_missed(broker, proxy, topic):
    """An outage backlog past the mock's ~5 MB per partition: the oldest messages are deleted before
    the tail reads them. It counts them (low watermark minus its position) and reads on from the
    oldest message left, instead of skipping them without a word."""
    _send(broker.bootstrap_servers, topic, 10)
    tail = TopicTail(proxy.address, [topic], refresh_seconds=0.3).start()
    try:
        assert _wait(lambda: tail.buffer.view().received == 10)
        proxy.cut()
        producer = Producer({"bootstrap.servers": broker.bootstrap_servers, "linger.ms": 20})
        for _ in range(8000):  # ~8 MB into the partitions the tail had read to offset 10 or less
            producer.produce(topic, value=b"x" * 1000, partition=0)
        assert producer.flush(10) == 0
        consumer = Consumer({"bootstrap.servers": broker.bootstrap_servers, "group.id": "watermarks"})
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=5)
        consumer.close()
        read_before = sum(1 for entry in tail.buffer.view().entries if entry.partition == 0)
        assert low > read_before
        proxy.restore()
        assert _wait(lambda: tail.skipped > 0, 30)
        assert tail.skipped == low - read_before
        assert _wait(lambda: tail.buffer.view().received == 10 + high - low, 30)
    finally:
        tail.stop()
