"""Pilot-driven walk through the fixture course: answers, hints, solution, unlock, reset, persistence."""

from __future__ import annotations

from textual.widgets import Input, Markdown, Static

from cdc_tutor import strings
from cdc_tutor.ui import messages
from cdc_tutor.ui.screens.catalog import CatalogScreen
from cdc_tutor.ui.screens.confirm import ConfirmScreen
from cdc_tutor.ui.screens.document import DocumentScreen
from cdc_tutor.ui.screens.lesson import LessonScreen
from cdc_tutor.ui.widgets.lesson_list import LessonList
from cdc_tutor.ui.widgets.step_bar import StepBar

from .conftest import answers, record

FIRST = "module-1/01-first-events"
SECOND = "module-1/02-second"
LATER = "module-2/01-later"


def option_text(app, lesson_id: str) -> str:
    """The catalog row of a lesson as plain text."""
    lesson_list = app.screen.query_one(LessonList)
    option = lesson_list.get_option(lesson_id)
    console = app.console
    lines = console.render_lines(option.prompt, console.options.update_width(100))
    return "".join(segment.text for line in lines for segment in line)


def step_bar_text(app) -> str:
    checkpoints = app.screen.query_one(StepBar).checkpoints_text
    notice = app.screen.query_one("#notice", Static).render()
    title = app.screen.query_one("#step-title", Static).render()
    return f"{title}\n{checkpoints}\n{notice}"


def posted(app, kind):
    return [m for m in app.posted if isinstance(m, kind)]


async def open_lesson(pilot, lesson_id: str) -> None:
    lesson_list = pilot.app.screen.query_one(LessonList)
    lesson_list.highlighted = lesson_list.get_option_index(lesson_id)
    await pilot.press("enter")
    await pilot.pause()


async def type_answer(pilot, text: str) -> None:
    answer = pilot.app.screen.query_one("#answer", Input)
    answer.value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_catalog_lists_modules_lessons_and_lock_state(make_app, course):
    app = make_app()
    async with app.run_test(size=(100, 30), message_hook=record(app)):
        assert isinstance(app.screen, CatalogScreen)
        first, second, later = (option_text(app, i) for i in (FIRST, SECOND, LATER))
        total = sum(len(step.checkpoints) for step in course.find(FIRST).steps)
        assert strings.STATUS_WORDS["open"] in first and f"0/{total}" in first
        assert strings.STATUS_WORDS["locked"] in second
        assert strings.STATUS_WORDS["locked"] in later
        lesson = course.find(FIRST)
        assert lesson.title[:20] in first
        assert strings.DIFFICULTY_WORDS[lesson.difficulty] in first
        assert strings.MINUTES.format(minutes=lesson.estimated_time) in first
        details = str(app.screen.query_one("#details", Static).render())
        assert lesson.description in details


async def test_locked_lesson_does_not_open(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30), message_hook=record(app)) as pilot:
        await open_lesson(pilot, SECOND)
        assert isinstance(app.screen, CatalogScreen)
        assert posted(app, messages.LessonChosen)[-1].lesson_id == SECOND
        assert any("закрыт" in n.message for n in app._notifications)
        first_title = app.course.find(FIRST).title
        assert any(f"«{first_title}»" in n.message for n in app._notifications)  # names what to pass first


async def test_wrong_answer_hints_and_locked_solution(make_app, course):
    app = make_app()
    async with app.run_test(size=(100, 30), message_hook=record(app)) as pilot:
        await open_lesson(pilot, FIRST)
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.query_one("#answer", Input).has_focus

        await type_answer(pilot, "definitely wrong")
        failed = posted(app, messages.CheckpointFailed)
        assert len(failed) == 1 and failed[0].lesson_id == FIRST
        assert "definitely wrong" in step_bar_text(app)
        assert strings.CHECKPOINT_MARKS["failed"] in step_bar_text(app)

        hints = course.find(FIRST).steps[0].checkpoints[0].hints
        await pilot.press("f3")
        await pilot.pause()
        assert hints[0] in step_bar_text(app) and hints[1] not in step_bar_text(app)
        await pilot.press("ctrl+g")  # the Ctrl alternative of F3
        await pilot.pause()
        assert hints[1] in step_bar_text(app)
        assert [m.level for m in posted(app, messages.HintRevealed)] == [1, 2]
        for _ in range(len(hints) - 2):
            await pilot.press("f3")
        await pilot.press("f3")
        await pilot.pause()
        assert strings.NO_MORE_HINTS in step_bar_text(app)

        await pilot.press("f4")
        await pilot.pause()
        assert not isinstance(app.screen, DocumentScreen)  # one failure is not enough
        assert "сейчас 1" in step_bar_text(app)


async def test_solution_opens_after_three_failures(make_app, course):
    app = make_app()
    async with app.run_test(size=(100, 30), message_hook=record(app)) as pilot:
        await open_lesson(pilot, FIRST)
        for attempt in range(3):
            await type_answer(pilot, f"wrong {attempt}")
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, DocumentScreen)
        assert app.screen.markdown == course.find(FIRST).steps[0].solution
        assert posted(app, messages.SolutionShown)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)


async def test_walk_unlocks_steps_and_next_lesson(make_app, course, store):
    app = make_app()
    async with app.run_test(size=(100, 30), message_hook=record(app)) as pilot:
        await open_lesson(pilot, FIRST)
        await pilot.press("f8")
        await pilot.pause()
        assert app.screen.session.index == 0
        assert strings.STEP_LOCKED.format(number=2) in step_bar_text(app)

        for _, answer in answers(course, FIRST, 0):
            await type_answer(pilot, f"  {answer.upper()}  ")  # case and spaces do not matter
        assert [m.step_index for m in posted(app, messages.StepUnlocked)] == [1]
        assert strings.NEXT_STEP_OPENED.format(number=2) in step_bar_text(app)

        await pilot.press("f8")
        await pilot.pause()
        assert app.screen.session.index == 1
        step_two = course.find(FIRST).steps[1]
        markdown = app.screen.query_one("#lesson-text", Markdown)
        assert step_two.title in markdown.source

        for _, answer in answers(course, FIRST, 1):
            await type_answer(pilot, answer)
        assert [m.lesson_id for m in posted(app, messages.LessonCompleted)] == [FIRST]
        # LessonCompleted redraws the catalog underneath at once (not only when it comes back).
        catalog = next(screen for screen in app.screen_stack if isinstance(screen, CatalogScreen))
        row = catalog.query_one(LessonList).get_option(FIRST).prompt
        rendered = "".join(seg.text for line in app.console.render_lines(row, app.console.options) for seg in line)
        assert strings.STATUS_WORDS["done"] in rendered
        assert len(posted(app, messages.CheckpointPassed)) == 1 + len(step_two.checkpoints)
        assert strings.LESSON_DONE in step_bar_text(app)

        await pilot.press("f4")  # the solution is open after a pass
        await pilot.pause()
        assert isinstance(app.screen, DocumentScreen)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, CatalogScreen)
        assert strings.STATUS_WORDS["done"] in option_text(app, FIRST)
        assert strings.STATUS_WORDS["open"] in option_text(app, SECOND)
        assert strings.STATUS_WORDS["locked"] in option_text(app, LATER)

        await open_lesson(pilot, SECOND)
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.session.lesson.id == SECOND


async def test_progress_survives_a_restart(make_app, course, store, tmp_path):
    from cdc_tutor.course.progress import ProgressStore

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_lesson(pilot, FIRST)
        for _, answer in answers(course, FIRST, 0):
            await type_answer(pilot, answer)
    store.close()
    reopened = ProgressStore.open(tmp_path / "data" / "progress.sqlite3")
    again = make_app(store_override=reopened)
    async with again.run_test(size=(100, 30)) as pilot:
        assert strings.STATUS_WORDS["in_progress"] in option_text(again, FIRST)
        await open_lesson(pilot, FIRST)
        assert again.screen.session.index == 1  # resumes at the first unfinished step
    reopened.close()


async def test_reset_step_asks_and_forgets(make_app, course, store):
    app = make_app()
    async with app.run_test(size=(100, 30), message_hook=record(app)) as pilot:
        await open_lesson(pilot, FIRST)
        for _, answer in answers(course, FIRST, 0):
            await type_answer(pilot, answer)
        assert store.passed(FIRST)

        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # declining keeps everything
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen) and store.passed(FIRST)

        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert store.passed(FIRST) == set()
        assert [m.step_id for m in posted(app, messages.StepReset)] == [course.find(FIRST).steps[0].id]
        assert strings.CHECKPOINT_MARKS["pending"] in step_bar_text(app)
        await pilot.press("f8")
        await pilot.pause()
        assert app.screen.session.index == 0  # step 2 is locked again


async def test_reset_lesson(make_app, course, store):
    app = make_app()
    async with app.run_test(size=(100, 30), message_hook=record(app)) as pilot:
        await open_lesson(pilot, FIRST)
        for _, answer in answers(course, FIRST, 0):
            await type_answer(pilot, answer)
        await pilot.press("f8", "ctrl+y")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert store.passed(FIRST) == set()
        assert app.screen.session.index == 0
        assert posted(app, messages.LessonReset)[0].lesson_id == FIRST
