"""A Flink streaming query started with `tutor.stream` fills the «Окна» pane while no cell runs,
and Ctrl+Z cancels its job: a student's flow at 120x40 with a real Flink kernel on the broker lab."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from cdc_tutor import strings
from cdc_tutor.commands.run import lab_factory
from cdc_tutor.course.loader import load_course
from cdc_tutor.lab import lab_key
from cdc_tutor.settings import Settings
from cdc_tutor.ui import messages
from tests.engines import ensure_engine

from .conftest import RecordingApp, record
from .test_code_kernel import wait_until
from .test_exercise_editor import screen_text
from .test_walk import open_lesson, posted

COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "stream_course"
LESSON = "module-1/01-stream"


async def test_a_stream_fills_the_windows_pane_and_ctrl_z_cancels_its_job(store, tmp_path_factory):
    data_dir = ensure_engine("flink", tmp_path_factory).data_dir  # the engine and the broker lab set up
    settings = Settings.load(data_dir=data_dir)
    course = load_course(COURSE)
    app = RecordingApp(course, store, lab_factory(settings), settings=settings, lab_key=partial(lab_key, settings))
    async with app.run_test(size=(120, 40), message_hook=record(app)) as pilot:
        await open_lesson(pilot, LESSON)
        await wait_until(pilot, lambda: posted(app, messages.KernelReady) or posted(app, messages.KernelFailed), 300)
        assert not posted(app, messages.KernelFailed), posted(app, messages.KernelFailed)[0].problem
        await pilot.press("f5")
        await wait_until(pilot, lambda: posted(app, messages.SnippetFinished), 300)
        assert posted(app, messages.SnippetFinished)[0].status == "ok"
        await pilot.click("#--content-tab-pane-windows")  # the «Окна» tab, as a student clicks it
        # The cell is over; the job's changes keep coming into the pane.
        changelog = strings.WINDOWS_CHANGELOG_TITLE.partition("{")[0]
        await wait_until(pilot, lambda: changelog in screen_text(app), 120)
        await wait_until(pilot, lambda: strings.WINDOWS_TABLE_TITLE.format(count=0) not in screen_text(app), 60)
        await pilot.press("ctrl+z")  # nothing runs: the stream stops, its Flink job is cancelled
        stopped = strings.STREAMS_STOPPED.format(count=1)
        await wait_until(pilot, lambda: stopped in screen_text(app), 120)  # said on screen, whatever tab is in front
        assert posted(app, messages.StreamsStopped)[0].count == 1
        status = app.screen.kernel.runner.context().evaluate("orders_stream.job_status()", 30)
        assert status.value_repr in ("'CANCELED'", "'GONE'"), status  # GONE: the mini-cluster forgot it
        await pilot.press("f2")
        await wait_until(
            pilot, lambda: posted(app, messages.CheckpointPassed) or posted(app, messages.CheckpointFailed)
        )
        assert posted(app, messages.CheckpointPassed), strings.CHECK_FAILED_ERROR
