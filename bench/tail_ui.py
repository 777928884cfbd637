"""Benchmark: the Textual event loop's longest stall while the topic pane tails a flood, against idle."""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from textual.app import App  # noqa: E402

from cdc_tutor.kafka.broker import EmbeddedBroker  # noqa: E402
from cdc_tutor.kafka.sink import KafkaSink  # noqa: E402
from cdc_tutor.kafka.tail import TopicTail  # noqa: E402
from cdc_tutor.ui.widgets.event_list import EventList  # noqa: E402
from cdc_tutor.ui.widgets.topic_pane import TopicPane  # noqa: E402

SECONDS = 8.0
TICK = 0.005


class _Lab:
    """What TopicPane asks of the app's lab: open_tail."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.bootstrap, self.topic = bootstrap, topic  # one topic per run: "idle" really is idle
        self.tails: list[TopicTail] = []

    def open_tail(self, topics, from_start=True) -> TopicTail:
        self.tails.append(TopicTail(self.bootstrap, [self.topic], from_start=from_start).start())
        return self.tails[-1]


class _PaneApp(App[None]):
    def __init__(self, lab) -> None:
        super().__init__()
        self.lab, self.lab_problem, self.lab_coming = lab, None, True

    def compose(self):
        yield TopicPane(id="topic-pane")


FLOOD_PER_SECOND = 30_000  # far above any lesson's rate, below what the mock's 5 MB/partition keeps


def _flood(bootstrap: str, topic: str, stop, value: bytes) -> None:
    """Produce FLOOD_PER_SECOND until `stop` is set. It runs in its own process, as a student's
    producer or Debezium would: the tutor's process only tails."""
    sink = KafkaSink(bootstrap)
    n, started = 0, time.monotonic()
    while not stop.is_set():
        for _ in range(300):
            sink.send(topic, b'{"id":%d}' % (n % 1000), value)
            n += 1
        ahead = n / FLOOD_PER_SECOND - (time.monotonic() - started)
        if ahead > 0:
            time.sleep(ahead)
    sink.flush()


async def _stalls(flood: bool, bootstrap: str, value: bytes, topic: str) -> tuple[float, float, int]:
    """(max stall ms, p99 stall ms, events received) over SECONDS of a running pane."""
    lab = _Lab(bootstrap, topic)
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    app = _PaneApp(lab)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        gc.freeze()  # what CdcTutorApp does once its lab has started
        producer = context.Process(target=_flood, args=(bootstrap, topic, stop, value), daemon=True)
        if flood:
            producer.start()
        lags = []
        deadline = time.perf_counter() + SECONDS
        while time.perf_counter() < deadline:
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            lags.append((time.perf_counter() - before - TICK) * 1000)
        stop.set()
        if flood:
            producer.join()
        received = app.query_one(TopicPane).tail.buffer.view(limit=1).received
        assert not flood or len(app.query_one(EventList).entries) > 0
    for tail in lab.tails:
        tail.stop()
    lags.sort()
    return lags[-1], lags[int(len(lags) * 0.99)], received


def measure(runs: int = 3) -> list[dict]:
    value = (HERE.parent / "tests" / "fixtures" / "debezium" / "pg_2.5.4_create_noschema.json").read_bytes()
    flooded, idle, received = [], [], []
    with EmbeddedBroker() as broker:
        for run in range(runs):
            worst, _, count = asyncio.run(_stalls(True, broker.bootstrap_servers, value, f"bench.ui.{run}"))
            flooded.append(worst)
            received.append(count / SECONDS)
            idle.append(asyncio.run(_stalls(False, broker.bootstrap_servers, value, f"bench.ui.idle{run}"))[0])
    worst, anchor = statistics.median(flooded), statistics.median(idle)
    return [
        {
            "metric": "ui_loop_max_stall_ms_while_tailing",
            "median": round(worst, 1),
            "runs": runs,
            "anchor": "ui_loop_max_stall_ms_idle",
            "anchor_median": round(anchor, 1),
            "ratio": round(worst / anchor, 2) if anchor else None,
            "tailed_events_per_s": round(statistics.median(received)),
            "target": "median < 50",
            "met": worst < 50,
        }
    ]


if __name__ == "__main__":
    import json

    for result in measure(2):
        print(json.dumps(result))
