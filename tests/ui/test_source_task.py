"""A step that asks the student to change the source database: Alt+T puts the step's SQL into
«База», Enter runs it, and the `source` check compares what the student's code built with the
database, at 80x24 as over SSH, on the real embedded lab and a real kernel."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

from cdc_tutor import strings
from cdc_tutor.course.loader import load_course
from cdc_tutor.lab import lab_key, open_lab
from cdc_tutor.settings import Settings
from cdc_tutor.ui import messages

from .conftest import RecordingApp, record
from .test_exercise_editor import screen_text
from .test_walk import open_lesson, posted

COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "source_course"


async def _until(pilot, predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        await pilot.pause(0.1)
    return predicate()


async def test_alt_t_runs_the_steps_sql_in_the_source_pane_and_the_check_compares_with_it(store, tmp_path, monkeypatch):
    for name in ("CDC_TUTOR_BOOTSTRAP_SERVERS", "CDC_TUTOR_LESSONS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CDC_TUTOR_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("CDC_TUTOR_DATA_DIR", str(tmp_path / "data"))
    settings = Settings.load()
    app = RecordingApp(
        load_course(COURSE), store, partial(open_lab, settings), settings=settings, lab_key=partial(lab_key, settings)
    )
    async with app.run_test(size=(80, 24), message_hook=record(app)) as pilot:
        assert await _until(pilot, lambda: app.lab is not None)
        await open_lesson(pilot, "module-1/01-mirror")
        assert await _until(pilot, lambda: posted(app, messages.KernelReady), seconds=90)

        await pilot.press("alt+t")  # the panes come forward at 80x24, «База» holds the step's SQL
        await pilot.pause()
        shown = screen_text(app)
        assert "Задание шага" in shown and "INSERT INTO inventory.orders" in shown, shown
        assert app.lab.database.query("SELECT count(*) FROM orders WHERE quantity >= 100") == [(0,)]  # not run yet

        await pilot.press("enter")
        assert await _until(pilot, lambda: "Готово" in screen_text(app)), screen_text(app)
        assert app.lab.database.query("SELECT status FROM orders WHERE quantity >= 100") == [("PAID",)]

        await pilot.press("f5")  # from «База»'s input: the run brings the output forward, keys follow
        await pilot.pause()
        assert app.screen.query_one("#pane-tabs").active == "pane-output"
        assert app.focused is not None and app.focused.id == "answer"
        assert await _until(pilot, lambda: posted(app, messages.SnippetFinished), seconds=60)
        assert posted(app, messages.SnippetFinished)[0].status == "ok"
        for key in ("2", "enter"):  # the question still open during the run: its answer field has the keys
            await pilot.press(key)
        assert await _until(pilot, lambda: posted(app, messages.CheckpointPassed))
        await pilot.press("f2")
        assert await _until(pilot, lambda: len(posted(app, messages.CheckpointPassed)) == 2, seconds=60), [
            m.reason for m in posted(app, messages.CheckpointFailed)
        ]


async def test_alt_t_in_a_step_that_asks_for_no_sql_says_so_and_runs_nothing(course, store):
    from .test_walk import FIRST

    app = RecordingApp(course, store)
    async with app.run_test(size=(80, 24), message_hook=record(app)) as pilot:
        await open_lesson(pilot, FIRST)
        await pilot.press("alt+t")
        await pilot.pause()
        assert strings.SQL_NO_TASK in screen_text(app)
        assert app.screen.query_one("#sql-input").value == ""
