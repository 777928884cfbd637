"""Benchmark: the instructor's view with a room of 40 students, each publishing one progress event a
second, through a Kafka-protocol broker (the embedded mock) into `cdc-tutor instructor`'s app.

Measured: the Textual loop's longest stall while the room updates, against the same app with no
events in the same run (anchor); and the lag from an event's publication to its fold into the room
(`at` -> the redraw that shows it; the view redraws every 0.5 s). Targets: stall ratio < 3 and lag
p99 < 1.5 s.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cdc_tutor.kafka.broker import EmbeddedBroker  # noqa: E402
from cdc_tutor.kafka.progress_topic import ProgressPublisher, follow  # noqa: E402
from cdc_tutor.ui.instructor import InstructorApp  # noqa: E402
from cdc_tutor.workshop.events import ProgressEvent  # noqa: E402

STUDENTS = 40
SECONDS = 8.0
TICK = 0.005


def _room(bootstrap: str, topic: str, stop, ready) -> None:
    """40 students, one event a second each, spread over the second (their own process)."""
    publisher = ProgressPublisher(bootstrap, topic)
    for student in range(STUDENTS):  # every student has opened a lesson before the clock starts
        publisher.publish(ProgressEvent(f"s{student:02d}", "opened", "module-5/02-x", "s1", time.time()))
    publisher.close()
    ready.set()
    n = 0
    while not stop.is_set():
        student = n % STUDENTS
        kind = "failed" if n % 3 else "passed"
        publisher.publish(
            ProgressEvent(f"s{student:02d}", kind, "module-5/02-x", f"s{n % 4}", time.time(), "c1", "нет", "x")
        )
        n += 1
        time.sleep(1.0 / STUDENTS)
    publisher.close()


class _Timed(InstructorApp):
    """Records, for every event, how long after its publication the redraw that shows it ran."""

    lags: list[float]

    def refresh_room(self) -> None:
        seen = self.room.events
        pending = []
        while not self._inbox.empty():
            pending.extend(self._inbox.get_nowait())
        for event in pending:
            self._inbox.put([event])
        super().refresh_room()
        now = time.time()
        self.lags.extend(now - event.at for event in pending)
        assert self.room.events == seen + len(pending)


async def _stalls(bootstrap: str, topic: str, busy: bool) -> tuple[float, list[float], int]:
    context = multiprocessing.get_context("spawn")
    stop, ready = context.Event(), context.Event()
    room = context.Process(target=_room, args=(bootstrap, topic, stop, ready), daemon=True)
    room.start()
    ready.wait(30)
    if not busy:
        stop.set()  # the room has its 40 students, nobody moves: the anchor
    app = _Timed(partial(follow, bootstrap, topic), topic)
    app.lags = []
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause(2.0)  # the backlog (40 opened events) is read
        app.lags.clear()
        worst = 0.0
        deadline = time.perf_counter() + SECONDS
        while time.perf_counter() < deadline:
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            worst = max(worst, (time.perf_counter() - before - TICK) * 1000)
        stop.set()
        students = len(app.room.rows)
    room.join(10)
    return worst, app.lags, students


def measure(runs: int = 3) -> list[dict]:
    runs = max(1, min(runs, 3))
    busy, idle, lags, students = [], [], [], 0
    with EmbeddedBroker() as broker:
        for run in range(runs):
            worst, run_lags, students = asyncio.run(_stalls(broker.bootstrap_servers, f"bench.room.{run}", True))
            busy.append(worst)
            lags.extend(run_lags)
            idle.append(asyncio.run(_stalls(broker.bootstrap_servers, f"bench.room.idle{run}", False))[0])
    worst, anchor = statistics.median(busy), statistics.median(idle)
    lags.sort()
    p99 = lags[int(len(lags) * 0.99)] if lags else None
    return [
        {
            "metric": "instructor_max_stall_ms_40_students",
            "median": round(worst, 1),
            "anchor": "the same view, 40 students, no events",
            "anchor_median": round(anchor, 1),
            "ratio": round(worst / anchor, 2) if anchor else None,
            "students": students,
            "target": "ratio < 3",
            "met": bool(anchor) and worst / anchor < 3,
            "runs": runs,
        },
        {
            "metric": "instructor_event_to_screen_s",
            "median": round(statistics.median(lags), 3) if lags else None,
            "p99": round(p99, 3) if p99 is not None else None,
            "anchor": "the view's redraw period",
            "anchor_median": InstructorApp.REFRESH_SECONDS,
            "ratio": round(statistics.median(lags) / InstructorApp.REFRESH_SECONDS, 2) if lags else None,
            "events": len(lags),
            "target": "p99 < 1.5 s",
            "met": p99 is not None and p99 < 1.5,
        },
    ]
