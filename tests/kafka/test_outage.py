"""The embedded broker behind the outage proxy: real clients, a real cut, nothing committed lost."""

from __future__ import annotations

import errno
import socket
import struct
import time

import pytest
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

from cdc_tutor.kafka.closing import close_consumer
from cdc_tutor.kafka.proxy import MAX_CONNECTIONS
from cdc_tutor.kafka.sink import KafkaSink


def _consumer(address: str, group: str, errors: list | None = None) -> Consumer:
    config = {
        "bootstrap.servers": address,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "log_level": 0,
    }
    if errors is not None:
        config["error_cb"] = lambda error: errors.append(error.code())
    return Consumer(config)


def _produce(address: str, topic: str, values: range) -> None:
    sink = KafkaSink(address)
    for number in values:
        sink.send(topic, str(number).encode(), str(number).encode())
    assert sink.flush() == 0


def _drain(consumer: Consumer, seen: list[int], want: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while len(seen) < want and time.monotonic() < deadline:
        for message in consumer.consume(100, 0.2):
            if message.error() is None:
                seen.append(int(message.value()))
                consumer.commit(message=message, asynchronous=False)  # after processing


def test_clients_reach_the_broker_only_through_the_proxy(broker, proxy, topic):
    producer = Producer({"bootstrap.servers": proxy.address, "log_level": 0})
    metadata = producer.list_topics(timeout=10)
    assert {(b.host, b.port) for b in metadata.brokers.values()} == {("127.0.0.1", proxy.port)}
    assert broker.port != proxy.port
    assert proxy.address.startswith("127.0.0.1:")  # loopback only, on shared VMs too


def test_consumer_survives_a_cut_and_loses_no_committed_event(broker, proxy, topic):
    _produce(broker.bootstrap_servers, topic, range(0, 200))
    errors: list = []
    consumer = _consumer(proxy.address, "outage-group", errors)
    consumer.subscribe([topic])
    seen: list[int] = []
    _drain(consumer, seen, 200, 30)
    assert sorted(seen) == list(range(200))

    proxy.cut()
    assert not proxy.reachable
    _produce(broker.bootstrap_servers, topic, range(200, 400))  # the source keeps writing
    deadline = time.monotonic() + 15
    while not ({KafkaError._TRANSPORT, KafkaError._ALL_BROKERS_DOWN} & set(errors)) and time.monotonic() < deadline:
        consumer.consume(10, 0.2)
    assert {KafkaError._TRANSPORT, KafkaError._ALL_BROKERS_DOWN} & set(errors), errors

    proxy.restore()
    _drain(consumer, seen, 400, 60)
    close_consumer(consumer)
    assert sorted(seen) == list(range(400)), "every event processed exactly once across the cut"

    # A restarted consumer of the same group resumes from the committed offsets: nothing left.
    again = _consumer(proxy.address, "outage-group")
    partitions = [TopicPartition(topic, p) for p in range(4)]
    committed = again.committed(partitions, timeout=10)
    ends = [again.get_watermark_offsets(tp, timeout=10)[1] for tp in partitions]
    close_consumer(again)
    assert [tp.offset for tp in committed] == ends
    assert sum(ends) == 400


def test_restore_reuses_the_same_address(proxy):
    address = proxy.address
    proxy.cut()
    proxy.restore()
    assert proxy.reachable and proxy.address == address


def _closed_by_peer(sock: socket.socket, seconds: float = 5.0) -> bool:
    """The proxy closed this connection (EOF or reset) within `seconds`."""
    sock.settimeout(seconds)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_a_cut_keeps_the_port_so_nobody_else_can_take_it(proxy, topic):
    """Another local process (another user, on a shared VM) cannot bind the proxy's port during a
    cut, even with SO_REUSEADDR; connections made during the cut are closed at once; after the
    restore the same address serves clients again."""
    proxy.cut()
    try:
        thief = socket.socket()
        thief.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        with thief, pytest.raises(OSError) as taken:
            thief.bind((proxy.host, proxy.port))
            thief.listen()
        assert taken.value.errno == errno.EADDRINUSE
        with socket.create_connection((proxy.host, proxy.port), timeout=5) as during_cut:
            assert _closed_by_peer(during_cut)
        assert proxy.refusals["cut"] >= 1
    finally:
        proxy.restore()
    _produce(proxy.address, topic, range(3))  # served again, same address


def test_an_oversized_request_frame_is_refused_without_buffering_it(proxy, topic):
    """A frame claiming ~2 GiB (the size a fuzzer sent) closes that connection at once: the proxy
    never waits for or buffers the body, and other clients keep working."""
    with socket.create_connection((proxy.host, proxy.port), timeout=5) as attacker:
        attacker.sendall(struct.pack(">i", 0x7FFFFFF0) + b"\x00" * 1024)
        assert _closed_by_peer(attacker)
    with socket.create_connection((proxy.host, proxy.port), timeout=5) as negative:
        negative.sendall(struct.pack(">i", -5))
        assert _closed_by_peer(negative)
    assert proxy.refusals["request too large"] >= 2
    _produce(proxy.address, topic, range(3))


def test_connections_beyond_the_cap_are_closed_and_counted(proxy, topic):
    idle = [socket.create_connection((proxy.host, proxy.port), timeout=5) for _ in range(MAX_CONNECTIONS)]
    try:
        with socket.create_connection((proxy.host, proxy.port), timeout=5) as extra:
            assert _closed_by_peer(extra)
        assert proxy.refusals["too many connections"] >= 1
    finally:
        for sock in idle:
            sock.close()
    deadline = time.monotonic() + 10  # the proxy sees the idle ones go, then serves again
    while time.monotonic() < deadline:
        try:
            _produce(proxy.address, topic, range(3))
            return
        except AssertionError:
            time.sleep(0.2)
    _produce(proxy.address, topic, range(3))


def test_request_types_the_lessons_never_send_are_refused_before_the_mock(broker, topic):
    """The broker's own front lets through only the request types of the lessons' clients
    (MOCK_API_KEYS): anything else closes that connection without reaching the mock's handlers,
    whatever its body, and the broker keeps serving. ApiVersions (18) is served."""
    from cdc_tutor.kafka.broker import MOCK_API_KEYS

    front = broker._front
    before = front.refusals["request type not served"]
    unserved = [key for key in range(0, 75) if key not in MOCK_API_KEYS]
    for key in unserved:
        with socket.create_connection((broker.host, broker.port), timeout=5) as client:
            request = struct.pack(">hhih", key, 0, 1, 4) + b"fuzz" + b"\xff" * 64
            client.sendall(struct.pack(">i", len(request)) + request)
            assert _closed_by_peer(client)
    assert front.refusals["request type not served"] - before == len(unserved)
    with socket.create_connection((broker.host, broker.port), timeout=5) as client:
        request = struct.pack(">hhih", 18, 0, 1, 4) + b"test"
        client.sendall(struct.pack(">i", len(request)) + request)
        client.settimeout(5)
        assert client.recv(4096)
    assert broker.lost is None
    _produce(broker.bootstrap_servers, topic, range(3))


def test_topics_created_on_demand_are_capped_and_the_cap_is_counted():
    """Each auto-created topic costs the mock memory (up to ~5 MB per partition): past
    MAX_AUTO_TOPICS new names the broker's front turns auto-creation off for the request, so the
    client sees an unknown topic instead of the lab growing without bound."""
    from confluent_kafka.admin import AdminClient

    from cdc_tutor.kafka.broker import EmbeddedBroker
    from cdc_tutor.kafka.proxy import MAX_AUTO_TOPICS

    with EmbeddedBroker() as own:
        config = {"bootstrap.servers": own.bootstrap_servers, "log_level": 0, "message.timeout.ms": 4000}
        config["topic.metadata.propagation.max.ms"] = 500
        failed: list[str] = []

        def report(error, message) -> None:
            if error is not None:
                failed.append(message.topic())

        producer = Producer(config)
        for number in range(MAX_AUTO_TOPICS):
            producer.produce(f"capped{number}", b"x", on_delivery=report)
        assert producer.flush(30) == 0 and failed == []
        for number in range(MAX_AUTO_TOPICS, MAX_AUTO_TOPICS + 3):
            producer.produce(f"capped{number}", b"x", on_delivery=report)
        producer.flush(30)
        assert sorted(failed) == [f"capped{n}" for n in range(MAX_AUTO_TOPICS, MAX_AUTO_TOPICS + 3)]
        topics = AdminClient({"bootstrap.servers": own.bootstrap_servers}).list_topics(timeout=10).topics
        assert len([name for name in topics if name.startswith("capped")]) == MAX_AUTO_TOPICS
        assert own._front.refusals["topic limit"] >= 1
        producer.produce("capped0", b"still works", on_delivery=report)  # existing topics still take writes
        assert producer.flush(10) == 0 and len(failed) == 3
