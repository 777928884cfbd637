"""`cdc-tutor instructor`: the room at a glance. One row per student, the one stuck longest on top:
lesson, step, checks passed and failed, time on the step, the last failure; below, the most common
wrong answers (when the workshop shares answers). Fed live by the progress topic."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from cdc_tutor import strings
from cdc_tutor.workshop.events import ProgressEvent
from cdc_tutor.workshop.room import Room

Follow = Callable[[Callable[[list[ProgressEvent]], None], threading.Event], None]


def minutes(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


class InstructorApp(App):
    CSS = """
    #room-title { height: 1; padding: 0 1; background: $boost; }
    #room { height: 1fr; }
    #wrong-answers { height: auto; max-height: 10; padding: 0 1; border-top: solid $primary; }
    """
    BINDINGS = [Binding("ctrl+q,f10,q", "quit", strings.ACTION_QUIT)]
    REFRESH_SECONDS = 0.5
    DOCTOR_LINES = 3
    COLUMNS = strings.INSTRUCTOR_COLUMNS

    def __init__(self, follow: Follow, topic: str, clock: Callable[[], float] = time.time) -> None:
        """`follow(on_events, stop)` delivers batches of events until `stop` is set (it runs in a
        thread): cdc_tutor.kafka.progress_topic.follow bound to the workshop's broker and topic."""
        super().__init__()
        self.room = Room()
        self.topic = topic
        self._follow = follow
        self._clock = clock
        self._inbox: queue.SimpleQueue[list[ProgressEvent]] = queue.SimpleQueue()
        self._stop = threading.Event()
        self.problem: str | None = None
        self._columns: list = []
        self._shown: list[tuple[str, ...]] = []  # the cells of each row slot, as drawn

    def compose(self) -> ComposeResult:
        yield Static(id="room-title")
        yield DataTable(id="room", cursor_type="row", zebra_stripes=True)
        yield Static(id="wrong-answers")
        yield Footer()

    def on_mount(self) -> None:
        self._columns = self.query_one(DataTable).add_columns(*self.COLUMNS)
        threading.Thread(target=self._run_follow, name="instructor-follow", daemon=True).start()
        self.set_interval(self.REFRESH_SECONDS, self.refresh_room)
        self.refresh_room()

    def _run_follow(self) -> None:
        try:
            self._follow(self._inbox.put, self._stop)
        except Exception as error:  # noqa: BLE001 - shown in the title, the view stays up
            self.problem = f"{type(error).__name__}: {error}"

    def on_unmount(self) -> None:
        self._stop.set()

    def _show(self, rows: list[tuple[str, ...]]) -> None:
        """Redraw only the cells that changed. Rows are slots, the i-th for the i-th student in the
        order shown, so a new order is a few cell updates too: clearing and refilling 40 rows at
        every redraw held the loop ~130 ms (measured under load 4), this ~30 ms."""
        table = self.query_one(DataTable)
        for slot, cells in enumerate(rows):
            key = f"slot-{slot}"
            if slot >= len(self._shown):
                table.add_row(*cells, key=key)
                continue
            for column, old, new in zip(self._columns, self._shown[slot], cells, strict=True):
                if old != new:
                    table.update_cell(key, column, new)
        self._shown = list(rows)

    def refresh_room(self) -> None:
        """Fold what arrived into the room and redraw: at most every REFRESH_SECONDS, so 40 students
        at one event a second cost one redraw, not forty."""
        while True:
            try:
                batch = self._inbox.get_nowait()
            except queue.Empty:
                break
            for event in batch:
                self.room.apply(event)
        now = self._clock()
        self._show([
            (
                row.student, strings.INSTRUCTOR_HEALTH[row.health], row.lesson.split("/")[-1], row.step,
                str(row.passed), str(row.failed), minutes(row.stuck_for(now)), row.last_failure[:60],
            )
            for row in self.room.by_stuck(now)
        ])  # fmt: skip
        title = strings.INSTRUCTOR_TITLE.format(topic=self.topic, students=len(self.room.rows), events=self.room.events)
        self.query_one("#room-title", Static).update(title + (f"  ⚠ {self.problem}" if self.problem else ""))
        self.query_one("#wrong-answers", Static).update("\n".join(self._doctor_lines() + self._answer_lines()))

    def _doctor_lines(self) -> list[str]:
        """Students whose doctor is not happy, failures first: they cannot start until it is fixed."""
        unhealthy = self.room.unhealthy()[: self.DOCTOR_LINES]
        return [strings.INSTRUCTOR_DOCTOR_PROBLEMS] + [
            f"  {strings.INSTRUCTOR_HEALTH[row.health]} {row.student}: {row.health_detail[:70]}" for row in unhealthy
        ] if unhealthy else []  # fmt: skip

    def _answer_lines(self) -> list[str]:
        common = self.room.common_wrong_answers()
        if not common:
            return [strings.INSTRUCTOR_NO_ANSWERS]
        return [strings.INSTRUCTOR_WRONG_ANSWERS] + [
            f"  {count}× «{answer[:40]}» — {lesson.split('/')[-1]} / {step} / {checkpoint}"
            for (lesson, step, checkpoint), answer, count in common
        ]
