"""The student writes code: the exercise cell in the editor at 80x24, typed key by key, run with F5,
judged with F2; the code survives an app restart and a kernel restart; outside saves are read."""

from __future__ import annotations

import os
import stat
from functools import partial
from pathlib import Path

import pytest

from cdc_tutor.commands.run import lab_factory
from cdc_tutor.course.loader import load_course
from cdc_tutor.lab import lab_key
from cdc_tutor.settings import Settings
from cdc_tutor.ui import messages
from cdc_tutor.ui.widgets.code_pane import CodePane
from cdc_tutor.ui.widgets.snippet_bar import SnippetBar

from .conftest import RecordingApp, record
from .test_code_kernel import wait_until
from .test_walk import open_lesson, posted
from .typing import KEY_NAMES, type_code

COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "exercise_course"
LESSON = "module-1/01-exercise"
SIZE = (80, 24)
BODY = "    return x * 2"


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CDC_TUTOR_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def exercise_app(store, data_dir):
    course = load_course(COURSE)
    assert not course.all_problems(), course.all_problems()
    return lambda: RecordingApp(course, store)


def cell_file(data_dir: Path) -> Path:
    return data_dir / "work" / "module-1" / "01-exercise" / "double.py"


def screen_text(app) -> str:
    """What the terminal shows, as text (the rendered screen, not widget state)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def open_exercise(pilot, app) -> CodePane:
    await open_lesson(pilot, LESSON)
    await wait_until(pilot, lambda: posted(app, messages.KernelReady) or posted(app, messages.KernelFailed))
    assert not posted(app, messages.KernelFailed)
    await pilot.press("ctrl+e")  # to the editor: on a narrow screen it takes the text's place
    await pilot.press("ctrl+n")  # the second cell: the exercise
    await pilot.pause()
    return app.screen.query_one(CodePane)


async def go_to_return_line(pilot, pane: CodePane) -> None:
    """Put the cursor on the starter's `return None  # TODO` and clear that line, with keys."""
    lines = pane.text.split("\n")
    row = next(i for i, line in enumerate(lines) if "return None" in line)
    for _ in range(pane.editor.cursor_location[0]):
        await pilot.press("up")
    for _ in range(row):
        await pilot.press("down")
    await pilot.press("end", "shift+home", "backspace")  # select the line's text, delete it
    while pane.editor.document[row]:  # the indentation shift+home left: one level per Backspace
        await pilot.press("backspace")


async def test_student_types_the_exercise_runs_it_and_opens_the_next_step(exercise_app, data_dir):
    app = exercise_app()
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        pane = await open_exercise(pilot, app)
        assert pane.editor.has_focus and not pane.editor.read_only
        assert "Упражнение 2 «double»" in screen_text(app)
        assert "return None  # TODO" in screen_text(app)

        # The starter fails: F5 then F2 gives the checkpoint's message.
        await pilot.press("f5")
        await wait_until(pilot, lambda: posted(app, messages.SnippetFinished))
        await pilot.press("f2")
        await wait_until(pilot, lambda: posted(app, messages.CheckpointFailed))
        reason = posted(app, messages.CheckpointFailed)[0].reason
        assert "double(x) должна вернуть" in reason and "double(21) дало None, ожидалось 42" in reason

        # The run brought the output forward; the hidden editor gave the keys to it (nothing to type);
        # Ctrl+E goes back.
        assert app.focused is app.screen.query_one("#output-log") and app.screen.query_one("#answer").disabled
        await pilot.press("ctrl+e")
        assert pane.editor.has_focus
        await go_to_return_line(pilot, pane)
        await type_code(pilot, BODY)
        assert "return x * 2" in pane.text and "return None" not in pane.text
        await pilot.press("f5")
        await wait_until(pilot, lambda: len(posted(app, messages.SnippetFinished)) >= 2)
        assert posted(app, messages.SnippetFinished)[-1].status == "ok", pane.text
        await pilot.press("f2")
        await wait_until(pilot, lambda: posted(app, messages.StepUnlocked))
        assert posted(app, messages.CheckpointPassed)[-1].checkpoint_id == "doubles"

        # The student's code is a private file in the lesson's work folder, saved as typed.
        saved = cell_file(data_dir)
        await wait_until(pilot, lambda: saved.exists() and "return x * 2" in saved.read_text())
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600


async def test_the_code_survives_an_app_restart_and_a_kernel_restart(exercise_app, data_dir):
    app = exercise_app()
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        pane = await open_exercise(pilot, app)
        await go_to_return_line(pilot, pane)
        await type_code(pilot, "    return x + x  # mine")
        await pilot.press("ctrl+f")  # restart the kernel, confirmed
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("y")
        await wait_until(pilot, lambda: posted(app, messages.KernelRestarted))
        assert "return x + x  # mine" in pane.text
    assert "return x + x  # mine" in cell_file(data_dir).read_text()  # quitting flushed the last keys

    again = exercise_app()
    async with again.run_test(size=SIZE, message_hook=record(again)) as pilot:
        pane = await open_exercise(pilot, again)
        assert "return x + x  # mine" in pane.text
        assert "return x + x  # mine" in screen_text(again)


async def test_saves_from_another_editor_are_picked_up_and_bad_files_lose_nothing(exercise_app, data_dir):
    app = exercise_app()
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        pane = await open_exercise(pilot, app)
        path = cell_file(data_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("def double(x):\n    return 2 * x  # from vscode\n")
        await wait_until(pilot, lambda: "from vscode" in pane.text, timeout=5)
        await pilot.press("alt+u")  # one undo brings back what the editor had
        assert "return None  # TODO" in pane.text
        await pilot.press("alt+r")
        assert "from vscode" in pane.text

        path.write_bytes(b"\x00\x01\xff binary")  # a broken save: the editor keeps the text
        await wait_until(pilot, lambda: "не текст UTF-8" in app.screen.notice, timeout=5)
        assert "from vscode" in pane.text

        os.remove(path)  # deleted while open: written back from the editor
        await wait_until(pilot, lambda: path.exists() and "from vscode" in path.read_text(), timeout=5)
        await wait_until(pilot, lambda: "удалили" in app.screen.notice, timeout=5)  # the notice follows the write


async def test_lesson_keys_work_in_the_editor_and_reset_cell_asks_first(exercise_app, data_dir):
    app = exercise_app()
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        pane = await open_exercise(pilot, app)
        await go_to_return_line(pilot, pane)
        await type_code(pilot, "    return x * 2")
        await pilot.press("f6")  # reset step: the lesson's key, not TextArea's select-line
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("alt+s")  # reset the cell to its starter: asks
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("y")
        await pilot.pause()
        assert "return None  # TODO" in pane.text and not cell_file(data_dir).exists()
        await pilot.press("alt+u")
        assert "return x * 2" in pane.text
        bar = app.screen.query_one(SnippetBar)
        assert "2/2" in bar.plain


# -- a bundled lesson: the first step with exercises of lesson 01, typed key by key through the UI --
# (every exercise of every lesson is pasted into the editor in the scripted student's walks)

LESSONS = Path(__file__).resolve().parents[2] / "lessons"


async def pass_checkpoint(pilot, app, checkpoint) -> None:
    """F2 judges the active checkpoint; an `answer` is typed key by key into the answer field first."""
    before = len(posted(app, messages.CheckpointPassed))
    if checkpoint.kind == "answer":
        assert app.screen.query_one("#answer").has_focus  # a run left the editor: the keys went here
        for character in str(checkpoint.spec["answers"][0]):
            await pilot.press(KEY_NAMES.get(character, character))
        await pilot.press("enter")
    else:
        await pilot.press("f2")
    await wait_until(
        pilot,
        lambda: len(posted(app, messages.CheckpointPassed)) > before or posted(app, messages.CheckpointFailed),
        timeout=120,
    )
    failed = posted(app, messages.CheckpointFailed)
    assert not failed, f"{checkpoint.id}: {failed[-1].reason}"


@pytest.mark.parametrize("lesson_id", ["module-5/01-advanced-python-consumer"])
async def test_the_first_exercises_of_a_bundled_lesson_are_written_in_the_editor(store, data_dir, lesson_id):
    course = load_course(LESSONS)
    lesson = course.find(lesson_id)
    position = next(index for index, step in enumerate(lesson.steps) if step.exercises)
    for before in course.lessons():  # the lessons before (prerequisites) and this lesson's earlier steps passed
        steps = before.steps[:position] if before.id == lesson_id else before.steps if before.id < lesson_id else ()
        for earlier in steps:
            for checkpoint in earlier.checkpoints:
                store.record_pass(before.id, earlier.id, checkpoint.id)
    step = lesson.steps[position]
    assert all(not s.exercises for s in lesson.steps[:position])
    settings = Settings.load(data_dir=data_dir)
    # As `cdc-tutor` starts it: each lesson gets the embedded lab it asks for.
    app = RecordingApp(course, store, lab_factory(settings), settings=settings, lab_key=partial(lab_key, settings))
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        await open_lesson(pilot, lesson_id)
        await wait_until(pilot, lambda: posted(app, messages.KernelReady) or posted(app, messages.KernelFailed), 120)
        assert not posted(app, messages.KernelFailed)
        await pilot.press("ctrl+s")  # the step's cells as given, the exercise holding its starter
        await wait_until(pilot, lambda: len(posted(app, messages.SnippetFinished)) >= len(step.snippets), 180)

        await pilot.press("ctrl+e")
        pane, current = app.screen.query_one(CodePane), 1
        for written in step.exercises:  # every exercise of the step, typed key by key
            for _ in range(written.index - current):
                await pilot.press("ctrl+n")
            current = written.index
            assert pane.editor.has_focus and pane.cell is not None and pane.cell.exercise == written.exercise
            assert f"«{written.exercise}»" in screen_text(app)
            await pilot.press("alt+a")  # select the whole cell: typing replaces it
            await type_code(pilot, written.solution)
            assert pane.text.strip() == written.solution.strip()
        runs = len(posted(app, messages.SnippetFinished))
        await pilot.press("ctrl+s")  # the whole step again: the cells after the exercise use what it defines
        await wait_until(pilot, lambda: len(posted(app, messages.SnippetFinished)) >= runs + len(step.snippets), 180)
        assert {finished.status for finished in posted(app, messages.SnippetFinished)[runs:]} == {"ok"}

        for checkpoint in step.checkpoints:
            await pass_checkpoint(pilot, app, checkpoint)
        await wait_until(pilot, lambda: posted(app, messages.StepUnlocked))
        assert posted(app, messages.StepUnlocked)[-1].step_index == position + 1


async def test_a_huge_paste_is_refused_with_a_reason_and_the_tutor_keeps_running(exercise_app, data_dir):
    from textual import events

    app = exercise_app()
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        pane = await open_exercise(pilot, app)
        await go_to_return_line(pilot, pane)
        await type_code(pilot, "    return x * 2  # kept")
        await wait_until(pilot, lambda: cell_file(data_dir).exists(), timeout=5)
        huge = "# pasted by mistake\n" * 60_000  # 1.2 MB
        pane.editor.post_message(events.Paste(huge))  # what a terminal's bracketed paste delivers
        await wait_until(pilot, lambda: "Вставка не сделана" in app.screen.notice, timeout=10)
        assert "pasted by mistake" not in pane.text and "return x * 2  # kept" in pane.text
        assert "return x * 2  # kept" in cell_file(data_dir).read_text()
        pane.editor.post_message(events.Paste("\n# a normal paste\n"))
        await wait_until(pilot, lambda: "# a normal paste" in pane.text, timeout=10)
        await pilot.press("f5")  # the tutor answers as before
        await wait_until(pilot, lambda: posted(app, messages.SnippetFinished), timeout=60)
        assert posted(app, messages.SnippetFinished)[-1].status == "ok"
