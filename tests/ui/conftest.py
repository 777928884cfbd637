"""Fixtures for UI tests: the fixture course, a private progress store, an app that records messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdc_tutor.course.loader import load_course
from cdc_tutor.course.progress import ProgressStore
from cdc_tutor.ui.app import CdcTutorApp

FIXTURE_COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "course"


@pytest.fixture
def course():
    loaded = load_course(FIXTURE_COURSE)
    assert not loaded.all_problems(), loaded.all_problems()
    return loaded


@pytest.fixture
def store(tmp_path):
    opened = ProgressStore.open(tmp_path / "data" / "progress.sqlite3")
    yield opened
    opened.close()


class RecordingApp(CdcTutorApp):
    """The real app; `posted` keeps every message of ours, for assertions."""

    def __init__(self, course, store, lab_factory=None, **options) -> None:
        super().__init__(course, store, lab_factory, **options)
        self.posted: list = []


def record(app: RecordingApp):
    def hook(message) -> None:
        # The hook sees a message again at every node it bubbles through: keep it once.
        mine = type(message).__module__ == "cdc_tutor.ui.messages"
        if mine and not any(seen is message for seen in app.posted):
            app.posted.append(message)

    return hook


@pytest.fixture
def make_app(course, store):
    def make(course_override=None, store_override=None) -> RecordingApp:
        return RecordingApp(course_override or course, store_override or store)

    return make


def answers(course, lesson_id: str, step_index: int) -> list[tuple[str, str]]:
    """(checkpoint id, a correct answer) for every checkpoint of a step, from the lesson itself."""
    lesson = course.find(lesson_id)
    step = lesson.steps[step_index]
    return [(cp.id, cp.spec["answers"][0]) for cp in step.checkpoints]
