"""Unlock rules: lesson status from prerequisites and passes, step order, stale checkpoint ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdc_tutor.course.model import BrokenLesson, Checkpoint, Course, Lesson, Module, Problem, Step
from cdc_tutor.course.unlocks import (
    LessonStatus,
    current_step_index,
    lesson_complete,
    lesson_status,
    progress_fraction,
    step_unlocked,
)


def checkpoint(cid: str) -> Checkpoint:
    return Checkpoint(id=cid, kind="answer", prompt="?", hints=("a", "b"), spec={"answers": ["x"]})


def step(sid: str, *checkpoint_ids: str) -> Step:
    return Step(id=sid, title=sid, text="", checkpoints=tuple(checkpoint(c) for c in checkpoint_ids), solution="")


def lesson(lid: str, *steps: Step, prerequisites: tuple[str, ...] = ()) -> Lesson:
    return Lesson(
        id=lid,
        path=Path(lid) / "lesson.md",
        title=lid,
        description="",
        order=0,
        difficulty="beginner",
        estimated_time=10,
        topics=(),
        prerequisites=prerequisites,
        engine="python",
        live_topics=(),
        intro="",
        steps=steps,
    )


def broken(lid: str) -> BrokenLesson:
    return BrokenLesson(id=lid, path=Path(lid), title=lid, order=99, problems=(Problem(Path(lid), 1, "bad"),))


def course(*lessons) -> Course:
    return Course(root=Path("."), modules=(Module(id="m", title="M", order=1, lessons=tuple(lessons)),))


# A: two steps (s1: a, b; s2: c). B requires A. C requires a broken lesson, D a missing one.
A = lesson("m/01-a", step("s1", "a", "b"), step("s2", "c"))
B = lesson("m/02-b", step("s1", "q"), prerequisites=("m/01-a",))
BROKEN = broken("m/03-broken")
C = lesson("m/04-c", step("s1", "q"), prerequisites=("m/03-broken",))
D = lesson("m/05-d", step("s1", "q"), prerequisites=("m/99-gone",))
COURSE = course(A, B, BROKEN, C, D)
ALL_A = {("s1", "a"), ("s1", "b"), ("s2", "c")}


def test_lesson_complete_needs_every_checkpoint():
    assert not lesson_complete(A, set())
    assert not lesson_complete(A, {("s1", "a"), ("s1", "b")})
    assert lesson_complete(A, ALL_A)
    assert not lesson_complete(BROKEN, ALL_A)


def test_stale_passes_are_ignored():
    stale = {("s1", "a"), ("s1", "gone"), ("old-step", "c"), ("s2", "renamed")}
    assert not lesson_complete(A, stale)
    assert progress_fraction(A, stale) == (1, 3)
    assert current_step_index(A, stale) == 0
    assert not step_unlocked(A, 1, stale)
    assert lesson_status(A, COURSE, {A.id: stale}) is LessonStatus.IN_PROGRESS
    only_stale = {("s1", "gone")}
    assert lesson_status(A, COURSE, {A.id: only_stale}) is LessonStatus.OPEN
    # The lesson file gained a checkpoint: a lesson that was done is in progress again.
    grown = lesson(A.id, step("s1", "a", "b", "new"), step("s2", "c"))
    assert not lesson_complete(grown, ALL_A)
    assert progress_fraction(grown, ALL_A) == (3, 4)


def test_progress_fraction():
    assert progress_fraction(A, set()) == (0, 3)
    assert progress_fraction(A, ALL_A) == (3, 3)
    assert progress_fraction(BROKEN, set()) == (0, 0)


def test_status_of_a_lesson_without_prerequisites():
    assert lesson_status(A, COURSE, {}) is LessonStatus.OPEN
    assert lesson_status(A, COURSE, {A.id: {("s1", "a")}}) is LessonStatus.IN_PROGRESS
    assert lesson_status(A, COURSE, {A.id: ALL_A}) is LessonStatus.DONE


def test_prerequisite_must_be_complete():
    assert lesson_status(B, COURSE, {}) is LessonStatus.LOCKED
    assert lesson_status(B, COURSE, {A.id: {("s1", "a"), ("s1", "b")}}) is LessonStatus.LOCKED
    assert lesson_status(B, COURSE, {A.id: ALL_A}) is LessonStatus.OPEN
    assert lesson_status(B, COURSE, {A.id: ALL_A, B.id: {("s1", "q")}}) is LessonStatus.DONE
    # Passes of B do not open B while A is incomplete (e.g. after A was reset).
    assert lesson_status(B, COURSE, {B.id: {("s1", "q")}}) is LessonStatus.LOCKED


def test_broken_or_missing_prerequisite_locks():
    assert lesson_status(BROKEN, COURSE, {}) is LessonStatus.BROKEN
    assert lesson_status(C, COURSE, {BROKEN.id: ALL_A}) is LessonStatus.LOCKED
    assert lesson_status(D, COURSE, {"m/99-gone": {("s1", "q")}}) is LessonStatus.LOCKED


def test_several_prerequisites_all_needed():
    E = lesson("m/06-e", step("s1", "q"), prerequisites=(A.id, B.id))
    c = course(A, B, E)
    assert lesson_status(E, c, {A.id: ALL_A}) is LessonStatus.LOCKED
    assert lesson_status(E, c, {A.id: ALL_A, B.id: {("s1", "q")}}) is LessonStatus.OPEN


def test_step_unlocking():
    assert step_unlocked(A, 0, set())
    assert not step_unlocked(A, 1, set())
    assert not step_unlocked(A, 1, {("s1", "a")})
    assert step_unlocked(A, 1, {("s1", "a"), ("s1", "b")})
    assert not step_unlocked(A, 2, ALL_A)  # no such step
    assert not step_unlocked(A, -1, ALL_A)


def test_current_step_index():
    assert current_step_index(A, set()) == 0
    assert current_step_index(A, {("s1", "a")}) == 0
    assert current_step_index(A, {("s1", "a"), ("s1", "b")}) == 1
    assert current_step_index(A, ALL_A) == 1  # all passed: the last step
    # A reset first step sends the student back to it.
    assert current_step_index(A, {("s2", "c")}) == 0


def test_every_status_has_a_russian_label():
    assert all(status.label for status in LessonStatus)
    assert LessonStatus.DONE.label == "пройден"
    assert LessonStatus.LOCKED.label == "закрыт"


KEYS = st.sets(st.tuples(st.sampled_from(["s1", "s2", "s3", "zz"]), st.sampled_from(["a", "b", "c", "q"])))


@given(passed=KEYS)
def test_unlocked_steps_are_exactly_those_up_to_the_current_one(passed):
    current = current_step_index(A, passed)
    for index in range(len(A.steps)):
        assert step_unlocked(A, index, passed) == (index <= current)
    done, total = progress_fraction(A, passed)
    assert 0 <= done <= total == 3
    assert lesson_complete(A, passed) == (done == total)


@pytest.mark.parametrize("passed", [frozenset(), frozenset(ALL_A)])
def test_accepts_any_set_type(passed):
    assert lesson_complete(A, passed) == bool(passed)
