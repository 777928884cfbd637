"""TopicTail against the embedded broker: from the start or from now, new topics, outages."""

from __future__ import annotations

import time

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
