"""Every bundled lesson loads cleanly and every checkpoint can fail and can pass as written."""

from __future__ import annotations

import pytest

from cdc_tutor.course.checkpoints import KINDS
from cdc_tutor.course.loader import load_course
from cdc_tutor.course.model import Lesson
from cdc_tutor.course.progress import ProgressStore
from cdc_tutor.course.session import LessonSession
from cdc_tutor.settings import bundled_lessons_dir

COURSE = load_course(bundled_lessons_dir())


def test_bundled_course_has_no_problems():
    assert COURSE.lessons(), "no bundled lessons found"
    assert COURSE.all_problems() == []


@pytest.mark.parametrize("lesson", COURSE.lessons(), ids=lambda lesson: lesson.id)
def test_lesson_walks_from_locked_to_complete(lesson: Lesson):
    """Like `rustlings dev check`: nothing passes before its answer, every accepted answer passes."""
    store = ProgressStore.in_memory()
    session = LessonSession(lesson, store)
    for index, step in enumerate(lesson.steps):
        assert session.go_to(index), f"step {step.id} did not open after the previous one passed"
        for checkpoint in step.checkpoints:
            kind = KINDS[checkpoint.kind]
            if not kind.needs_input:  # kernel and Kafka state: `cdc-tutor verify` (test_verify.py)
                store.record_pass(lesson.id, step.id, checkpoint.id)
                continue
            assert not kind.evaluate(checkpoint.spec, "").passed
            assert not kind.evaluate(checkpoint.spec, "certainly not the answer").passed
            for answer in checkpoint.spec.get("answers", []):
                assert kind.evaluate(checkpoint.spec, str(answer)).passed, (step.id, checkpoint.id, answer)
            assert len(checkpoint.hints) >= 2
            assert session.check(checkpoint.id, str(checkpoint.spec["answers"][0])).verdict.passed
        assert session.step_passed()
    assert session.complete()
    store.close()


@pytest.mark.parametrize("lesson", COURSE.lessons(), ids=lambda lesson: lesson.id)
def test_prerequisites_are_bundled(lesson: Lesson):
    for prerequisite in lesson.prerequisites:
        assert isinstance(COURSE.find(prerequisite), Lesson)
