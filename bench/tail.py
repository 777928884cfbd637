"""Benchmarks of the live tail: throughput against raw consume(), decoding, and memory after 1M events."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from cdc_tutor.cdc.decode import decode_message  # noqa: E402
from cdc_tutor.kafka.broker import EmbeddedBroker  # noqa: E402
from cdc_tutor.kafka.sink import KafkaSink  # noqa: E402
from cdc_tutor.kafka.tail import TopicTail  # noqa: E402

FIXTURES = HERE.parent / "tests" / "fixtures" / "debezium"
# The mock broker keeps only the newest ~5 MB per partition, so volume is spread over topics
# small enough to be kept whole (fill() checks that nothing was deleted).
TOPICS, PER_TOPIC = 40, 7_000  # 280k schema'd events of ~2 KB
RSS_TOPICS, RSS_PER_TOPIC = 32, 31_250  # 1M schemaless events of ~0.5 KB


def _value(name: str = "pg_3.1.3_update_full_schema.json") -> bytes:
    """A real Debezium capture, compact as JsonConverter writes it."""
    return json.dumps(json.loads((FIXTURES / name).read_text()), separators=(",", ":")).encode()


def fill(bootstrap: str, prefix: str, topics: int, per_topic: int, value: bytes) -> int:
    """Write `per_topic` copies of `value` to topics prefix.0 .. prefix.N-1; returns the total."""
    from confluent_kafka import Consumer, TopicPartition

    sink = KafkaSink(bootstrap)
    for topic in range(topics):
        for n in range(per_topic):
            sink.send(f"{prefix}.{topic}", b'{"id":%d}' % n, value)
    assert sink.flush() == 0
    probe = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-probe"})
    for topic in range(topics):
        for partition in range(4):
            low, _ = probe.get_watermark_offsets(TopicPartition(f"{prefix}.{topic}", partition), timeout=10)
            assert low == 0, "the mock broker's retention deleted messages: use smaller topics"
    probe.close()
    return topics * per_topic


def raw_consume_seconds(bootstrap: str, prefix: str, count: int) -> float:
    """confluent-kafka's own consume() loop over the same topics: the anchor."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": f"bench-raw-{time.time_ns()}", "enable.auto.commit": False}
    )
    metadata = consumer.list_topics(timeout=10).topics
    consumer.assign(
        [
            TopicPartition(name, p, OFFSET_BEGINNING)
            for name, topic in metadata.items()
            if name.startswith(prefix + ".")
            for p in topic.partitions
        ]
    )
    seen, start = 0, time.perf_counter()
    while seen < count:
        seen += sum(1 for message in consumer.consume(1000, 0.5) if message.error() is None)
    elapsed = time.perf_counter() - start
    consumer.close()
    return elapsed


def tail_seconds(bootstrap: str, prefix: str, count: int) -> float:
    """TopicTail from the start until `count` messages are in its buffer, op sniffed and counted.

    Full decoding happens only for the lines a pane draws, so it is measured on its own
    (decode_message_events_per_s).
    """
    tail = TopicTail(bootstrap, [prefix + ".*"], from_start=True)
    start = time.perf_counter()
    tail.start()
    try:
        while tail.buffer.view(limit=200).received < count:
            time.sleep(0.01)
        return time.perf_counter() - start
    finally:
        tail.stop()


def measure(runs: int = 5) -> list[dict]:
    value = _value()
    raw, tailed = [], []
    with EmbeddedBroker() as broker:
        bootstrap = broker.bootstrap_servers
        total = fill(bootstrap, "bench", TOPICS, PER_TOPIC, value)
        raw_consume_seconds(bootstrap, "bench", total)  # warm the broker's fetch path
        for _ in range(runs):  # interleaved, so drift hits both alike
            raw.append(total / raw_consume_seconds(bootstrap, "bench", total))
            tailed.append(total / tail_seconds(bootstrap, "bench", total))
    decode_rate, loads_rate = _decode_rates(value, runs)
    raw_median = statistics.median(raw)
    tail_median = statistics.median(tailed)
    rss_mb, baseline_mb = _peak_rss()
    return [
        _result(
            "tail_events_per_s",
            tail_median,
            runs,
            "raw_consume_events_per_s",
            raw_median,
            "ratio >= 0.5",
            tail_median / raw_median >= 0.5,
        ),
        _result(
            "decode_message_events_per_s",
            decode_rate,
            runs,
            "json_loads_events_per_s",
            loads_rate,
            "informational",
            None,
        ),
        _result(
            "tail_peak_rss_mb_after_1m", rss_mb, 1, "idle_process_rss_mb", baseline_mb, "median < 300", rss_mb < 300
        ),
    ]


def _decode_rates(value: bytes, runs: int) -> tuple[float, float]:
    batch = [value] * 20_000
    ours, loads = [], []
    for _ in range(runs):
        start = time.perf_counter()
        for message in batch:
            decode_message(b'{"id":1}', message, topic="dbserver1.inventory.customers")
        ours.append(len(batch) / (time.perf_counter() - start))
        start = time.perf_counter()
        for message in batch:
            json.loads(b'{"id":1}')
            json.loads(message)
        loads.append(len(batch) / (time.perf_counter() - start))
    return statistics.median(ours), statistics.median(loads)


def _peak_rss() -> tuple[float, float]:
    """Tail 1M events in a child process (the broker, holding them all, lives in this one)."""
    with EmbeddedBroker() as broker:
        total = fill(
            broker.bootstrap_servers, "rss", RSS_TOPICS, RSS_PER_TOPIC, _value("pg_2.5.4_create_noschema.json")
        )
        child = [sys.executable, str(HERE / "tail_rss.py"), broker.bootstrap_servers, "rss.*"]
        tailed = json.loads(subprocess.run([*child, str(total)], check=True, capture_output=True, text=True).stdout)
        idle = json.loads(subprocess.run([*child, "0"], check=True, capture_output=True, text=True).stdout)
    return tailed["peak_rss_mb"], idle["peak_rss_mb"]


def _result(metric, value, runs, anchor, anchor_value, target, met) -> dict:
    return {
        "metric": metric,
        "median": round(value, 1),
        "runs": runs,
        "anchor": anchor,
        "anchor_median": round(anchor_value, 1),
        "ratio": round(value / anchor_value, 3),
        "target": target,
        "met": met,
    }


if __name__ == "__main__":
    for result in measure(3):
        print(json.dumps(result))
