"""The code panes on their own: output batching and caps, DataFrame snapshots and sorting, windows."""

from __future__ import annotations

import time

from textual.app import App, ComposeResult

from cdc_tutor import strings
from cdc_tutor.kernel import ClearOutput, DisplayOutput, ErrorOutput, FrameView, OutputOmitted, StreamChunk
from cdc_tutor.ui.widgets.frame_pane import FramePane, sort_key
from cdc_tutor.ui.widgets.output_pane import OutputPane, RunBegan, RunEnded
from cdc_tutor.ui.widgets.snippet_bar import first_line
from cdc_tutor.ui.widgets.windows_pane import WindowsPane

CHANGELOG = "application/vnd.cdc-tutor.changelog+json"


class PaneApp(App[None]):
    def __init__(self, pane) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        yield self.pane


async def settle(pilot, predicate, seconds: float = 10.0) -> None:
    """Wait for a pane's timer to have done its work (a fixed pause is flaky on a busy machine)."""
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        await pilot.pause(0.05)


def frame(rows: int = 3, total: int = 3) -> FrameView:
    return FrameView.from_json(
        {
            "kind": "frame",
            "shape": [total, 2],
            "columns": ["op", "ts_ms"],
            "dtypes": ["str", "int64"],
            "rows": [["c", "30"], ["u", "100"], ["d", "20"]][:rows],
            "index": ["0", "1", "2"][:rows],
            "total_rows": total,
            "total_columns": 2,
            "truncated": rows < total,
        }
    )


async def test_output_batches_chunks_and_holds_unfinished_lines():
    pane = OutputPane()
    async with PaneApp(pane).run_test(size=(80, 24)) as pilot:
        pane.put(RunBegan(1, "Шаг"))
        for piece in ("hel", "lo\nwor", "ld\npartial"):
            pane.put(StreamChunk("stdout", piece))
        pane.flush()
        lines = pane.log_lines()
        assert lines[-2:] == ["hello", "world"]  # "partial" waits for its newline or the run's end
        assert pane.status_text == strings.RUN_RUNNING.format(number=1)
        pane.put(StreamChunk("stderr", "warn\n"))
        pane.put(RunEnded(strings.RUN_OK.format(seconds=0.1), "ok"))
        await settle(pilot, lambda: pane.status_text.startswith("✔"))  # the 10 Hz timer flushes on its own
        assert pane.log_lines()[-3:] == ["warn", "partial", strings.RUN_OK.format(seconds=0.1)]
        assert pane.status_text == strings.RUN_OK.format(seconds=0.1)


async def test_output_states_omitted_lines_and_shows_the_tail():
    pane = OutputPane()
    async with PaneApp(pane).run_test(size=(80, 24)):
        pane.put(RunBegan(1, "Шаг"))
        pane.put(StreamChunk("stdout", "0\n1\n"))
        pane.put(OutputOmitted("stdout", 500, 1000, "998\n"))
        pane.flush()
        assert pane.omitted_text == strings.OUTPUT_OMITTED.format(omitted=500, total="1 000", stream="stdout")
        pane.put(OutputOmitted("stdout", 999_996, 1_000_000, "999998\n999999\n"))
        pane.put(RunEnded("done", "ok"))
        pane.flush()
        lines = pane.log_lines()
        assert "999 996" in pane.omitted_text and "1 000 000" in pane.omitted_text
        mark = strings.OUTPUT_OMITTED_MARK.format(omitted="999 996", total="1 000 000", stream="stdout")
        assert lines[-4:] == [mark, "999998", "999999", "done"]


async def test_output_highlights_tracebacks_and_clears():
    pane = OutputPane()
    async with PaneApp(pane).run_test(size=(80, 24)):
        pane.put(StreamChunk("stdout", "before\n"))
        pane.put(
            ErrorOutput(
                "ZeroDivisionError", "division by zero", ["\x1b[0;31mZeroDivisionError\x1b[0m: division by zero"]
            )
        )
        pane.flush()
        assert pane.log_lines()[-1] == "ZeroDivisionError: division by zero"  # ANSI became colour, not text
        pane.put(ClearOutput(wait=False))
        pane.put(StreamChunk("stdout", "after\n"))
        pane.flush()
        assert pane.log_lines() == [strings.OUTPUT_CLEARED, "after"]


async def test_output_keeps_at_most_max_lines():
    from cdc_tutor.ui.widgets import output_pane

    pane = OutputPane()
    async with PaneApp(pane).run_test(size=(80, 24)):
        for batch in range(12):
            pane.put(StreamChunk("stdout", "".join(f"{batch}-{i}\n" for i in range(500))))
            pane.flush()
        lines = pane.log_lines()
        assert len(lines) == output_pane.MAX_LINES and lines[-1] == "11-499"


async def test_frame_pane_shows_shape_dtypes_cap_and_sorts():
    pane = FramePane()
    async with PaneApp(pane).run_test(size=(80, 24)) as pilot:
        pane.put(frame(rows=3, total=1000))
        await settle(pilot, lambda: pane.frame is not None)
        assert "DataFrame: 1 000 × 2" in str(pane.query_one("#frame-title").render())
        assert str(pane.query_one("#frame-dtypes").render()) == "dtypes: op str, ts_ms int64"
        assert str(pane.query_one("#frame-shown").render()) == strings.FRAME_SHOWN.format(shown=3, total="1 000")
        assert pane.column_values("ts_ms") == ["30", "100", "20"]
        pane.sort_by("c1")
        assert pane.column_values("ts_ms") == ["20", "30", "100"]  # numbers by value, not as text
        pane.sort_by("c1")
        assert pane.column_values("ts_ms") == ["100", "30", "20"]
        table = pane.query_one("#frame-table")
        table.focus()
        table.move_cursor(column=1)
        await pilot.press("s")
        assert pane.column_values("op") == ["c", "d", "u"]
        pane.show(frame(rows=3, total=1000))  # a fresh frame starts unsorted
        index_width, op_width = (column.get_render_width(table) for column in table.ordered_columns[:2])
        await pilot.click("#frame-table", offset=(index_width + op_width + 1, 0))  # the ts_ms header
        assert pane.column_values("ts_ms") == ["20", "30", "100"]


def test_sort_key_orders_numbers_text_and_missing():
    values = ["b", "nan", "10", "None", "9.5", "A"]
    assert sorted(values, key=sort_key) == ["9.5", "10", "A", "b", "nan", "None"]


async def test_windows_pane_applies_changelog_and_shows_the_table():
    pane = WindowsPane()
    async with PaneApp(pane).run_test(size=(100, 24)) as pilot:
        pane.put(
            {
                "key": ["w"],
                "columns": ["w", "n"],
                "rows": [
                    {"op": "+I", "w": "10:00", "n": 1},
                    {"op": "-U", "w": "10:00", "n": 1},
                    {"op": "+U", "w": "10:00", "n": 2},
                    {"op": "+I", "w": "10:01", "n": 5},
                ],
            }
        )
        await settle(pilot, lambda: pane.table is not None)
        assert pane.changelog_lines() == ["+I 10:00 1", "-U 10:00 1", "+U 10:00 2", "+I 10:01 5"]
        assert pane.result_lines() == ["10:00 2", "10:01 5"]
        pane.put({"key": ["w"], "reset": False, "rows": [{"op": "-D", "w": "10:01", "n": 5}]})
        pane.put({"rows": "broken"})
        pane.refresh_tables()
        assert pane.result_lines() == ["10:00 2"]
        assert "rows" in str(pane.query_one("#windows-errors").render())


def test_snippet_first_line_skips_comments_and_clips():
    assert first_line("# setup\nimport pandas as pd\ndf = 1\n") == "import pandas as pd…"
    assert first_line("x = 1\n") == "x = 1"
    assert first_line("y = '" + "a" * 100 + "'").endswith("…")


def test_display_note_names_frames_and_changelogs():
    from cdc_tutor.ui.widgets.output_pane import _display_line

    note = _display_line(DisplayOutput({"text/plain": "df"}, {}, frame(total=1000)))
    assert note == strings.OUTPUT_FRAME_NOTE.format(kind="DataFrame", shape="1 000 × 2")
    assert "2" in _display_line(DisplayOutput({CHANGELOG: {"rows": [{}, {}]}}, {}, None))
    assert _display_line(DisplayOutput({"text/plain": "42"}, {}, None)) == "42"


class TabsApp(App[None]):
    def compose(self) -> ComposeResult:
        from textual.widgets import Static, TabbedContent, TabPane

        with TabbedContent(id="tabs"):
            with TabPane("first", id="first"):
                yield Static("first")
            with TabPane("output", id="second"):
                yield OutputPane(id="output")


async def test_output_written_to_a_never_shown_tab_waits_capped_then_appears():
    from cdc_tutor.ui.widgets import output_pane

    app = TabsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(OutputPane)
        log = pane.query_one("#output-log")
        assert log.size.width == 0  # never laid out: RichLog would queue every write
        for batch in range(30):
            pane.put(StreamChunk("stdout", "".join(f"{batch}-{i}\n" for i in range(500))))
            pane.flush()
        assert not log._deferred_renders
        assert sum(t.plain.count("\n") + 1 for t in pane._backlog) <= output_pane.MAX_LINES
        app.query_one("#tabs").active = "second"
        await settle(pilot, lambda: not pane._backlog)
        lines = pane.log_lines()
        assert lines[-1] == "29-499" and len(lines) == output_pane.MAX_LINES and not pane._backlog


def test_output_pane_snapshot(snap_compare):
    pane = OutputPane()

    async def fill(pilot):
        pane.put(RunBegan(2, "Запуск кода"))
        pane.put(StreamChunk("stdout", "0\n1\n"))
        pane.put(StreamChunk("stderr", "warning: deprecated\n"))
        pane.put(OutputOmitted("stdout", 999_600, 1_000_000, "999998\n999999\n"))
        pane.put(ErrorOutput("KeyError", "'op'", ["\x1b[0;31mKeyError\x1b[0m: 'op'"]))
        pane.put(RunEnded(strings.RUN_ERROR.format(error="KeyError: 'op'"), "error"))
        pane.flush()
        await pilot.pause()

    assert snap_compare(PaneApp(pane), terminal_size=(60, 16), run_before=fill)


def test_frame_pane_snapshot(snap_compare):
    pane = FramePane()

    async def fill(pilot):
        pane.show(frame(rows=3, total=1000))
        await pilot.pause()

    assert snap_compare(PaneApp(pane), terminal_size=(60, 12), run_before=fill)


def test_windows_pane_snapshot(snap_compare):
    pane = WindowsPane()

    async def fill(pilot):
        pane.put(
            {
                "key": ["w"],
                "rows": [
                    {"op": "+I", "w": "10:00", "n": 1},
                    {"op": "-U", "w": "10:00", "n": 1},
                    {"op": "+U", "w": "10:00", "n": 2},
                    {"op": "-D", "w": "10:00", "n": 2},
                ],
            }
        )
        pane.refresh_tables()
        await pilot.pause()

    assert snap_compare(PaneApp(pane), terminal_size=(60, 10), run_before=fill)


async def test_output_follows_the_end_unless_scrolled_up():
    pane = OutputPane()
    async with PaneApp(pane).run_test(size=(80, 24)) as pilot:
        log = pane.query_one("#output-log")
        pane.put(StreamChunk("stdout", "".join(f"{i}\n" for i in range(100))))
        pane.flush()
        await pilot.pause()
        assert log.is_vertical_scroll_end
        log.scroll_to(y=10, animate=False)
        await pilot.pause()
        pane.put(StreamChunk("stdout", "".join(f"more {i}\n" for i in range(100))))
        pane.flush()
        await pilot.pause()
        assert log.scroll_y == 10
