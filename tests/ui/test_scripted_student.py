"""A scripted student walks every bundled lesson through the UI alone, at 80x24 (and other sizes for
the lessons named in SIZES): answers typed key by key into the answer field, exercises pasted over their
starters in the editor (Ctrl+N to reach them, Alt+A, a bracketed paste), F5 or Ctrl+S to run, F2 to
check, F3 for every hint, F8 to the next step. At every checkpoint the active prompt, its last
feedback and every revealed hint are read from the rendered screen (not widget state), and the
focused widget must be visibly marked. One app, one kernel (and one lab) per lesson and size.

Lessons it cannot walk yet are named in NOT_WALKED with the reason; every other bundled lesson is
walked, so a new lesson is walked from the day it lands.
"""

from __future__ import annotations

import shutil
import time
from functools import partial
from pathlib import Path

import pytest
from textual import events

from cdc_tutor import strings
from cdc_tutor.commands.run import lab_factory
from cdc_tutor.course.loader import load_course
from cdc_tutor.lab import lab_key, options_for
from cdc_tutor.practice.rules import needs_kernel
from cdc_tutor.settings import Settings
from cdc_tutor.ui import messages
from tests.engines import ensure_engine

from .conftest import RecordingApp, record
from .test_code_kernel import wait_until
from .test_small_screen import answer_marked, editor_marked, flat, screen_lines, step_bar_lines, tinted
from .test_walk import open_lesson, posted
from .typing import KEY_NAMES

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
COURSE = load_course(LESSONS)
SMALL = (80, 24)
SIZES: dict[str, list[tuple[int, int]]] = {  # every lesson at 80x24; one named here also at these sizes
}  # (the lesson screen at 120x40: test_small_screen.py and the snapshots; a walk there costs a kernel)
NOT_WALKED: dict[str, str] = {  # lesson id -> why the scripted student does not walk it yet
}
RUN_TIMEOUT = 300  # seconds for a step's cells: a JVM's first job, a Kafka transaction
CHECK_TIMEOUT = 120
# A walk with a JVM (an engine, the Kafka broker lab) may take longer than the ui tier's limit in
# tests/watchdog.py (300 s): measured 115-213 s for lessons 03-05 on a loaded 2-core machine.
JVM_WALK_LIMIT = 900


def wants_jvm(lesson) -> bool:
    """An engine lesson (Flink, Spark), or one whose lab is the Kafka broker: a JVM either way.
    Which broker a lesson gets is the product's rule (options_for), not restated here."""
    return lesson.engine != "python" or options_for(lesson).broker == "kafka"


def walks() -> list:
    found = []
    for lesson in COURSE.lessons():
        if lesson.id in NOT_WALKED:
            continue
        marks = [pytest.mark.timeout(JVM_WALK_LIMIT)] if wants_jvm(lesson) else []
        for size in SIZES.get(lesson.id, [SMALL]):
            name = f"{lesson.id.split('/')[-1][:2]}-{size[0]}x{size[1]}"
            found.append(pytest.param(lesson.id, size, marks=marks, id=name))
    return found


def test_every_bundled_lesson_is_walked_or_named_with_a_reason():
    ids = {lesson.id for lesson in COURSE.lessons()}
    assert all(reason.strip() for reason in NOT_WALKED.values())
    assert {param.values[0] for param in walks()} == ids - set(NOT_WALKED)


def focus_marked(app) -> bool:
    """The widget with the keys says so on screen: `›` before the answer field or the editor's
    header, the focus tint on anything else (the text column, the output log, a list)."""
    focused = app.focused
    if focused is None:
        return False
    if focused.id == "answer":
        return answer_marked(app)
    if focused.id == "code-editor":
        return editor_marked(app)
    return tinted(app, focused)


class Student:
    """Presses keys and reads the screen; knows the lesson only as its author wrote it."""

    def __init__(self, pilot, app) -> None:
        self.pilot, self.app = pilot, app

    def expand(self, text: str) -> str:
        return text.replace("{user}", self.app.screen.user)  # the student's prefix, as the checks use it

    def visible(self) -> str:
        """The step bar as rendered, its lines joined as the screen wraps them."""
        return flat(" ".join(step_bar_lines(self.app)))

    def sees(self, text: str, visible: str | None = None) -> bool:
        return flat(self.expand(text)) in (visible if visible is not None else self.visible())

    def screen(self) -> str:
        return "\n" + "\n".join(screen_lines(self.app))

    async def type_answer(self, text: str) -> None:
        assert answer_marked(self.app), self.screen()  # the keys go to the marked field
        for character in text:
            await self.pilot.press(KEY_NAMES.get(character, character))
        await self.pilot.press("enter")
        await self.pilot.pause()

    async def check(self, checkpoint, *, passes: bool) -> str:
        """F2 (or Enter on a typed answer); wait for the verdict; return the failure's reason."""
        app = self.app
        passed, failed = len(posted(app, messages.CheckpointPassed)), len(posted(app, messages.CheckpointFailed))
        if checkpoint.kind == "answer":
            await self.type_answer(self.expand(str(checkpoint.spec["answers"][0])) if passes else "nope")
        else:
            await self.pilot.press("f2")
        await wait_until(
            self.pilot,
            lambda: (
                len(posted(app, messages.CheckpointPassed)) > passed
                or len(posted(app, messages.CheckpointFailed)) > failed
            ),
            CHECK_TIMEOUT,
        )
        await self.pilot.pause()
        now_failed = posted(app, messages.CheckpointFailed)[failed:]
        if passes:
            assert not now_failed, f"{checkpoint.id}: {now_failed[-1].reason}"
            return ""
        assert now_failed, f"{checkpoint.id} passed before its code ran"
        return now_failed[-1].reason

    async def wrong_then_hints(self, checkpoint) -> None:
        """A wrong try: the prompt and its feedback on screen; then every hint, each read there."""
        assert self.sees(checkpoint.prompt), (checkpoint.id, self.screen())
        reason = await self.check(checkpoint, passes=False)
        visible = self.visible()
        assert self.sees(checkpoint.prompt, visible), (checkpoint.id, self.screen())
        assert self.sees(reason, visible), (checkpoint.id, reason, self.screen())
        assert focus_marked(self.app), (self.app.focused, screen_lines(self.app))
        await self.hints(checkpoint)
        assert self.sees(reason), (checkpoint.id, reason, self.screen())  # the hints do not push it away

    async def hints(self, checkpoint) -> None:
        total = len(checkpoint.hints)
        for level in range(1, total + 1):
            await self.pilot.press("f3")
            await self.pilot.pause()
            visible = self.visible()
            for shown in range(1, level + 1):  # every hint revealed so far, with the question
                line = strings.HINT_LINE.format(level=shown, total=total, text=checkpoint.hints[shown - 1])
                assert self.sees(line, visible), (checkpoint.id, shown, self.screen())
            assert self.sees(checkpoint.prompt, visible), (checkpoint.id, self.screen())

    async def write_exercises(self, step) -> None:
        """Each exercise reached with Ctrl+N/Ctrl+L (the editor takes the keys, marked), the starter
        selected with Alt+A and the solution pasted over it, as a terminal's bracketed paste."""
        screen = self.app.screen
        bar = screen.query_one("#snippet-bar")
        for exercise in step.exercises:
            position = exercise.index - 1
            key = "ctrl+n" if position >= bar.position(step) else "ctrl+l"
            for _ in range(abs(position - bar.position(step))):
                await self.pilot.press(key)
            editor = screen.query_one("#code-editor")
            if position == bar.position(step) and not editor.has_focus:
                await self.pilot.press("ctrl+e")  # already the selected cell: Ctrl+E goes to it
            await self.pilot.pause()
            assert editor_marked(self.app), screen_lines(self.app)
            assert any(f"«{exercise.exercise}»" in line for line in screen_lines(self.app))
            await self.pilot.press("alt+a")
            self.app.post_message(events.Paste(exercise.solution))  # as the driver delivers it: to the app
            for _ in range(100):
                if editor.text.strip() == exercise.solution.strip():
                    break
                await self.pilot.pause(0.05)
            assert editor.text.strip() == exercise.solution.strip(), (editor.text, exercise.solution)

    async def run_task_sql(self, sql: str) -> None:
        """Alt+T: «База» comes forward with the step's SQL in its input, read on screen; Enter runs it."""
        await self.pilot.press("alt+t")
        await self.pilot.pause()
        shown = " ".join(screen_lines(self.app))
        assert strings.SQL_TASK_OFFERED.split(":")[0] in shown, self.screen()
        first_words = " ".join(sql.split()[:4])
        assert first_words in flat(shown), (first_words, self.screen())
        await self.pilot.press("enter")
        done = strings.SQL_DONE.split("{")[0].strip()  # "Готово: строк затронуто"
        await wait_until(self.pilot, lambda: done in " ".join(screen_lines(self.app)), CHECK_TIMEOUT)
        assert done in " ".join(screen_lines(self.app)), self.screen()

    async def run_step(self, step) -> None:
        """F5 when the step has one cell, else Ctrl+S; every cell must end ok."""
        app = self.app
        before = len(posted(app, messages.SnippetFinished))
        await self.pilot.press("f5" if len(step.snippets) == 1 else "ctrl+s")

        def done() -> bool:
            ended = posted(app, messages.SnippetFinished)[before:]
            return len(ended) >= len(step.snippets) or any(e.status != "ok" for e in ended)

        await wait_until(self.pilot, done, RUN_TIMEOUT)
        ended = posted(app, messages.SnippetFinished)[before:]
        failed = [e for e in ended if e.status != "ok"]
        assert not failed, f"{step.id} cell {failed[0].index}: {failed[0].status} {failed[0].result}"
        await self.pilot.pause()
        assert focus_marked(app), (app.focused, screen_lines(app))

    async def walk(self, lesson) -> None:
        app = self.app
        for index, step in enumerate(lesson.steps):
            assert app.screen.session.index == index
            first, *_ = step.checkpoints
            assert focus_marked(app), (step.id, app.focused, screen_lines(app))
            if first.kind != "answer" or not step.snippets:
                # Before the code ran the first question fails, with its reason on screen.
                await self.wrong_then_hints(first)
            if step.snippets:
                await self.write_exercises(step)
                if app.screen.session.task_sql():  # the step's code must see the student's changes
                    await self.run_task_sql(app.screen.session.task_sql())
                await self.run_step(step)
            for checkpoint in step.checkpoints:
                assert self.sees(checkpoint.prompt), (checkpoint.id, self.screen())
                assert app.screen.session.active_checkpoint() is checkpoint
                if checkpoint is not first or (first.kind == "answer" and step.snippets):
                    if checkpoint.kind == "answer":
                        await self.wrong_then_hints(checkpoint)
                        assert answer_marked(app), self.screen()  # the rejected answer selected, keys there
                    else:
                        await self.hints(checkpoint)
                        assert focus_marked(app), (app.focused, screen_lines(app))
                await self.check(checkpoint, passes=True)
                assert not any("nope" in line for line in step_bar_lines(app)), self.screen()
                assert focus_marked(app), (checkpoint.id, app.focused, screen_lines(app))
            if index + 1 < len(lesson.steps):
                await self.pilot.press("f8")
                await self.pilot.pause()
        assert app.screen.session.complete()


def data_dir_for(lesson, tmp_path: Path, tmp_path_factory) -> Path:
    """A fresh folder, or for a lesson that needs a JVM (an engine, the Kafka broker lab) the one
    where `cdc-tutor setup` put it ($CDC_TUTOR_ENGINES_DIR when set), with this lesson's work gone."""
    if not wants_jvm(lesson):
        return tmp_path / "data"
    data_dir = ensure_engine(lesson.engine if lesson.engine != "python" else "kafka", tmp_path_factory).data_dir
    shutil.rmtree(data_dir.joinpath("work", *lesson.id.split("/")), ignore_errors=True)  # the last walk's files
    return data_dir


def app_for(lesson, store, tmp_path, tmp_path_factory, monkeypatch) -> RecordingApp:
    """The app as `cdc-tutor` starts it (settings from the environment; the lesson gets the lab it
    asks for), with the lessons before `lesson` passed, so it is open."""
    for before in COURSE.lessons():
        if before.id < lesson.id:
            for step in before.steps:
                for checkpoint in step.checkpoints:
                    store.record_pass(before.id, step.id, checkpoint.id)
    data_dir = data_dir_for(lesson, tmp_path, tmp_path_factory)
    monkeypatch.setenv("CDC_TUTOR_DATA_DIR", str(data_dir))
    settings = Settings.load(data_dir=data_dir)
    return RecordingApp(COURSE, store, lab_factory(settings), settings=settings, lab_key=partial(lab_key, settings))


@pytest.mark.parametrize(("lesson_id", "size"), walks())
async def test_the_scripted_student_walks_the_lesson(store, tmp_path, tmp_path_factory, monkeypatch, lesson_id, size):
    lesson = COURSE.find(lesson_id)
    app = app_for(lesson, store, tmp_path, tmp_path_factory, monkeypatch)
    started = time.monotonic()
    async with app.run_test(size=size, message_hook=record(app)) as pilot:
        await open_lesson(pilot, lesson_id)
        if needs_kernel(lesson):
            ready = partial(posted, app, messages.KernelReady)
            await wait_until(pilot, lambda: ready() or posted(app, messages.KernelFailed), 300)
            assert not posted(app, messages.KernelFailed), posted(app, messages.KernelFailed)[0].problem
        await Student(pilot, app).walk(lesson)
    print(f"\n[scripted student] {lesson_id} at {size[0]}x{size[1]}: {time.monotonic() - started:.1f} s")
