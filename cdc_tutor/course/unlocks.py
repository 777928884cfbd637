"""Which lessons and steps are open, given the passed checkpoints. Pure functions, no I/O.

`passed` is a lesson's set of (step_id, checkpoint_id) as `ProgressStore.passed` returns it;
`all_passed` maps lesson ids to such sets (`ProgressStore.all_passed`). Passes recorded for
checkpoints the lesson file no longer has are ignored: lesson files change.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from enum import Enum

from cdc_tutor import strings
from cdc_tutor.course.model import AnyLesson, BrokenLesson, Course, Lesson, Step

Passed = Set[tuple[str, str]]


class LessonStatus(Enum):
    LOCKED = "locked"  # a prerequisite is not complete, is broken or does not exist
    OPEN = "open"  # may be started; nothing passed yet
    IN_PROGRESS = "in_progress"  # some checkpoints passed
    DONE = "done"  # every checkpoint passed
    BROKEN = "broken"  # the lesson file cannot be studied

    @property
    def label(self) -> str:
        """The status in the student's language."""
        return strings.STATUS_WORDS[self.value]


def checkpoint_keys(lesson: Lesson) -> set[tuple[str, str]]:
    """(step_id, checkpoint_id) of every checkpoint the lesson has now."""
    return {(step.id, checkpoint.id) for step in lesson.steps for checkpoint in step.checkpoints}


def step_complete(step: Step, passed: Passed) -> bool:
    """Every checkpoint of the step passed."""
    return all((step.id, checkpoint.id) in passed for checkpoint in step.checkpoints)


def lesson_complete(lesson: AnyLesson, passed: Passed) -> bool:
    """Every checkpoint of every step passed; a broken lesson is never complete."""
    if isinstance(lesson, BrokenLesson):
        return False
    return all(step_complete(step, passed) for step in lesson.steps)


def progress_fraction(lesson: AnyLesson, passed: Passed) -> tuple[int, int]:
    """(checkpoints passed, checkpoints in the lesson), counting only checkpoints that exist."""
    if isinstance(lesson, BrokenLesson):
        return (0, 0)
    keys = checkpoint_keys(lesson)
    return (len(keys & set(passed)), len(keys))


def prerequisites_met(lesson: Lesson, course: Course, all_passed: Mapping[str, Passed]) -> bool:
    """Every prerequisite exists, is studyable and complete."""
    for prerequisite_id in lesson.prerequisites:
        prerequisite = course.find(prerequisite_id)
        if not isinstance(prerequisite, Lesson):
            return False
        if not lesson_complete(prerequisite, all_passed.get(prerequisite_id, frozenset())):
            return False
    return True


def lesson_status(lesson: AnyLesson, course: Course, all_passed: Mapping[str, Passed]) -> LessonStatus:
    """BROKEN, else LOCKED while a prerequisite is incomplete/broken/missing, else DONE/IN_PROGRESS/OPEN."""
    if isinstance(lesson, BrokenLesson):
        return LessonStatus.BROKEN
    if not prerequisites_met(lesson, course, all_passed):
        return LessonStatus.LOCKED
    passed = all_passed.get(lesson.id, frozenset())
    if lesson_complete(lesson, passed):
        return LessonStatus.DONE
    done, _total = progress_fraction(lesson, passed)
    return LessonStatus.IN_PROGRESS if done else LessonStatus.OPEN


def step_unlocked(lesson: Lesson, index: int, passed: Passed) -> bool:
    """Step 0 always; step i once every checkpoint of the steps before it has passed.

    In normal study this is "step i-1 is complete"; requiring all earlier steps keeps it
    consistent with `current_step_index` after a reset or a lesson file that gained a step.
    """
    if not 0 <= index < len(lesson.steps):
        return False
    return all(step_complete(step, passed) for step in lesson.steps[:index])


def current_step_index(lesson: Lesson, passed: Passed) -> int:
    """The first step not fully passed, or the last step when all passed (0 for a lesson without steps)."""
    for index, step in enumerate(lesson.steps):
        if not step_complete(step, passed):
            return index
    return max(len(lesson.steps) - 1, 0)
