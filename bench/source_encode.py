"""Benchmark: workload changes encoded as Debezium JSON and produced, against producing pre-built bytes."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from confluent_kafka import Producer  # noqa: E402

from cdc_tutor.kafka.broker import EmbeddedBroker  # noqa: E402
from cdc_tutor.kafka.sink import KafkaSink  # noqa: E402
from cdc_tutor.source.database import InventoryDatabase  # noqa: E402
from cdc_tutor.source.encoder import DebeziumEncoder  # noqa: E402
from cdc_tutor.source.workload import Workload  # noqa: E402

EVENTS = 10_000
TARGET = 20_000


def _changes():
    db = InventoryDatabase()
    workload = Workload(db, seed=5)
    while db.last_seq < EVENTS:
        workload.step()
    changes = db.changes_since(0, EVENTS)
    db.close()
    return changes


def _ours(address: str, server: str, changes) -> float:
    """Events/s: encode every change (schemas on, precise decimals) and produce it via KafkaSink."""
    encoder = DebeziumEncoder(server=server)
    sink = KafkaSink(address)
    _warm(sink.send, sink.flush, encoder, changes[:50])
    started = time.perf_counter()
    send = sink.send
    for change in changes:
        for record in encoder.encode_change(change):
            send(*record)
    sink.flush()
    return len(changes) / (time.perf_counter() - started)


def _raw(address: str, server: str, changes) -> float:
    """Events/s of a bare Producer sending the same bytes, prepared beforehand (KafkaSink's config)."""
    encoder = DebeziumEncoder(server=server)
    records = [record for change in changes for record in encoder.encode_change(change)]
    producer = Producer(
        {
            "bootstrap.servers": address,
            "linger.ms": 5,
            "enable.idempotence": True,
            "partitioner": "murmur2_random",
            "log_level": 3,
        }
    )
    _warm(lambda t, k, v: producer.produce(t, key=k, value=v), producer.flush, encoder, changes[:50])
    started = time.perf_counter()
    produce, poll = producer.produce, producer.poll
    for topic, key, value in records:
        while True:
            try:
                produce(topic, key=key, value=value)
                break
            except BufferError:
                poll(0.05)
        poll(0)
    producer.flush()
    return len(changes) / (time.perf_counter() - started)


def _warm(send, flush, encoder, changes) -> None:
    # Topic creation and first metadata are one-off costs, not throughput.
    for change in changes:
        for record in encoder.encode_change(change):
            send(*record)
    flush()


def measure(runs: int = 5) -> list[dict]:
    changes = _changes()
    ours, raw = [], []
    for run in range(runs):
        with EmbeddedBroker() as broker:  # a fresh broker per run: the mock keeps every message in memory
            ours.append(_ours(broker.bootstrap_servers, f"ours{run}", changes))
            raw.append(_raw(broker.bootstrap_servers, f"raw{run}", changes))
    ours_median, raw_median = statistics.median(ours), statistics.median(raw)
    return [
        {
            "metric": "source_encode_produce_events_per_s",
            "median": round(ours_median),
            "runs": runs,
            "events": len(changes),
            "anchor": "raw_producer_prebuilt_bytes_events_per_s",
            "anchor_median": round(raw_median),
            "ratio": round(ours_median / raw_median, 3),
            "target": f"median > {TARGET}",
            "met": ours_median > TARGET,
        }
    ]


if __name__ == "__main__":
    print(measure())
