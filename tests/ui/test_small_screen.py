"""The lesson screen at 80x24 and 120x40, read from the rendered screen (not widget state): the
focused widget is marked, the layout line names F9, panes follow. The scripted student that walks
every bundled lesson with these helpers is in test_scripted_student.py."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from textual import events
from textual.app import App

from cdc_tutor import strings
from cdc_tutor.course.loader import load_course
from cdc_tutor.kernel import FrameView
from cdc_tutor.settings import Settings
from cdc_tutor.source.database import InventoryDatabase
from cdc_tutor.ui import messages
from cdc_tutor.ui.widgets.event_list import EventList
from cdc_tutor.ui.widgets.frame_pane import FramePane
from cdc_tutor.ui.widgets.lesson_panes import LessonPanes
from cdc_tutor.ui.widgets.lesson_text import WideFence
from cdc_tutor.ui.widgets.source_pane import SourcePane
from cdc_tutor.ui.widgets.step_bar import StepBar
from cdc_tutor.ui.widgets.windows_pane import WindowsPane

from .conftest import FIXTURE_COURSE, RecordingApp, record
from .test_code_kernel import finished, wait_until
from .test_code_panes import PaneApp as PanesApp
from .test_code_panes import settle
from .test_topic_pane import PaneApp
from .test_walk import FIRST, open_lesson, posted

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
WARMUP = "module-5/00-debezium-envelope"
SIZES = [(80, 24), (120, 40)]


def screen_lines(app) -> list[str]:
    """What the terminal shows, line by line (the rendered screen, not widget state)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def step_bar_lines(app) -> list[str]:
    """The rendered rows of the step bar, without the checkpoint area's scrollbar when it shows one."""
    bar = app.screen.query_one(StepBar).region
    area = app.screen.query_one("#checkpoints")
    scrollbar = area.region.right - 1 if area.show_vertical_scrollbar else bar.right - 1
    lines = screen_lines(app)
    return [
        lines[y][bar.x : scrollbar if area.region.y <= y < area.region.bottom else bar.right - 1]
        for y in range(bar.y, bar.bottom)
    ]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def on_screen(app, text: str) -> bool:
    """Whether `text` is readable in the step bar, wrapped over lines as the screen wraps it."""
    return flat(text) in flat(" ".join(step_bar_lines(app)))


def answer_marked(app) -> bool:
    """The answer field has the keys, and its row on screen starts with the focus mark `›`."""
    answer = app.screen.query_one("#answer")
    row = screen_lines(app)[answer.region.y]
    return app.focused is answer and row[: answer.region.x].strip() == "›"


async def type_keys(pilot, text: str) -> None:
    for character in text:
        await pilot.press("space" if character == " " else character)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.pause()


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CDC_TUTOR_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


async def test_user_reads_as_the_students_prefix_in_prompts_and_hints(store, tmp_path, monkeypatch):
    copy = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, copy)
    lesson_file = copy / "module-1" / "01-first-events" / "lesson.md"
    text = lesson_file.read_text(encoding="utf-8")
    text = text.replace("Какое значение op у события вставки?", "Какое значение op в topic {user}-orders?")
    text = text.replace("Это первая буква слова create.", "Группа {user}-app видит букву create.")
    lesson_file.write_text(text, encoding="utf-8")
    monkeypatch.setenv("CDC_TUTOR_DATA_DIR", str(tmp_path / "data"))
    settings = Settings.load()
    app = RecordingApp(load_course(copy), store, settings=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lesson(pilot, FIRST)
        await pilot.press("f3")
        await pilot.pause()
        assert on_screen(app, f"Какое значение op в topic {settings.user}-orders?"), step_bar_lines(app)
        assert on_screen(app, f"Группа {settings.user}-app видит букву create."), step_bar_lines(app)
        assert not any("{user}" in line for line in screen_lines(app))


async def test_layout_line_names_the_keys_for_the_panes(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lesson(pilot, FIRST)
        assert any(strings.LAYOUT_PANES_HIDDEN in line for line in screen_lines(app))
        assert not any(strings.PANE_TITLES["topics"] in line for line in screen_lines(app))
        await pilot.press("alt+p")  # the panes come into sight
        await pilot.pause()
        assert any(strings.LAYOUT_PANES_SHOWN in line for line in screen_lines(app))
        tabs_row = next(line for line in screen_lines(app) if strings.PANE_TITLES["topics"] in line)
        assert strings.PANE_TITLES["output"] in tabs_row
        before = app.screen.query_one("#pane-tabs").active
        await pilot.press("alt+p")  # then their next tab
        await pilot.pause()
        assert app.screen.query_one("#pane-tabs").active != before
        await pilot.press("f9")  # back to the text
        await pilot.pause()
        assert any(strings.LAYOUT_PANES_HIDDEN in line for line in screen_lines(app))


async def test_topic_pane_says_its_filters_pause_and_keys_at_80_columns():
    app = PaneApp(None)  # no lab: the keys still act, and the pane says what they did
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_focus(None)
        await pilot.pause()
        keys_row = app.query_one("#topic-keys").region.y
        assert strings.TAIL_KEYS_UNFOCUSED in screen_lines(app)[keys_row]
        await pilot.press("o", "space")  # not focused: the pane's keys do nothing
        await pilot.pause()
        assert strings.TAIL_ALL in screen_lines(app)[keys_row]
        assert strings.TAIL_RUNNING in screen_lines(app)[keys_row]
        app.query_one(EventList).focus()
        await pilot.pause()
        assert screen_lines(app)[keys_row].startswith(strings.TAIL_ALL)
        assert strings.TAIL_KEYS_FOCUSED in screen_lines(app)[keys_row]  # focused: marked, its keys named
        await pilot.press("o", "o", "space")
        await pilot.pause()
        row = screen_lines(app)[keys_row]
        assert strings.TAIL_FILTER.format(table="*", op="u") in row and strings.TAIL_PAUSED in row, row
        await pilot.press("backspace")  # one key back to everything
        await pilot.pause()
        assert screen_lines(app)[keys_row].startswith(f"{strings.TAIL_ALL} · {strings.TAIL_RUNNING}")


CODE_COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "ui_code_course"
CODE_LESSON = "module-1/01-code"


def output_rows(app) -> list[str]:
    """The rendered rows of the output log, as the student sees them."""
    region = app.screen.query_one("#output-log").region
    rows = [line[region.x : region.right - 1].rstrip() for line in screen_lines(app)[region.y : region.bottom]]
    return [row for row in rows if row]


async def test_output_follows_new_output_unless_scrolled_up_and_comes_forward(store, data_dir):
    app = RecordingApp(load_course(CODE_COURSE), store)
    async with app.run_test(size=(80, 24), message_hook=record(app)) as pilot:
        await open_lesson(pilot, CODE_LESSON)
        await wait_until(pilot, lambda: posted(app, messages.KernelReady) or posted(app, messages.KernelFailed))
        await pilot.press("f9")  # the panes, on the code tab
        await pilot.pause()
        panes = app.screen.query_one(LessonPanes)
        for run in range(1, 4):  # the whole step three times: far more than a screen of output
            await pilot.press("ctrl+s")
            assert panes.active_tab == "output"  # the run brought it forward
            await wait_until(pilot, lambda: len(finished(app)) == 4 * run)  # noqa: B023
            # The newest line, the last snippet's verdict, is what the pane shows at its bottom.
            await wait_until(pilot, lambda: output_rows(app) and "ZeroDivisionError" in output_rows(app)[-1])
        await pilot.press("f9")  # back to the text: the output is written out of sight
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(finished(app)) == 16)
        await pilot.press("f9")
        await wait_until(pilot, lambda: output_rows(app) and "ZeroDivisionError" in output_rows(app)[-1])
        app.screen.query_one("#output-log").scroll_to(y=0, animate=False)  # the student scrolls up to read
        await pilot.pause()
        top = output_rows(app)[0]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(finished(app)) == 20)
        await wait_until(pilot, lambda: any(strings.OUTPUT_NEW_BELOW in line for line in screen_lines(app)))
        assert output_rows(app)[0] == top  # left where they read
        app.screen.query_one("#output-log").scroll_end(animate=False)  # back at the bottom: following again
        await wait_until(pilot, lambda: not any(strings.OUTPUT_NEW_BELOW in line for line in screen_lines(app)))
        for tab in ("dataframe", "topics"):  # whatever tab is in front, a run brings the output back
            panes.show_tab(tab)
            await pilot.pause()
            await pilot.press("f5")
            await pilot.pause()
            assert panes.active_tab == "output"


async def test_the_command_palette_speaks_russian(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lesson(pilot, FIRST)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.pause(0.3)
        shown = "\n".join(screen_lines(app))
        assert strings.PALETTE_PLACEHOLDER in shown
        for english in ("Keys", "Screenshot", "Theme", "Maximize", "Quit the application", "Search for"):
            assert english not in shown, shown
        assert strings.ACTION_CHECK in shown or strings.ACTION_HINT in shown


async def test_stale_kernel_notices_clear_and_a_step_without_code_says_so(store, data_dir):
    for checkpoint in ("ran-first", "x-is-21"):  # the first step passed: the lesson opens on the second
        store.record_pass(CODE_LESSON, "run-code", checkpoint)
    app = RecordingApp(load_course(CODE_COURSE), store)
    async with app.run_test(size=(80, 24), message_hook=record(app)) as pilot:
        await open_lesson(pilot, CODE_LESSON)
        await wait_until(pilot, lambda: posted(app, messages.KernelReady) or posted(app, messages.KernelFailed))
        await pilot.press("f5")  # `while True: pass`
        await wait_until(pilot, lambda: posted(app, messages.SnippetStarted))
        await pilot.press("ctrl+z")
        await wait_until(pilot, lambda: finished(app))
        await pilot.pause()
        assert finished(app)[0].status == "interrupted"
        assert on_screen(app, strings.RUN_INTERRUPTED), step_bar_lines(app)  # what happened, not what was sent
        assert not on_screen(app, strings.INTERRUPT_SENT)
        await pilot.press("ctrl+z")  # nothing runs now: said so...
        await pilot.pause()
        assert on_screen(app, strings.NOTHING_RUNS), step_bar_lines(app)
        await pilot.press("ctrl+l", "f5")  # ...until the kernel runs again
        await pilot.pause()
        assert not on_screen(app, strings.NOTHING_RUNS), step_bar_lines(app)
        await pilot.press("ctrl+z")
        await wait_until(pilot, lambda: len(finished(app)) == 2)

    warmup = RecordingApp(load_course(LESSONS), store)
    async with warmup.run_test(size=(80, 24)) as pilot:
        await open_lesson(pilot, WARMUP)
        await pilot.press("f5")  # the first step has no code: said, not silence
        await pilot.pause()
        assert on_screen(warmup, strings.NO_SNIPPET_IN_STEP), step_bar_lines(warmup)


class DatabaseApp(App[None]):
    """The source pane over a real embedded inventory database (the part of a lab it uses)."""

    def __init__(self) -> None:
        super().__init__()
        self.lab = SimpleNamespace(database=InventoryDatabase())

    def compose(self):
        yield SourcePane(id="source-pane")


async def test_select_in_the_database_pane_shows_its_rows_unwrapped():
    app = DatabaseApp()
    async with app.run_test(size=(80, 24)) as pilot:
        sql = app.query_one("#sql-input")
        sql.focus()
        sql.value = "SELECT * FROM inventory.orders ORDER BY id"
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("10004" in line for line in screen_lines(app)))
        shown = screen_lines(app)
        assert any(strings.SQL_SELECTED.format(total=4, changes=0) in line for line in shown), shown
        row = next(line for line in shown if "10001" in line)
        assert "2016-01-16" in row and "1001" in row  # one row, one line: columns side by side, not wrapped
        assert not any("строк затронуто" in line for line in shown)


def wide_frame(columns: int) -> FrameView:
    names = [f"column_{i:02}" for i in range(columns)]
    return FrameView.from_json(
        {
            "kind": "frame",
            "shape": [3, columns],
            "columns": names,
            "dtypes": ["int64"] * (columns - 1) + ["datetime64[ns, UTC]"],
            "rows": [[str(10 * row + i) for i in range(columns)] for row in (3, 1, 2)],
            "index": ["0", "1", "2"],
            "total_rows": 3,
            "total_columns": columns,
            "truncated": False,
        }
    )


async def test_frame_pane_dtypes_scroll_and_the_sorted_column_is_marked():
    pane = FramePane()
    async with PanesApp(pane).run_test(size=(80, 24)) as pilot:
        pane.put(wide_frame(30))
        await settle(pilot, lambda: pane.frame is not None)
        await pilot.pause()
        dtypes = pane.query_one("#frame-dtypes-scroll")
        assert dtypes.max_scroll_y > 0  # more dtypes than lines: they scroll, none is cut for good
        dtypes.scroll_end(animate=False)
        await pilot.pause()
        assert any("datetime64[ns, UTC]" in line for line in screen_lines(app_of(pane)))
        pane.sort_by("c0")
        await pilot.pause()
        header = screen_lines(app_of(pane))[pane.query_one("#frame-table").region.y]
        assert f"column_00{strings.FRAME_SORTED_ASC}" in header, header
        pane.sort_by("c0")
        await pilot.pause()
        header = screen_lines(app_of(pane))[pane.query_one("#frame-table").region.y]
        assert f"column_00{strings.FRAME_SORTED_DESC}" in header, header
        assert strings.FRAME_SORTED_ASC not in header


async def test_windows_pane_counts_fit_at_80_columns():
    pane = WindowsPane()
    async with PanesApp(pane).run_test(size=(80, 24)) as pilot:
        rows = [{"op": "+I", "window": f"10:{i:02}", "count": i} for i in range(1200)]
        pane.put({"key": ["window"], "columns": ["window", "count"], "rows": rows})
        await settle(pilot, lambda: pane.table is not None)
        await pilot.pause()
        shown = "\n".join(screen_lines(app_of(pane)))
        changelog = strings.WINDOWS_CHANGELOG_TITLE.format(count=1200, more="")
        assert flat(changelog) in flat(shown), shown
        assert strings.WINDOWS_TABLE_TITLE.format(count=1200) in shown, shown


def app_of(widget):
    return widget.app


async def test_code_wider_than_the_column_scrolls_sideways(store, data_dir):
    app = RecordingApp(load_course(LESSONS), store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lesson(pilot, WARMUP)
        await pilot.pause()
        cut = [fence for fence in app.screen.query(WideFence) if fence.max_scroll_x > 0]
        assert cut, "the warm-up has code wider than 80 columns"
        fence = cut[0]
        longest = max(fence.code.splitlines(), key=len).rstrip()
        app.screen.query_one("#text-column").scroll_to_widget(fence, animate=False)
        await pilot.pause()
        row = fence.region.y + 1 + fence.code.splitlines().index(longest)  # the Label's top padding
        tail = longest[-10:]
        assert not screen_lines(app)[row].rstrip().endswith(tail), screen_lines(app)[row]  # cut at first
        for _ in range(20):  # Tab reaches the cut block (and only cut ones stop it)
            if app.focused is fence:
                break
            await pilot.press("tab")
        assert app.focused is fence
        await pilot.press("end")
        await pilot.pause()
        row = fence.region.y + 1 + fence.code.splitlines().index(longest)
        assert screen_lines(app)[row].rstrip().endswith(tail), (tail, screen_lines(app)[row])


EXERCISE_COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "exercise_course"
EXERCISE_LESSON = "module-1/01-exercise"


def editor_marked(app) -> bool:
    """The editor has the keys, and the code pane's header row on screen starts with the mark `›`."""
    header = app.screen.query_one("#code-header")
    row = screen_lines(app)[header.region.y][header.region.x : header.region.right]
    return app.focused is app.screen.query_one("#code-editor") and row.startswith("› ")


def tinted(app, widget) -> bool:
    """Whether `widget` is drawn with the focus tint: its rendered background differs from how the
    same widget is drawn without the keys (the step bar's plain rows are the untinted reference)."""
    strips = app.screen._compositor.render_strips()
    region = widget.region

    def background(y: int, x: int):
        offset = 0
        for segment in strips[y]:
            if offset + len(segment.text) > x:
                return segment.style.bgcolor if segment.style else None
            offset += len(segment.text)
        return None

    plain = app.screen.query_one("#step-title").region
    return background(region.y, region.x) != background(plain.y, plain.x + 1)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_selecting_a_snippet_opens_it_in_the_editor_with_the_keys(store, data_dir, size):
    app = RecordingApp(load_course(EXERCISE_COURSE), store)
    async with app.run_test(size=size, message_hook=record(app)) as pilot:
        await open_lesson(pilot, EXERCISE_LESSON)
        await wait_until(pilot, lambda: posted(app, messages.KernelReady) or posted(app, messages.KernelFailed))
        await pilot.press("ctrl+n")  # the exercise, picked from the answer field
        await pilot.pause()
        assert editor_marked(app), screen_lines(app)
        assert any("› Упражнение 2 «double»" in line for line in screen_lines(app))
        answer = app.screen.query_one("#answer")
        assert screen_lines(app)[answer.region.y][: answer.region.x].strip() != "›"  # one mark: the editor's
        await pilot.press("ctrl+l")  # the given cell before it: read in the editor too
        await pilot.pause()
        assert editor_marked(app) and any("› Фрагмент 1 урока" in line for line in screen_lines(app))
        await pilot.press("ctrl+e")  # back to the text: the mark leaves the editor's header
        await pilot.pause()
        text = app.screen.query_one("#text-column")
        assert answer_marked(app) or (app.focused is text and tinted(app, text)), screen_lines(app)
        assert not any("› Фрагмент 1 урока" in line for line in screen_lines(app))
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert editor_marked(app)
        await pilot.press("alt+a")  # the student pastes the solution over the starter
        app.post_message(events.Paste("def double(x):\n    return x * 2\n"))  # as the driver delivers it
        await pilot.pause()
        await pilot.press("f5")  # the run brings the output forward; nothing to type: the keys go to it
        await wait_until(pilot, lambda: finished(app))
        await pilot.pause()
        log = app.screen.query_one("#output-log")
        assert app.focused is log and tinted(app, log), screen_lines(app)
        await pilot.press("f2")
        await wait_until(pilot, lambda: posted(app, messages.StepUnlocked))
        await pilot.press("f8")  # the next question: typed into the marked answer field
        await pilot.pause()
        assert answer_marked(app), screen_lines(app)


class ScriptedTail:
    """A connected tail whose buffer the test fills: what the topic pane reads from a real one."""

    def __init__(self) -> None:
        from cdc_tutor.cdc.tail_buffer import TailBuffer

        self.buffer = TailBuffer()
        self.state = SimpleNamespace(value="connected")
        self.last_error, self.skipped = None, 0

    def stop(self, timeout=None) -> None:
        pass


def change_at(ms: int) -> bytes:
    """A Debezium insert committed at `ms` (the pane shows the source's commit time)."""
    path = Path(__file__).resolve().parents[1] / "fixtures" / "debezium" / "pg_2.5.4_create_noschema.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["source"]["ts_ms"] = document["ts_ms"] = ms
    return json.dumps(document).encode()


async def test_topic_rows_are_in_the_order_the_changes_happened():
    tail = ScriptedTail()
    app = PaneApp(SimpleNamespace(open_tail=lambda topics, from_start=True: tail))
    base = 1_720_271_920_000
    # Two consume batches, each one partition's run: arrival order is not the order of the changes.
    for topic, stamps in (("orders", (3000, 5000)), ("customers", (1000, 4000))):
        batch = [
            (f"dbserver1.inventory.{topic}", 0, n, base + ms, None, change_at(base + ms)) for n, ms in enumerate(stamps)
        ]
        tail.buffer.add_batch(batch)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: len(app.query_one(EventList).entries) == 4)
        await pilot.pause()
        region = app.query_one(EventList).region
        rows = [line[region.x : region.right] for line in screen_lines(app)[region.y : region.bottom] if line.strip()]
        times = [row.split()[0] for row in rows[:4]]
        assert times == sorted(times) and len(set(times)) == 4, rows
