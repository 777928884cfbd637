"""What the embedded broker (librdkafka's mock cluster) keeps and breaks of real Kafka's promises.

Every test asserts the behaviour the mock ACTUALLY has today, with real clients over TCP. A test
whose docstring says "documents a mock limit" asserts something real Kafka does NOT do: if it starts
failing, the mock gained the feature; update the table in lessons/README.md ("The embedded broker:
how it differs from real Kafka") and turn the test into a "works" test.

Group tests use short session timeouts: the mock holds the first JoinGroup of a group for ~3 s and a
rebalance for about as long as session.timeout.ms allows, so the defaults (45 s) would make them slow.
"""

from __future__ import annotations

import itertools
import time

import pytest
from confluent_kafka import (
    TIMESTAMP_CREATE_TIME,
    Consumer,
    ConsumerGroupTopicPartitions,
    KafkaError,
    KafkaException,
    Producer,
    TopicPartition,
)
from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    NewPartitions,
    NewTopic,
)

from cdc_tutor.kafka.broker import EmbeddedBroker
from cdc_tutor.kafka.closing import close_consumer

PARTITIONS = 4  # what an auto-created topic gets on the mock
# Short group timeouts keep rebalances to a few seconds (at 2 s the JoinGroup requests time out).
FAST_GROUP = {"session.timeout.ms": 4000, "heartbeat.interval.ms": 300, "max.poll.interval.ms": 4000}
_ids = itertools.count()


def _unique(prefix: str) -> str:
    return f"limits-{prefix}-{next(_ids)}"


def _consumer(broker, **extra) -> Consumer:
    config = {
        "bootstrap.servers": broker.bootstrap_servers,
        "group.id": _unique("group"),
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "log_level": 0,
    }
    config.update(extra)
    return Consumer(config)


def _seed(broker, topic: str, partitions=range(PARTITIONS)) -> None:
    """Create `topic` the only way the mock allows: by producing to it."""
    producer = Producer({"bootstrap.servers": broker.bootstrap_servers})
    for partition in partitions:
        producer.produce(topic, value=b"seed", partition=partition)
    assert producer.flush(5) == 0


def _read_all(consumer: Consumer, partitions: list[TopicPartition], seconds: float = 5.0) -> list:
    """Messages of the assigned partitions, read until every one reports _PARTITION_EOF."""
    consumer.assign(partitions)
    messages, at_end = [], set()
    deadline = time.monotonic() + seconds
    while len(at_end) < len(partitions) and time.monotonic() < deadline:
        message = consumer.poll(0.2)
        if message is None:
            continue
        if message.error():
            assert message.error().code() == KafkaError._PARTITION_EOF, message.error()
            at_end.add(message.partition())
            continue
        messages.append(message)
    assert len(at_end) == len(partitions), "did not reach the end of every partition"
    return messages


def _poll_until(consumers: list[Consumer], predicate, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        for consumer in consumers:
            consumer.poll(0.05)
    return predicate()


def _partitions(consumer: Consumer) -> list[int]:
    return sorted(tp.partition for tp in consumer.assignment())


def murmur2(data: bytes) -> int:
    """Kafka's Java `Utils.murmur2` (the default partitioner of Java clients and Debezium)."""
    m, length = 0x5BD1E995, len(data)
    h = (0x9747B28C ^ length) & 0xFFFFFFFF
    for i in range(0, length - length % 4, 4):
        k = (int.from_bytes(data[i : i + 4], "little") * m) & 0xFFFFFFFF
        k = ((k ^ (k >> 24)) * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
    tail = data[length - length % 4 :]
    if len(tail) == 3:
        h ^= tail[2] << 16
    if len(tail) >= 2:
        h ^= tail[1] << 8
    if tail:
        h = ((h ^ tail[0]) * m) & 0xFFFFFFFF
    h = ((h ^ (h >> 13)) * m) & 0xFFFFFFFF
    return h ^ (h >> 15)


def test_murmur2_helper_matches_javas_test_vector():
    # Kafka's UtilsTest: murmur2("21".getBytes()) == -973932308
    assert murmur2(b"21") - (1 << 32) == -973932308


# --- (1) transactions and read_committed -------------------------------------------------------


@pytest.fixture(scope="module")
def aborted_then_committed(broker) -> str:
    """Partition 0 of a topic: aborted txn (flushed before the abort), then a committed txn."""
    topic = _unique("txn")
    producer = Producer({"bootstrap.servers": broker.bootstrap_servers, "transactional.id": _unique("tx")})
    producer.init_transactions(5)
    producer.begin_transaction()
    producer.produce(topic, key=b"k", value=b"aborted", partition=0)
    assert producer.flush(5) == 0
    producer.abort_transaction(5)
    producer.begin_transaction()
    producer.produce(topic, key=b"k", value=b"committed", partition=0)
    producer.commit_transaction(5)
    return topic


def test_read_committed_still_returns_aborted_messages(broker, aborted_then_committed):
    """Documents a mock limit; if this starts failing, the mock gained the feature: update lessons/README.md.

    Real Kafka: a read_committed consumer never sees b"aborted".
    """
    consumer = _consumer(broker, **{"isolation.level": "read_committed", "enable.partition.eof": True})
    try:
        values = [m.value() for m in _read_all(consumer, [TopicPartition(aborted_then_committed, 0, 0)])]
    finally:
        close_consumer(consumer)
    assert values == [b"aborted", b"committed"]


def test_transaction_markers_take_offsets_like_real_kafka(broker, aborted_then_committed):
    """Kept: the abort/commit control records occupy offsets 1 and 3 and are never delivered."""
    consumer = _consumer(broker, **{"enable.partition.eof": True})
    try:
        messages = _read_all(consumer, [TopicPartition(aborted_then_committed, 0, 0)])
        high = consumer.get_watermark_offsets(TopicPartition(aborted_then_committed, 0), timeout=5)
    finally:
        close_consumer(consumer)
    assert [(m.offset(), m.value()) for m in messages] == [(0, b"aborted"), (2, b"committed")]
    assert high == (0, 4)


# --- (2) exactly-once: offsets sent to a transaction --------------------------------------------


def test_send_offsets_to_transaction_commits_nothing_for_the_group(broker):
    """Documents a mock limit; if this starts failing, the mock gained the feature: update lessons/README.md.

    Real Kafka: after commit_transaction() the group's committed offset for in[0] is 3. The mock
    accepts TxnOffsetCommit and the commit succeeds, but the offset is dropped (also true with a
    classic-protocol member and with no joined member at all). A plain commit() does store it.
    """
    source = _unique("eos-in")
    _seed(broker, source)
    group = _unique("eos-group")
    # group.protocol=consumer joins in ~0.1 s (classic: ~3 s); the result is the same with both.
    member = _consumer(broker, **{"group.id": group, "group.protocol": "consumer"})
    producer = Producer({"bootstrap.servers": broker.bootstrap_servers, "transactional.id": _unique("tx")})
    try:
        member.subscribe([source])
        assert _poll_until([member], lambda: len(member.assignment()) == PARTITIONS, seconds=10)
        producer.init_transactions(5)
        producer.begin_transaction()
        producer.produce(_unique("eos-out"), value=b"result")
        producer.send_offsets_to_transaction([TopicPartition(source, 0, 3)], member.consumer_group_metadata(), 5)
        producer.commit_transaction(5)  # no error: the transaction itself commits
        after_txn = member.committed([TopicPartition(source, 0)], timeout=5)[0].offset

        member.commit(offsets=[TopicPartition(source, 1, 2)], asynchronous=False)
        after_plain_commit = member.committed([TopicPartition(source, 1)], timeout=5)[0].offset
    finally:
        close_consumer(member)
    assert after_txn == -1001  # OFFSET_INVALID: nothing committed
    assert after_plain_commit == 2


# --- (3) idempotent producer --------------------------------------------------------------------


def test_idempotent_producer_works(broker, topic):
    """Kept: InitProducerId succeeds; messages land once, in order, on consecutive offsets.

    (Retries after a lost ack cannot be provoked from Python, so deduplication itself is untested.)
    """
    producer = Producer({"bootstrap.servers": broker.bootstrap_servers, "enable.idempotence": True})
    reports = []
    for n in range(5):
        producer.produce(
            topic,
            key=b"k",
            value=b"%d" % n,
            partition=0,
            on_delivery=lambda err, msg: reports.append((err, msg.offset())),
        )
    assert producer.flush(5) == 0
    assert reports == [(None, n) for n in range(5)]
    consumer = _consumer(broker, **{"enable.partition.eof": True})
    try:
        values = [m.value() for m in _read_all(consumer, [TopicPartition(topic, 0, 0)])]
    finally:
        close_consumer(consumer)
    assert values == [b"0", b"1", b"2", b"3", b"4"]


# --- (4) consumer group rebalance ---------------------------------------------------------------


def _subscribe(consumer: Consumer, topic: str, name: str, events: list) -> None:
    consumer.subscribe(
        [topic],
        on_assign=lambda c, parts: events.append((name, "assign", sorted(p.partition for p in parts))),
        on_revoke=lambda c, parts: events.append((name, "revoke", sorted(p.partition for p in parts))),
    )


def _member(broker, group: str, topic: str, name: str, events: list, **extra) -> Consumer:
    consumer = _consumer(broker, **{"group.id": group, **FAST_GROUP, **extra})
    _subscribe(consumer, topic, name, events)
    return consumer


def test_eager_rebalance_splits_partitions_and_calls_back(broker, topic):
    """Kept: range assignor, eager protocol: join, split 2/2, revoke-all then assign, leave."""
    _seed(broker, topic)
    group, events = _unique("eager"), []
    first = _member(broker, group, topic, "A", events)
    second = None
    try:
        assert _poll_until([first], lambda: len(first.assignment()) == PARTITIONS)
        assert events == [("A", "assign", [0, 1, 2, 3])]
        second = _member(broker, group, topic, "B", events)
        assert _poll_until([first, second], lambda: len(first.assignment()) == 2 and len(second.assignment()) == 2)
        assert sorted(_partitions(first) + _partitions(second)) == [0, 1, 2, 3]
        assert ("A", "revoke", [0, 1, 2, 3]) in events  # eager: everything is taken back first
        close_consumer(second)
        second = None
        assert _poll_until([first], lambda: len(first.assignment()) == PARTITIONS)
        assert events[-1] == ("A", "assign", [0, 1, 2, 3])
    finally:
        if second is not None:
            close_consumer(second)
        close_consumer(first)


def test_cooperative_sticky_rebalance_moves_only_what_it_must(broker, topic):
    """Kept: cooperative-sticky: the first member gives up exactly two partitions and keeps two."""
    _seed(broker, topic)
    group, events = _unique("coop"), []
    cooperative = {"partition.assignment.strategy": "cooperative-sticky"}
    first = _member(broker, group, topic, "A", events, **cooperative)
    second = None
    try:
        assert _poll_until([first], lambda: len(first.assignment()) == PARTITIONS)
        second = _member(broker, group, topic, "B", events, **cooperative)
        assert _poll_until([first, second], lambda: len(first.assignment()) == 2 and len(second.assignment()) == 2)
        revoked = [parts for name, kind, parts in events if (name, kind) == ("A", "revoke")]
        assert revoked == [_partitions(second)]  # only what moved, nothing else
        assert sorted(_partitions(first) + _partitions(second)) == [0, 1, 2, 3]
    finally:
        if second is not None:
            close_consumer(second)
        close_consumer(first)


def test_next_gen_consumer_protocol_kip848_joins_fast(broker, topic):
    """Kept (and a speed trick for tests): group.protocol=consumer (KIP-848) joins in ~0.1 s.

    Real Kafka needs a 4.0+ broker for it; lessons teach the classic protocol.
    """
    _seed(broker, topic)
    group, events = _unique("kip848"), []
    first = _consumer(broker, **{"group.id": group, "group.protocol": "consumer"})
    _subscribe(first, topic, "A", events)
    second = None
    try:
        started = time.monotonic()
        assert _poll_until([first], lambda: len(first.assignment()) == PARTITIONS, seconds=5)
        assert time.monotonic() - started < 2
        second = _consumer(broker, **{"group.id": group, "group.protocol": "consumer"})
        _subscribe(second, topic, "B", events)
        assert _poll_until(
            [first, second], lambda: len(first.assignment()) == 2 and len(second.assignment()) == 2, seconds=10
        )
        assert sorted(_partitions(first) + _partitions(second)) == [0, 1, 2, 3]
    finally:
        if second is not None:
            close_consumer(second)
        close_consumer(first)


# --- (5) max.poll.interval.ms -------------------------------------------------------------------


def test_max_poll_interval_exceeded_kicks_the_consumer(broker, topic):
    """Kept (client-side): poll() returns _MAX_POLL_EXCEEDED, on_lost fires, the consumer rejoins."""
    _seed(broker, topic)
    lost = []
    consumer = _consumer(
        broker, **{"session.timeout.ms": 3000, "heartbeat.interval.ms": 300, "max.poll.interval.ms": 3000}
    )
    consumer.subscribe([topic], on_lost=lambda c, parts: lost.append(len(parts)))
    try:
        assert _poll_until([consumer], lambda: len(consumer.assignment()) == PARTITIONS)
        time.sleep(4.0)  # "processing" longer than max.poll.interval.ms
        error = None
        deadline = time.monotonic() + 5
        while error is None and time.monotonic() < deadline:
            message = consumer.poll(0.2)
            if message is not None and message.error():
                error = message.error()
        assert error is not None and error.code() == KafkaError._MAX_POLL_EXCEEDED
        assert _poll_until([consumer], lambda: lost, seconds=5)  # on_lost comes with a later poll
        assert lost == [PARTITIONS]
        assert _poll_until([consumer], lambda: len(consumer.assignment()) == PARTITIONS, seconds=10)
    finally:
        close_consumer(consumer)


# --- (6) AdminClient ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def admin(broker) -> AdminClient:
    return AdminClient({"bootstrap.servers": broker.bootstrap_servers, "log_level": 0})


def test_admin_list_topics_works(broker, admin, topic):
    """Kept: Metadata: auto-created topics are listed, with 4 partitions."""
    _seed(broker, topic, partitions=[0])
    metadata = admin.list_topics(timeout=5)
    assert topic in metadata.topics
    assert len(metadata.topics[topic].partitions) == PARTITIONS


def test_admin_controller_requests_time_out(broker, admin, topic):
    """Documents a mock limit; if this starts failing, the mock gained the feature: update lessons/README.md.

    create_topics, delete_topics, create_partitions, describe_configs, incremental_alter_configs and
    describe_cluster all wait for a controller the mock never names (Metadata says controller 0,
    the broker is 1), and fail with _TIMED_OUT. Real Kafka: they all work.
    """
    _seed(broker, topic, partitions=[0])
    timeouts = {"request_timeout": 1.5}
    futures = {
        "create_topics": admin.create_topics([NewTopic(topic + "-new", 3, 1)], operation_timeout=1, **timeouts)[
            topic + "-new"
        ],
        "delete_topics": admin.delete_topics([topic], operation_timeout=1, **timeouts)[topic],
        "create_partitions": admin.create_partitions([NewPartitions(topic, 8)], **timeouts)[topic],
        "describe_configs": next(iter(admin.describe_configs([ConfigResource("topic", topic)], **timeouts).values())),
        "incremental_alter_configs": next(
            iter(
                admin.incremental_alter_configs(
                    [
                        ConfigResource(
                            "topic",
                            topic,
                            incremental_configs=[
                                ConfigEntry("cleanup.policy", "compact", incremental_operation=AlterConfigOpType.SET)
                            ],
                        )
                    ],
                    **timeouts,
                ).values()
            )
        ),
        "describe_cluster": admin.describe_cluster(**timeouts),
    }
    codes = {}
    for name, future in futures.items():
        with pytest.raises(KafkaException) as caught:
            future.result()
        codes[name] = caught.value.args[0].code()
    assert codes == {name: KafkaError._TIMED_OUT for name in futures}
    metadata = admin.list_topics(timeout=5)
    assert topic in metadata.topics and topic + "-new" not in metadata.topics
    assert len(metadata.topics[topic].partitions) == PARTITIONS


def test_admin_group_listing_is_unsupported(admin):
    """Documents a mock limit; if this starts failing, the mock gained the feature: update lessons/README.md.

    ListGroups, DescribeGroups and DeleteGroups are not implemented: list_consumer_groups,
    describe_consumer_groups and delete_consumer_groups fail with _UNSUPPORTED_FEATURE.
    """
    listed = admin.list_consumer_groups(request_timeout=3).result()
    assert listed.valid == []
    assert [error.code() for error in listed.errors] == [KafkaError._UNSUPPORTED_FEATURE]
    for future in (
        next(iter(admin.describe_consumer_groups(["any"], request_timeout=3).values())),
        next(iter(admin.delete_consumer_groups(["any"], request_timeout=3).values())),
    ):
        with pytest.raises(KafkaException) as caught:
            future.result()
        assert caught.value.args[0].code() == KafkaError._UNSUPPORTED_FEATURE


def test_admin_group_offsets_work_for_named_partitions_only(broker, admin, topic):
    """Kept: alter_consumer_group_offsets and list_consumer_group_offsets for named partitions.

    Mock limit inside: listing ALL of a group's offsets (no partitions given) returns an empty
    list; real Kafka returns every committed partition. If that changes, update lessons/README.md.
    """
    _seed(broker, topic)
    group = _unique("offsets")
    altered = admin.alter_consumer_group_offsets(
        [ConsumerGroupTopicPartitions(group, [TopicPartition(topic, 2, 7)])], request_timeout=3
    )
    assert [(tp.partition, tp.offset, tp.error) for tp in altered[group].result().topic_partitions] == [(2, 7, None)]
    named = admin.list_consumer_group_offsets(
        [ConsumerGroupTopicPartitions(group, [TopicPartition(topic, 2)])], request_timeout=3
    )
    assert [(tp.partition, tp.offset) for tp in named[group].result().topic_partitions] == [(2, 7)]
    everything = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)], request_timeout=3)
    assert everything[group].result().topic_partitions == []
    # and a consumer of the group sees the altered offset
    consumer = _consumer(broker, **{"group.id": group})
    try:
        assert consumer.committed([TopicPartition(topic, 2)], timeout=5)[0].offset == 7
    finally:
        close_consumer(consumer)


# --- (7) compaction and retention ---------------------------------------------------------------


def test_no_compaction_no_retention_no_delete_records(broker, admin, topic):
    """Documents a mock limit; if this starts failing, the mock gained the feature: update lessons/README.md.

    No cleanup.policy=compact (topic configs cannot be set, see the controller test), no time
    retention, and delete_records is unsupported. All versions of a key and its tombstone stay
    readable (until the size limit of the next test).
    """
    producer = Producer({"bootstrap.servers": broker.bootstrap_servers})
    for value in (b"v1", b"v2", None):
        producer.produce(topic, key=b'{"id":1}', value=value, partition=0)
    assert producer.flush(5) == 0
    deleted = admin.delete_records([TopicPartition(topic, 0, 2)], request_timeout=3)
    with pytest.raises(KafkaException) as caught:
        next(iter(deleted.values())).result()
    assert caught.value.args[0].code() == KafkaError._UNSUPPORTED_FEATURE
    consumer = _consumer(broker, **{"enable.partition.eof": True})
    try:
        values = [m.value() for m in _read_all(consumer, [TopicPartition(topic, 0, 0)])]
    finally:
        close_consumer(consumer)
    assert values == [b"v1", b"v2", None]  # the tombstone comes back with value None


def test_a_partition_keeps_only_its_newest_few_megabytes(broker, topic):
    """Documents a mock limit (size retention of ~5 MB per partition, librdkafka's mock default);
    if this starts failing, update lessons/README.md and bench/tail.py, which spreads its volume."""
    producer = Producer({"bootstrap.servers": broker.bootstrap_servers, "linger.ms": 20})
    value = b"x" * 1000
    for _ in range(8000):  # ~8 MB into one partition
        producer.produce(topic, value=value, partition=0)
    assert producer.flush(10) == 0
    consumer = _consumer(broker)
    try:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=5)
    finally:
        close_consumer(consumer)
    assert high == 8000
    assert 2000 < low < 5000  # the oldest messages are gone: ~5 MB (4 000-6 000 of them) remain


# --- (8) keys, headers, timestamps, partitioning ------------------------------------------------


def test_keys_headers_and_create_timestamps_round_trip(broker, topic):
    """Kept: key, value, null value, repeated/ordered/binary headers and CreateTime timestamps."""
    producer = Producer({"bootstrap.servers": broker.bootstrap_servers})
    headers = [("op", b"u"), ("op", b"c"), ("bin", b"\x00\xff")]
    stamp = 1_700_000_000_123
    producer.produce(topic, key=b'{"id":1}', value=b"after", headers=headers, timestamp=stamp, partition=0)
    producer.produce(topic, key=b'{"id":1}', value=None, partition=0, timestamp=stamp + 1)
    assert producer.flush(5) == 0
    consumer = _consumer(broker, **{"enable.partition.eof": True})
    try:
        first, tombstone = _read_all(consumer, [TopicPartition(topic, 0, 0)])
    finally:
        close_consumer(consumer)
    assert (first.key(), first.value(), first.headers()) == (b'{"id":1}', b"after", headers)
    assert first.timestamp() == (TIMESTAMP_CREATE_TIME, stamp)
    assert (tombstone.value(), tombstone.headers(), tombstone.timestamp()[1]) == (None, None, stamp + 1)


def test_partitioning_is_client_side_murmur2_random_matches_java(broker, topic):
    """Kept: partitions follow the client's partitioner; the mock only stores.

    With partitioner=murmur2_random a key lands where Java clients (and Debezium) put it. The
    librdkafka default (consistent_random, CRC32) puts some keys elsewhere: a lesson that compares
    partitions with Debezium's must set murmur2_random.
    """
    keys = [b'{"id":%d}' % n for n in range(1, 9)]
    placed = {}
    for partitioner in ("murmur2_random", "consistent_random"):
        producer = Producer({"bootstrap.servers": broker.bootstrap_servers, "partitioner": partitioner})
        reports = {}
        for key in keys:
            producer.produce(
                topic,
                key=key,
                value=b"x",
                on_delivery=lambda err, msg, reports=reports: reports.__setitem__(msg.key(), msg.partition()),
            )
        assert producer.flush(5) == 0
        placed[partitioner] = reports
    assert placed["murmur2_random"] == {key: (murmur2(key) & 0x7FFFFFFF) % PARTITIONS for key in keys}
    assert placed["consistent_random"] != placed["murmur2_random"]


# --- (9) offsets_for_times ----------------------------------------------------------------------


def test_offsets_for_times_ignores_the_timestamp(broker, topic):
    """Documents a mock limit; if this starts failing, the mock gained the feature: update lessons/README.md.

    Real Kafka: the earliest offset whose timestamp >= the asked one (here 0, 1 and 0). The mock
    answers -1 (end of partition) for every timestamp.
    """
    producer = Producer({"bootstrap.servers": broker.bootstrap_servers})
    base = 1_700_000_000_000
    for n in range(3):
        producer.produce(topic, value=b"%d" % n, partition=0, timestamp=base + n * 1000)
    assert producer.flush(5) == 0
    consumer = _consumer(broker)
    try:
        answers = [
            consumer.offsets_for_times([TopicPartition(topic, 0, when)], timeout=5)[0].offset
            for when in (base - 1, base + 500, 0)
        ]
    finally:
        close_consumer(consumer)
    assert answers == [-1, -1, -1]


# --- (10) end of partition ----------------------------------------------------------------------


def test_partition_eof_is_reported(broker, topic):
    """Kept: enable.partition.eof gives one _PARTITION_EOF per partition, empty ones included,
    and again after new messages are read."""
    _seed(broker, topic, partitions=[1])
    consumer = _consumer(broker, **{"enable.partition.eof": True})
    try:
        consumer.assign([TopicPartition(topic, p, 0) for p in range(PARTITIONS)])
        ends = {}
        deadline = time.monotonic() + 5
        while len(ends) < PARTITIONS and time.monotonic() < deadline:
            message = consumer.poll(0.2)
            if message is not None and message.error():
                assert message.error().code() == KafkaError._PARTITION_EOF
                ends[message.partition()] = message.offset()
        assert ends == {0: 0, 1: 1, 2: 0, 3: 0}
        _seed(broker, topic, partitions=[1])
        events = []
        deadline = time.monotonic() + 5
        while len(events) < 2 and time.monotonic() < deadline:
            message = consumer.poll(0.2)
            if message is not None:
                events.append((message.error().code() if message.error() else "msg", message.offset()))
        assert events == [("msg", 1), (KafkaError._PARTITION_EOF, 2)]
    finally:
        close_consumer(consumer)


# --- (11) the broker's lifetime -----------------------------------------------------------------


def test_everything_dies_with_the_owning_client():
    """Documents a mock limit; if this starts failing, the mock gained the feature: update lessons/README.md.

    Closing the EmbeddedBroker destroys the mock: the port refuses connections, clients time out,
    and a new EmbeddedBroker starts empty (no topics, no committed offsets), on a new port.
    """
    first = EmbeddedBroker()
    _seed(first, "inventory.customers", partitions=[0])
    consumer = _consumer(first, **{"group.id": "survivor"})
    consumer.commit(offsets=[TopicPartition("inventory.customers", 0, 1)], asynchronous=False)
    assert consumer.committed([TopicPartition("inventory.customers", 0)], timeout=5)[0].offset == 1
    first.close()
    try:
        with pytest.raises(KafkaException) as caught:
            consumer.committed([TopicPartition("inventory.customers", 0)], timeout=1.5)
        assert caught.value.args[0].code() == KafkaError._TIMED_OUT
    finally:
        close_consumer(consumer)

    with EmbeddedBroker() as second:
        fresh = _consumer(second, **{"group.id": "survivor"})
        try:
            assert "inventory.customers" not in fresh.list_topics(timeout=5).topics
            [offset] = fresh.committed([TopicPartition("inventory.customers", 0)], timeout=5)
        finally:
            close_consumer(fresh)
        assert offset.offset == -1001
