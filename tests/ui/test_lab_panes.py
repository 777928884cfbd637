"""The whole embedded lab inside the tutor: SQL typed in the source pane arrives as an event in
the topic pane, and the outage key cuts and restores the broker for the pane."""

from __future__ import annotations

import time

from cdc_tutor.course.session import LessonSession
from cdc_tutor.lab import EmbeddedLab
from cdc_tutor.lab.options import LabOptions
from cdc_tutor.ui.screens.lesson import LessonScreen
from cdc_tutor.ui.widgets.event_list import EventList
from cdc_tutor.ui.widgets.topic_pane import TopicPane

from .conftest import RecordingApp


async def _until(pilot, predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        await pilot.pause(0.1)
    return predicate()


async def test_sql_in_the_source_pane_becomes_an_event_in_the_topic_pane(course, store):
    app = RecordingApp(course, store, lambda lesson=None: EmbeddedLab(LabOptions(workload=False)).start())
    async with app.run_test(size=(140, 40)) as pilot:
        assert await _until(pilot, lambda: app.lab is not None)
        lesson = next(lesson for lesson in course.lessons() if not lesson.prerequisites)
        app.push_screen(LessonScreen(LessonSession(lesson, store)))
        await pilot.pause()
        events = app.screen.query_one(EventList)
        # The initial snapshot: 4 customers, 9 products, 9 on hand, 4 orders, all op r.
        assert await _until(pilot, lambda: len(events.entries) == 26)
        assert {entry.op for entry in events.entries} == {"r"}

        app.screen.query_one("#pane-tabs").active = "pane-source"
        await pilot.pause()
        sql = app.screen.query_one("#sql-input")
        sql.focus()
        sql.value = "UPDATE inventory.orders SET status = 'PAID' WHERE id = 10001"
        await pilot.press("enter")
        assert await _until(pilot, lambda: len(events.entries) == 27)
        update = events.summary(events.entries[-1])
        assert (update.table, update.op, update.key) == ("orders", "u", "id=10001")
        assert update.detail.startswith("status: ") and update.detail.endswith("→ PAID")
        assert "событий изменений 1" in str(app.screen.query_one("#sql-result").render())

        sql.value = "DROP TABLE inventory.orders"
        await pilot.press("enter")
        assert await _until(pilot, lambda: "Ошибка" in str(app.screen.query_one("#sql-result").render()))
        await pilot.pause(0.5)
        assert len(events.entries) == 27  # a refused statement makes no event

        pane = app.screen.query_one(TopicPane)
        await pilot.press("f12")
        assert not app.lab.reachable
        assert await _until(pilot, lambda: pane.tail.state.value == "disconnected")
        await pilot.press("f12")
        assert app.lab.reachable
        assert await _until(pilot, lambda: pane.tail.state.value == "connected")
