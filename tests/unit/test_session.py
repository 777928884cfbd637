"""LessonSession: checks, hint levels, solution gate, step unlocks and resets over a real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdc_tutor import strings
from cdc_tutor.course.model import Checkpoint, Lesson, Step
from cdc_tutor.course.progress import ProgressStore
from cdc_tutor.course.session import CheckpointState, LessonSession


def checkpoint(cid: str, answer: str) -> Checkpoint:
    return Checkpoint(
        id=cid,
        kind="answer",
        prompt=f"prompt {cid}",
        hints=(f"{cid} hint 1", f"{cid} hint 2"),
        spec={"answers": [answer]},
    )


def lesson() -> Lesson:
    steps = (
        Step("one", "Step one", "text one", (checkpoint("a", "c"),), "solution one"),
        Step("two", "Step two", "text two", (checkpoint("b", "u"), checkpoint("c", "42")), "solution two"),
    )
    return Lesson(
        id="m/01-x",
        path=Path("lesson.md"),
        title="X",
        description="d",
        order=1,
        difficulty="beginner",
        estimated_time=5,
        topics=("t",),
        prerequisites=(),
        engine="python",
        live_topics=(),
        intro="intro",
        steps=steps,
    )


@pytest.fixture
def session():
    store = ProgressStore.in_memory()
    yield LessonSession(lesson(), store)
    store.close()


def test_wrong_then_right_answer(session):
    outcome = session.check("a", "d")
    assert not outcome.verdict.passed and "d" in outcome.verdict.reason
    assert session.views()[0].state is CheckpointState.FAILED
    assert session.views()[0].last_answer == "d"
    outcome = session.check("a", " C. ")
    assert outcome.verdict.passed and outcome.step_passed
    assert outcome.next_step_unlocked == 1 and not outcome.lesson_completed
    assert session.views()[0].state is CheckpointState.PASSED and session.views()[0].reason == ""


def test_empty_answer_is_explained(session):
    outcome = session.check("a", "   ")
    assert not outcome.verdict.passed and outcome.verdict.reason == strings.ANSWER_EMPTY


def test_steps_open_in_order_and_lesson_completes_once(session):
    assert not session.go_to(1) and session.index == 0
    session.check("a", "c")
    assert session.go_to(1)
    assert session.active_checkpoint().id == "b"
    assert not session.check("b", "u").lesson_completed
    assert session.active_checkpoint().id == "c"
    done = session.check("c", "42")
    assert done.lesson_completed and done.next_step_unlocked is None and session.complete()
    assert not session.check("c", "42").lesson_completed  # completing twice is not news
    assert session.active_checkpoint() is None


def test_hints_reveal_in_order_then_stop(session):
    assert session.next_hint()[1:] == (1, "a hint 1")
    assert session.next_hint()[1:] == (2, "a hint 2")
    assert session.next_hint() is None
    assert session.views()[0].hints_shown == ("a hint 1", "a hint 2")


def test_solution_after_pass_or_three_failures(session):
    assert not session.solution_available()
    for wrong in ("x", "y"):
        session.check("a", wrong)
    assert not session.solution_available()
    session.check("a", "z")
    assert session.solution_available()


def test_reset_step_relocks_later_steps(session):
    session.check("a", "c")
    session.go_to(1)
    session.check("b", "u")
    session.go_to(0)
    session.reset_step()
    assert session.views()[0].state is CheckpointState.PENDING
    assert not session.step_unlocked(1)
    assert session.store.passed("m/01-x") == {("two", "b")}  # later steps keep their passes


def test_reset_lesson_forgets_everything(session):
    session.check("a", "c")
    session.next_hint()
    session.reset_lesson()
    assert session.store.passed("m/01-x") == set() and session.index == 0
    assert session.views()[0].hints_shown == ()


def test_new_session_resumes_at_first_unfinished_step(session):
    session.check("a", "c")
    again = LessonSession(session.lesson, session.store)
    assert again.index == 1


def test_task_sql_is_offered_from_the_steps_start_until_its_check_passes():
    """The step's code must run after the student's SQL, so «База» offers it before its check is
    the active one; once that check passed, the step asks for nothing more."""
    source = Checkpoint(
        "s",
        "source",
        "compare",
        ("h1", "h2"),
        {"variable": "v", "query": "SELECT 1", "studentSql": "DELETE FROM orders"},
    )
    base = lesson()
    steps = (Step("one", "Step one", "text", (checkpoint("a", "c"), source), "solution"), base.steps[1])
    from dataclasses import replace

    store = ProgressStore.in_memory()
    session = LessonSession(replace(base, steps=steps), store)
    assert session.active_checkpoint().id == "a" and session.task_sql() == "DELETE FROM orders"
    store.record_pass(base.id, "one", "a")
    assert session.task_sql() == "DELETE FROM orders"
    store.record_pass(base.id, "one", "s")
    assert session.task_sql() is None
