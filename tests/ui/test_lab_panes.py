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


async def test_a_lesson_with_lab_options_gets_its_own_lab_in_the_tui(store, tmp_path, monkeypatch):
    """The app's default lab is replaced by the one the lesson asks for, and the student's code and
    the topic pane both use it: the fixture's check passes only without the schema wrapper."""
    from functools import partial
    from pathlib import Path

    from cdc_tutor.course.loader import load_course
    from cdc_tutor.lab import lab_key, open_lab
    from cdc_tutor.settings import Settings
    from cdc_tutor.ui import messages

    from .conftest import record
    from .test_walk import open_lesson, posted

    for name in ("CDC_TUTOR_BOOTSTRAP_SERVERS", "CDC_TUTOR_LESSONS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CDC_TUTOR_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("CDC_TUTOR_DATA_DIR", str(tmp_path / "data"))
    settings = Settings.load()
    course = load_course(Path(__file__).resolve().parents[1] / "fixtures" / "lab_options_course")
    app = RecordingApp(
        course, store, partial(open_lab, settings), settings=settings, lab_key=partial(lab_key, settings)
    )
    async with app.run_test(size=(80, 24), message_hook=record(app)) as pilot:  # as over SSH
        assert await _until(pilot, lambda: app.lab is not None)
        default_lab = app.lab
        assert default_lab.options == LabOptions()  # the catalog's lab: the defaults
        await open_lesson(pilot, "module-1/01-schemaless")
        assert await _until(pilot, lambda: posted(app, messages.KernelReady), seconds=90)
        assert app.lab is not default_lab and app.lab.options == LabOptions(schemas_enabled=False, workload=False)
        assert posted(app, messages.KernelReady)[0].bootstrap == app.lab.bootstrap_servers
        await pilot.press("f5")
        assert await _until(pilot, lambda: posted(app, messages.SnippetFinished), seconds=60)
        assert posted(app, messages.SnippetFinished)[0].status == "ok"
        await pilot.press("f2")
        assert await _until(pilot, lambda: posted(app, messages.CheckpointPassed), seconds=60), [
            m.reason for m in posted(app, messages.CheckpointFailed)
        ]
        pane = app.screen.query_one(TopicPane)
        assert await _until(pilot, lambda: pane.tail is not None and pane._tail_lab is app.lab)
