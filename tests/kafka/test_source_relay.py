"""SourceRelay into the embedded broker: snapshot then changes, in order per key, each exactly once."""

from __future__ import annotations

import threading
import time
import uuid

from confluent_kafka import Consumer

from cdc_tutor.cdc.decode import decode_message
from cdc_tutor.kafka.closing import close_consumer
from cdc_tutor.kafka.sink import KafkaSink
from cdc_tutor.source.database import InventoryDatabase
from cdc_tutor.source.encoder import DebeziumEncoder
from cdc_tutor.source.relay import SourceRelay
from cdc_tutor.source.schema import TABLES
from cdc_tutor.source.workload import Workload


def _read_all(address: str, topics: list[str], expected: int, seconds: float = 30.0):
    consumer = Consumer(
        {
            "bootstrap.servers": address,
            "group.id": f"relay-test-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "log_level": 3,
        }
    )
    consumer.subscribe(topics)
    records, deadline = [], time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            message = consumer.poll(0.2)
            if message is None:
                if len(records) >= expected:
                    break
                continue
            if message.error() is None:
                records.append((message.topic(), message.partition(), message.offset(), message.key(), message.value()))
    finally:
        close_consumer(consumer)
    return records


def _setup(broker, topic):
    server = topic.rsplit(".", 1)[1]  # a fresh topic prefix per test on the shared broker
    db = InventoryDatabase()
    sink = KafkaSink(broker.bootstrap_servers)
    relay = SourceRelay(db, DebeziumEncoder(server=server), sink.send, flush=sink.flush)
    return server, db, sink, relay


def test_snapshot_then_changes_arrive_once_and_in_order(broker, topic):
    server, db, sink, relay = _setup(broker, topic)
    assert relay.pump() == 26  # the tutorial snapshot
    db.execute_script("UPDATE customers SET email = 'sally@example.com' WHERE id = 1001")
    db.execute_script("DELETE FROM orders WHERE id = 10004")
    assert relay.pump() == 3  # u, d, tombstone
    assert relay.pump() == 0 and relay.pump() == 0  # nothing new: nothing resent
    workload = Workload(db, seed=9)
    for _ in range(200):
        workload.step()
    expected_changes = db.last_seq
    sent = relay.pump()
    assert relay.pump() == 0
    assert sink.flush() == 0
    total = 26 + 3 + sent
    records = _read_all(broker.bootstrap_servers, [f"{server}.inventory.{t.name}" for t in TABLES], total)
    assert len(records) == total
    events = [decode_message(key, value, topic=name) for name, _, _, key, value in records]
    snapshot = [e for e in events if e.op == "r"]
    assert len(snapshot) == 26
    assert sorted(e.snapshot for e in snapshot).count("first") == 1
    assert [e.snapshot for e in snapshot].count("last") == 1
    streamed = [e for e in events if e.op in ("c", "u", "d")]
    lsns = [e.source["lsn"] for e in streamed]
    assert len(streamed) == expected_changes and len(set(lsns)) == len(lsns)  # each change exactly once
    # Within a partition (hence per key) Kafka keeps order: LSNs must rise there.
    by_partition = {}
    for (name, partition, offset, _, _), event in zip(records, events):
        if event.op in ("c", "u", "d"):
            by_partition.setdefault((name, partition), []).append((offset, event.source["lsn"]))
    for entries in by_partition.values():
        entries.sort()
        assert [lsn for _, lsn in entries] == sorted(lsn for _, lsn in entries)
    # The snapshot of a key precedes its changes.
    sally = [e for e in events if e.table == "customers" and e.key == {"id": 1001}]
    assert [e.op for e in sally] == ["r", "u"] and sally[1].after["email"] == "sally@example.com"
    tombstones = [e for e in events if e.is_tombstone]
    assert len(tombstones) == sum(1 for e in streamed if e.op == "d")
    db.close()


def test_run_relays_a_live_workload_without_loss(broker, topic):
    server, db, sink, relay = _setup(broker, topic)
    workload = Workload(db, seed=4, rate=300)
    stop = threading.Event()
    threads = [threading.Thread(target=relay.run, args=(stop,)), threading.Thread(target=workload.run, args=(stop,))]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(5)
    assert relay.position == db.last_seq > 0  # run() pumps once more after the stop
    assert sink.flush() == 0
    records = _read_all(broker.bootstrap_servers, [f"{server}.inventory.{t.name}" for t in TABLES], relay.sent)
    assert len(records) == relay.sent
    lsns = [
        decode_message(key, value).source["lsn"]
        for _, _, _, key, value in records
        if value is not None and b'"op":"r"' not in value
    ]
    assert len(lsns) == len(set(lsns)) == db.last_seq
    db.close()
