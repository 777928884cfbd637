"""A Python lesson asking for the broker lab, opened where it is not set up: the student is told at
80x24 that the lesson runs on the embedded broker and why, and a `realKafka` check passes with a
notice that it was not judged (the mock ignores read_committed: the aborted message is seen)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from cdc_tutor import strings
from cdc_tutor.commands.run import lab_factory
from cdc_tutor.course.loader import load_course
from cdc_tutor.lab import lab_key
from cdc_tutor.settings import Settings
from cdc_tutor.ui import messages

from .conftest import RecordingApp, record
from .test_code_kernel import wait_until
from .test_exercise_editor import screen_text
from .test_walk import open_lesson, posted

COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "fallback_course"


def notices(app) -> str:
    """The notices (toasts) on the rendered screen: the text right of their "▌" edge, wrapped lines
    joined into one."""
    lines = [line.rpartition("▌")[2] for line in screen_text(app).splitlines() if "▌" in line]
    return " ".join(" ".join(lines).split())


async def test_without_the_broker_lab_the_lesson_runs_on_the_mock_and_says_so(store, tmp_path):
    settings = Settings.load(data_dir=tmp_path / "data")  # `cdc-tutor setup kafka` never ran here
    app = RecordingApp(
        load_course(COURSE), store, lab_factory(settings), settings=settings, lab_key=partial(lab_key, settings)
    )
    async with app.run_test(size=(80, 24), notifications=True, message_hook=record(app)) as pilot:
        await open_lesson(pilot, "module-1/01-real-kafka")
        fallback = " ".join(strings.LAB_FALLBACK.partition("{")[0].split())
        await wait_until(pilot, lambda: fallback in notices(app), 120)
        assert "cdc-tutor setup kafka" in notices(app)
        await wait_until(pilot, lambda: posted(app, messages.KernelReady) or posted(app, messages.KernelFailed), 120)
        assert not posted(app, messages.KernelFailed)
        await pilot.press("f5")
        await wait_until(pilot, lambda: posted(app, messages.SnippetFinished), 120)
        assert posted(app, messages.SnippetFinished)[0].status == "ok"
        assert app.screen.kernel.runner.context().evaluate("aborted_seen", 10).value_repr == "1"  # the mock's gap
        await pilot.press("f2")
        await wait_until(
            pilot, lambda: posted(app, messages.CheckpointPassed) or posted(app, messages.CheckpointFailed)
        )
        assert posted(app, messages.CheckpointPassed)
        waived = " ".join(strings.REAL_KAFKA_WAIVED.split()[:4])
        await wait_until(pilot, lambda: waived in notices(app), 10)
