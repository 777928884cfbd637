"""Benchmark: the broker lab's JVM broker, start to ready and RSS, against the native stack's broker
start (format + start + ready, the same kafka_2.13 jars) in the same run.

Measured: `JvmBroker(data).start(warm_up=False)` (set-up done: storage template copied, CDS archive
mapped) until the broker answers metadata; then the warm-up transaction separately; RSS when ready.
Anchor: NativeStack's broker bring-up on a fresh state folder (StorageTool format, then kafka.Kafka
until it answers), as `cdc-tutor lab up --native` does it. Target: median < 2 s.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from cdc_tutor.lab.jvm_broker import JvmBroker, setup_kafka_lab  # noqa: E402

TARGET_S = 2.0


def _rss_mb(pid: int) -> float:
    """The launcher's and the JVM's RSS together (the JVM is the launcher's child)."""
    from cdc_tutor.stack.processes import tree_rss_kib

    return tree_rss_kib(pid) / 1024


def _lab_start(data: Path) -> tuple[float, float, float]:
    from cdc_tutor.kafka.warmup import warm_up_transactions

    began = time.perf_counter()
    broker = JvmBroker(data).start(warm_up=False)
    ready = time.perf_counter() - began
    try:
        rss = _rss_mb(broker.process.pid)
        warm = warm_up_transactions(broker.bootstrap_servers)
    finally:
        broker.close()
    return ready, warm, rss


def _native_start(base: Path, number: int) -> float:
    from cdc_tutor.stack.catalog import BROKER
    from cdc_tutor.stack.config import StackConfig
    from cdc_tutor.stack.jars import resolve
    from cdc_tutor.stack.native import NativeStack

    config = StackConfig.with_free_ports(base / f"native-{number}")
    stack = NativeStack(config, report=lambda line: None)
    Path(config.state_dir).mkdir(parents=True, exist_ok=True)
    config.logs_dir.mkdir(parents=True, exist_ok=True)
    jars = resolve(BROKER, config.cache_dir, config.maven_repo, lambda line: None)
    began = time.perf_counter()
    stack._start_broker(jars)
    seconds = time.perf_counter() - began
    stack.stop_broker()
    return seconds


def measure(runs: int = 5) -> list[dict]:
    runs = max(3, min(runs, 5))  # each run is a JVM start: keep the bench under a minute
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        setup_kafka_lab(base / "data", report=lambda line: None)
        ours, warm, rss, native = [], [], [], []
        for number in range(runs):  # alternate, so load drifts hit both alike
            ready, warm_s, rss_mb = _lab_start(base / "data")
            ours.append(ready)
            warm.append(warm_s)
            rss.append(rss_mb)
            native.append(_native_start(base, number))
    median, anchor = statistics.median(ours), statistics.median(native)
    return [
        {
            "metric": "broker_lab_start_to_ready_s",
            "median": round(median, 3),
            "runs": runs,
            "anchor": "native_stack_broker_format_start_ready_s",
            "anchor_median": round(anchor, 3),
            "ratio": round(median / anchor, 3),
            "warm_up_transaction_median_s": round(statistics.median(warm), 3),
            "rss_mb_median": round(statistics.median(rss), 1),
            "target": f"median < {TARGET_S}",
            "met": median < TARGET_S,
        }
    ]


if __name__ == "__main__":
    import json

    for result in measure(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
        print(json.dumps(result))
