"""The lesson screen with a real python kernel: run, DataFrame, windows, checks, interrupt, crash, flood."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cdc_tutor import strings
from cdc_tutor.course.loader import load_course
from cdc_tutor.ui import messages
from cdc_tutor.ui.widgets.snippet_bar import SnippetBar

from .conftest import RecordingApp, record
from .test_walk import FIRST, open_lesson, posted

CODE_COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "ui_code_course"
LESSON = "module-1/01-code"
SIZE = (120, 40)


@pytest.fixture
def code_app(store, tmp_path, monkeypatch):
    monkeypatch.setenv("CDC_TUTOR_DATA_DIR", str(tmp_path / "data"))  # the kernel's work dir lives there
    course = load_course(CODE_COURSE)
    assert not course.all_problems(), course.all_problems()

    def make(on_trouble_step: bool = False) -> RecordingApp:
        if on_trouble_step:  # the first step passed: the lesson opens on the second
            for checkpoint in ("ran-first", "x-is-21"):
                store.record_pass(LESSON, "run-code", checkpoint)
        return RecordingApp(course, store)

    return make


async def wait_until(pilot, predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        await pilot.pause(0.05)


def log_text(output) -> str:
    """The output log as one string, undoing the wrapping at the pane's width."""
    return " ".join(line.strip() for line in output.log_lines())


def finished(app) -> list[messages.SnippetFinished]:
    return posted(app, messages.SnippetFinished)


def panes(app):
    screen = app.screen
    return screen.query_one("#output-pane"), screen.query_one("#frame-pane"), screen.query_one("#windows-pane")


async def open_code_lesson(pilot, app) -> None:
    await open_lesson(pilot, LESSON)
    await wait_until(pilot, lambda: posted(app, messages.KernelReady) or posted(app, messages.KernelFailed))
    assert not posted(app, messages.KernelFailed), posted(app, messages.KernelFailed)[0].problem


async def select(pilot, number: int) -> None:
    for _ in range(number - 1):
        await pilot.press("ctrl+n")


async def test_f5_runs_the_selected_snippet_streams_output_and_selects_the_next(code_app):
    app = code_app()
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        await open_lesson(pilot, LESSON)
        bar = app.screen.query_one(SnippetBar)
        assert "Фрагмент 1/4" in bar.plain and "x = 21" in bar.plain
        await pilot.press("f5")  # before the kernel is ready: queued, run once it is
        output, _, _ = panes(app)
        await wait_until(pilot, lambda: finished(app))
        assert finished(app)[0].status == "ok" and finished(app)[0].index == 1
        await wait_until(pilot, lambda: "hello 21" in output.log_lines())
        assert output.status_text.startswith("✔")
        assert app.screen.query_one("#pane-tabs").active == "pane-output"
        assert "Фрагмент 2/4" in bar.plain and strings.SNIPPET_MARKS["ok"] in bar.plain
        await pilot.press("ctrl+l")
        assert "Фрагмент 1/4" in bar.plain


async def test_whole_step_fills_frame_and_windows_panes_and_stops_at_the_error(code_app):
    app = code_app()
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        await open_code_lesson(pilot, app)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(finished(app)) == 4)
        assert [m.status for m in finished(app)] == ["ok", "ok", "ok", "error"]
        output, frames, windows = panes(app)
        await wait_until(pilot, lambda: frames.frame is not None and windows.table is not None)
        await wait_until(pilot, lambda: output.status_text.startswith("✖"))
        assert "ZeroDivisionError" in output.status_text
        assert any("ZeroDivisionError" in line for line in output.log_lines())
        assert "DataFrame: 3 × 2" in str(frames.query_one("#frame-title").render())
        assert str(frames.query_one("#frame-dtypes").render()) in (
            "dtypes: op str, ts_ms int64",
            "dtypes: op object, ts_ms int64",
        )
        frames.sort_by("c1")
        assert frames.column_values("ts_ms") == ["10", "20", "30"]
        await wait_until(pilot, lambda: windows.result_lines())
        assert windows.changelog_lines() == ["+I 10:00 1", "-U 10:00 1", "+U 10:00 2", "+I 10:01 5"]
        assert windows.result_lines() == ["10:00 2", "10:01 5"]


async def test_kernel_checkpoints_fail_before_and_pass_after_the_code_ran(code_app):
    app = code_app()
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        await open_code_lesson(pilot, app)
        await pilot.press("f2")
        await wait_until(pilot, lambda: posted(app, messages.CheckpointFailed))
        assert posted(app, messages.CheckpointChecking)[0].checkpoint_id == "ran-first"
        await pilot.press("f5")
        await wait_until(pilot, lambda: finished(app))
        await pilot.press("f2")
        await wait_until(pilot, lambda: len(posted(app, messages.CheckpointPassed)) == 1)
        await pilot.press("f2")  # the predicate `x == 21`, evaluated in the kernel
        await wait_until(pilot, lambda: len(posted(app, messages.CheckpointPassed)) == 2)
        assert [m.checkpoint_id for m in posted(app, messages.CheckpointPassed)] == ["ran-first", "x-is-21"]
        assert posted(app, messages.StepUnlocked)


async def test_interrupt_stops_a_tight_loop_within_a_second(code_app):
    app = code_app(on_trouble_step=True)
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        await open_code_lesson(pilot, app)
        await pilot.press("f5")  # while True: pass
        await wait_until(pilot, lambda: posted(app, messages.SnippetStarted))
        await pilot.pause(0.5)
        assert not finished(app)
        pressed = time.monotonic()
        await pilot.press("ctrl+z")
        await wait_until(pilot, lambda: finished(app), timeout=5)
        assert time.monotonic() - pressed < 1.5
        assert finished(app)[0].status == "interrupted"
        output, _, _ = panes(app)
        await wait_until(pilot, lambda: output.status_text == strings.RUN_INTERRUPTED)


async def test_a_dying_kernel_is_reported_and_restarted(code_app):
    app = code_app(on_trouble_step=True)
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        await open_code_lesson(pilot, app)
        await select(pilot, 3)  # os._exit(1)
        await pilot.press("f5")
        await wait_until(pilot, lambda: posted(app, messages.KernelRestarted))
        assert finished(app)[0].status == "died"
        assert posted(app, messages.KernelDied)[0].exit_code == 1
        output, _, _ = panes(app)
        await wait_until(pilot, lambda: output.status_text == strings.KERNEL_RESTARTED)
        text = log_text(output)
        assert strings.RUN_DIED.format(code=1) in text and strings.KERNEL_RESTARTED in text
        await pilot.press("f5")  # the next snippet runs in the fresh kernel
        await wait_until(pilot, lambda: len(finished(app)) == 2)
        assert finished(app)[1].status == "ok"
        await wait_until(pilot, lambda: "alive" in output.log_lines())


async def test_a_million_lines_are_capped_and_the_ui_stays_responsive(code_app):
    from cdc_tutor.ui.widgets.output_pane import MAX_LINES

    app = code_app(on_trouble_step=True)
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        await open_code_lesson(pilot, app)
        await select(pilot, 2)  # for i in range(1_000_000): print(i)
        await pilot.press("f5")
        await wait_until(pilot, lambda: posted(app, messages.SnippetStarted))
        bar, delays = app.screen.query_one(SnippetBar), []
        while not finished(app):  # the kernel takes 10-20 s to print a million lines
            before, pressed = bar.plain, time.monotonic()
            await pilot.press("ctrl+n" if "Фрагмент 3/" not in before else "ctrl+l")
            delays.append(time.monotonic() - pressed)
            assert bar.plain != before  # the key was handled, not queued behind the flood
            await pilot.pause(0.2)
        # The kernel burns a core meanwhile: allow for a busy 2-core machine, not for a frozen UI.
        delays.sort()
        assert delays[len(delays) // 2] < 0.5 and delays[-1] < 2.0, delays
        assert finished(app)[0].status == "ok"
        output, _, _ = panes(app)
        for _ in range(6):  # Ctrl+N brought the code pane forward: Alt+P to the output tab, as a student
            if "999999" in output.log_lines():
                break
            await pilot.press("alt+p")
            await pilot.pause(0.5)
        await wait_until(pilot, lambda: "999999" in output.log_lines())
        assert "1 000 000" in output.omitted_text
        lines = output.log_lines()
        assert len(lines) < MAX_LINES  # the gap is stated in the log too (wrapped at the pane's width):
        assert "1 000 000" in log_text(output)


async def test_lessons_without_code_start_no_kernel_and_hide_the_code_keys(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_lesson(pilot, FIRST)
        screen = app.screen
        assert screen.kernel.runner is None and not screen.kernel.wanted
        assert screen.check_action("run_snippet", ()) is False and screen.check_action("check", ()) is True
        assert not screen.query_one(SnippetBar).display
        assert screen.query_one("#output-pane").status_text == strings.KERNEL_NONE


async def test_leaving_the_lesson_shuts_its_kernel_down(code_app):
    app = code_app()
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        await open_code_lesson(pilot, app)
        kernel = app.screen.kernel.runner.kernel
        assert kernel.is_alive
        await pilot.press("escape")
        await wait_until(pilot, lambda: not kernel.is_alive, timeout=15)


async def test_restart_key_asks_then_restarts_a_busy_kernel(code_app):
    from cdc_tutor.ui.screens.confirm import ConfirmScreen

    app = code_app(on_trouble_step=True)
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        await open_code_lesson(pilot, app)
        await pilot.press("f5")  # while True: pass
        await wait_until(pilot, lambda: posted(app, messages.SnippetStarted))
        await pilot.press("ctrl+f")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_until(pilot, lambda: posted(app, messages.KernelRestarted))
        assert finished(app)[0].status == "died" and not posted(app, messages.KernelDied)  # asked for, not a crash
        output, _, _ = panes(app)
        await wait_until(pilot, lambda: output.status_text == strings.KERNEL_RESTARTED)
        assert app.screen.kernel.runner.kernel.is_alive


async def test_leaving_during_a_run_stops_the_kernel_for_good(code_app):
    app = code_app(on_trouble_step=True)
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        await open_code_lesson(pilot, app)
        kernel = app.screen.kernel.runner.kernel
        await pilot.press("f5")  # while True: pass
        await wait_until(pilot, lambda: posted(app, messages.SnippetStarted))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not kernel.is_alive, timeout=15)
        await pilot.pause(1.5)  # the run ends as "died": that must not bring a kernel back
        assert not kernel.is_alive and kernel._km is None


async def test_quitting_the_app_stops_the_kernel(code_app):
    app = code_app()
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        await open_code_lesson(pilot, app)
        kernel = app.screen.kernel.runner.kernel
        await pilot.press("ctrl+q")
    deadline = time.monotonic() + 15
    while kernel.is_alive and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not kernel.is_alive


async def test_a_kernel_dying_while_idle_is_noticed_and_restarted(code_app):
    app = code_app(on_trouble_step=True)
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        await open_code_lesson(pilot, app)
        await select(pilot, 5)  # a timer thread calls os._exit(3) after the snippet has finished
        await pilot.press("f5")
        await wait_until(pilot, lambda: finished(app))
        assert finished(app)[0].status == "ok"
        await wait_until(pilot, lambda: posted(app, messages.KernelRestarted), timeout=20)
        assert posted(app, messages.KernelDied)
        assert app.screen.kernel.runner.kernel.is_alive


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_code_lesson_snapshot(snap_compare, code_app, size):
    """The snippet bar above the step bar and the code keys in the footer; Ctrl+N brings the code tab forward."""

    async def open_it(pilot):
        await open_lesson(pilot, LESSON)
        await pilot.press("ctrl+n")

    assert snap_compare(code_app(), terminal_size=size, run_before=open_it)


async def test_a_missing_engine_says_which_command_sets_it_up(store, tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("CDC_TUTOR_DATA_DIR", str(tmp_path / "data"))  # no engine environments here
    root = tmp_path / "course"
    shutil.copytree(CODE_COURSE, root)
    lesson_file = root / "module-1" / "01-code" / "lesson.md"
    lesson_file.write_text(
        lesson_file.read_text(encoding="utf-8").replace("engine: python", "engine: flink"), encoding="utf-8"
    )
    app = RecordingApp(load_course(root), store)
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        await open_lesson(pilot, LESSON)
        await wait_until(pilot, lambda: posted(app, messages.KernelFailed))
        problem = posted(app, messages.KernelFailed)[0].problem
        assert problem == strings.ENGINE_MISSING.format(engine="flink", command="cdc-tutor setup flink")
        await pilot.press("f5")
        assert problem in str(app.screen.query_one("#notice").render())
        output, _, _ = panes(app)
        assert "cdc-tutor setup flink" in output.status_text


async def test_the_kernel_waits_for_the_lab_and_gets_its_address(code_app):
    from cdc_tutor.lab import EmbeddedLab
    from cdc_tutor.lab.options import LabOptions

    app = code_app()
    app.lab_factory = lambda lesson=None: EmbeddedLab(LabOptions(workload=False)).start()
    async with app.run_test(size=SIZE, message_hook=record(app)) as pilot:
        await open_code_lesson(pilot, app)  # opened at once: the kernel waits for the lab first
        assert app.lab is not None
        assert posted(app, messages.KernelReady)[0].bootstrap == app.lab.bootstrap_servers
        result = app.screen.kernel.runner.run_code("import os; os.environ['KAFKA_BOOTSTRAP_SERVERS']")
        assert result.result is not None and app.lab.bootstrap_servers in result.result.text


async def test_a_failure_is_told_in_the_step_bar_when_the_panes_are_hidden(code_app):
    app = code_app()
    async with app.run_test(size=(80, 24), message_hook=record(app)) as pilot:
        await open_code_lesson(pilot, app)
        from .test_exercise_editor import screen_text  # it imports this module

        await select(pilot, 4)  # 1 / 0; selecting it brings the code pane forward at 80x24
        await pilot.press("f9")  # back to the lesson text: the panes are hidden
        await pilot.pause()
        assert "Фрагмент 4 урока" not in screen_text(app)
        await pilot.press("f5")
        await wait_until(pilot, lambda: finished(app))
        await pilot.pause()
        notice = str(app.screen.query_one("#notice").render())
        assert "ZeroDivisionError" in notice and "F9" in notice


async def test_code_deaf_to_the_interrupt_is_reported_and_a_restart_offered(code_app):
    """A wait inside C (librdkafka's close() deadlock, say) ignores Ctrl+Z: the tutor says so and asks to restart.

    Walked as a student over SSH at 80x24: the dialog comes up at once; declined, the reason is in
    the output pane (F9 shows the panes on a narrow screen); Ctrl+F then restarts after all.
    """
    from cdc_tutor.ui.screens.confirm import ConfirmScreen

    app = code_app(on_trouble_step=True)
    async with app.run_test(size=(80, 24), message_hook=record(app)) as pilot:
        await open_code_lesson(pilot, app)
        lesson_screen = app.screen
        output, _, _ = panes(app)
        await select(pilot, 6)
        await pilot.press("f5")
        await wait_until(pilot, lambda: posted(app, messages.SnippetStarted))
        await pilot.pause(0.5)
        await pilot.press("ctrl+z")
        await wait_until(pilot, lambda: posted(app, messages.KernelStuck), timeout=15)
        assert not finished(app)  # the interrupt did not reach it: still running
        await wait_until(
            pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen.query("#question"), timeout=5
        )
        assert "не отвечает на прерывание" in str(app.screen.query_one("#question").render())
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is lesson_screen, timeout=5)
        await pilot.press("f9")  # the panes, on a narrow screen
        await wait_until(pilot, lambda: strings.KERNEL_STUCK.split(":")[0] in log_text(output), timeout=5)
        assert not finished(app)  # declining keeps the stuck code running
        await pilot.press("ctrl+f")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_until(pilot, lambda: posted(app, messages.KernelRestarted))
        assert finished(app)[0].status == "died" and not posted(app, messages.KernelDied)
        assert app.screen.kernel.runner.kernel.is_alive
