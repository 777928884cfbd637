"""A student's walk through one lesson: checks, hints, solutions, resets and step unlocks.

Pure logic over a `Lesson` and a `ProgressStore`; the UI asks it what to show and tells it what
the student did. Nothing here knows about Textual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from cdc_tutor.course import unlocks
from cdc_tutor.course.checkpoints import KINDS, Verdict, evaluate_checkpoint
from cdc_tutor.course.context import CheckContext
from cdc_tutor.course.model import Checkpoint, Lesson, Step
from cdc_tutor.course.progress import ProgressStore

FAILURES_BEFORE_SOLUTION = 3

Observer = Callable[..., None]
"""observer(kind, lesson_id, step_id, checkpoint=..., reason=..., answer=...): kind is opened,
step, passed or failed (cdc_tutor.workshop.events); `answer` is a failed answer check's input."""


class CheckpointState(Enum):
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"


@dataclass(frozen=True)
class CheckpointView:
    """What the step bar shows for one checkpoint."""

    checkpoint: Checkpoint
    state: CheckpointState
    reason: str  # why the last check failed, empty otherwise
    hints_shown: tuple[str, ...]
    last_answer: str | None


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one check, with what it changed beyond the checkpoint itself."""

    verdict: Verdict
    step_passed: bool  # every checkpoint of the step has now passed
    lesson_completed: bool  # this check completed the lesson
    next_step_unlocked: int | None  # index of the step this check opened, if any


class LessonSession:
    """One lesson being studied, backed by the student's persistent progress."""

    def __init__(self, lesson: Lesson, store: ProgressStore, observer: Observer | None = None) -> None:
        self.lesson = lesson
        self.store = store
        self._reasons: dict[tuple[str, str], str] = {}  # last failure reasons, this session only
        self.index = unlocks.current_step_index(lesson, self._passed())
        self.observer = observer
        self._tell("opened")

    def _tell(self, kind: str, **fields: Any) -> None:
        """Progress for whoever watches (a workshop's instructor): never the student's code."""
        if self.observer is not None:
            self.observer(kind, self.lesson.id, self.step.id, **fields)

    # -- reading state -------------------------------------------------------------------------

    @property
    def step(self) -> Step:
        return self.lesson.steps[self.index]

    def _passed(self) -> set[tuple[str, str]]:
        return self.store.passed(self.lesson.id)

    def step_passed(self, index: int | None = None) -> bool:
        step = self.lesson.steps[self.index if index is None else index]
        passed = self._passed()
        return all((step.id, cp.id) in passed for cp in step.checkpoints)

    def step_unlocked(self, index: int) -> bool:
        return unlocks.step_unlocked(self.lesson, index, self._passed())

    def complete(self) -> bool:
        return unlocks.lesson_complete(self.lesson, self._passed())

    def views(self) -> list[CheckpointView]:
        passed = self._passed()
        step = self.step
        result = []
        for checkpoint in step.checkpoints:
            key = (step.id, checkpoint.id)
            reason = self._reasons.get(key, "")
            if key in passed:
                state = CheckpointState.PASSED
            elif reason:
                state = CheckpointState.FAILED
            else:
                state = CheckpointState.PENDING
            level = self.store.hint_level(self.lesson.id, step.id, checkpoint.id)
            result.append(
                CheckpointView(
                    checkpoint=checkpoint,
                    state=state,
                    reason=reason if state is CheckpointState.FAILED else "",
                    hints_shown=checkpoint.hints[:level],
                    last_answer=self.store.last_answer(self.lesson.id, step.id, checkpoint.id),
                )
            )
        return result

    def active_checkpoint(self, views: list[CheckpointView] | None = None) -> Checkpoint | None:
        """The first checkpoint of the current step that has not passed: what input goes to.

        Pass the `views()` already read to avoid reading the store again.
        """
        views = self.views() if views is None else views
        return next((v.checkpoint for v in views if v.state is not CheckpointState.PASSED), None)

    def task_sql(self, views: list[CheckpointView] | None = None) -> str | None:
        """The SQL the step asks the student to run in «База» (`studentSql` of its first check
        not yet passed that has one): offered from the step's start, since the step's code must
        run after it for the check to see it."""
        views = self.views() if views is None else views
        return next(
            (
                v.checkpoint.spec["studentSql"]
                for v in views
                if v.state is not CheckpointState.PASSED and v.checkpoint.spec.get("studentSql")
            ),
            None,
        )

    def failures(self) -> int:
        return self.store.failures(self.lesson.id, self.step.id)

    def solution_available(self) -> bool:
        return self.step_passed() or self.failures() >= FAILURES_BEFORE_SOLUTION

    # -- acting --------------------------------------------------------------------------------

    def go_to(self, index: int) -> bool:
        """Move to another step if it exists and is unlocked."""
        if 0 <= index < len(self.lesson.steps) and self.step_unlocked(index):
            if index != self.index:
                self.index = index
                self._tell("step")
            return True
        return False

    def check(
        self,
        checkpoint_id: str,
        submission: Any = None,
        context: CheckContext | None = None,
        judge: Callable[..., Any] | None = None,
    ) -> CheckOutcome:
        """Judge a checkpoint of the current step: a typed `submission` (kind `answer`) or the
        live state in `context` (kernel and Kafka kinds: pass `LessonRunner.context()`).

        Never raises for a kind's failure; kernel kinds judged without a context fail with a
        reason such as "run the step's code first". Call it from a worker: kernel and Kafka
        checks take up to seconds. `judge(checkpoint, submission, context)`, when given, replaces
        the plain evaluation (the practice layer's, which waits for state that lags).
        """
        step = self.step
        checkpoint = next(cp for cp in step.checkpoints if cp.id == checkpoint_id)
        was_complete = self.complete()
        judge = judge or evaluate_checkpoint
        verdict = judge(checkpoint, submission, context.for_step(step.id) if context else None)
        key = (step.id, checkpoint.id)
        if isinstance(submission, str) and KINDS[checkpoint.kind].needs_input:
            self.store.set_last_answer(self.lesson.id, step.id, checkpoint.id, submission)
        if verdict.passed:
            self.store.record_pass(self.lesson.id, step.id, checkpoint.id)
            self._reasons.pop(key, None)
            self._tell("passed", checkpoint=checkpoint.id)
        else:
            self.store.record_failure(self.lesson.id, step.id, checkpoint.id)
            self._reasons[key] = verdict.reason
            answer = submission if isinstance(submission, str) and KINDS[checkpoint.kind].needs_input else None
            self._tell("failed", checkpoint=checkpoint.id, reason=verdict.reason, answer=answer)
        step_passed = self.step_passed()
        next_index = self.index + 1
        opened = next_index if step_passed and next_index < len(self.lesson.steps) else None
        return CheckOutcome(
            verdict=verdict,
            step_passed=step_passed,
            lesson_completed=self.complete() and not was_complete,
            next_step_unlocked=opened if verdict.passed else None,
        )

    def next_hint(self) -> tuple[Checkpoint, int, str] | None:
        """Reveal the next hint level of the active checkpoint; None when nothing is left to reveal."""
        checkpoint = self.active_checkpoint()
        if checkpoint is None:
            return None
        level = self.store.hint_level(self.lesson.id, self.step.id, checkpoint.id)
        if level >= len(checkpoint.hints):
            return None
        self.store.set_hint_level(self.lesson.id, self.step.id, checkpoint.id, level + 1)
        return checkpoint, level + 1, checkpoint.hints[level]

    def reset_step(self) -> None:
        """Forget the current step's passes, failures, hints and answers, and lock later steps."""
        self.store.reset_step(self.lesson.id, self.step.id)
        self._reasons = {k: v for k, v in self._reasons.items() if k[0] != self.step.id}

    def reset_lesson(self) -> None:
        self.store.reset_lesson(self.lesson.id)
        self._reasons.clear()
        self.index = 0
