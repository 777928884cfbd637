"""FramePane: the last DataFrame the lesson's code displayed, as a sortable table with shape and dtypes."""

from __future__ import annotations

import math

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from cdc_tutor import strings
from cdc_tutor.kernel import FrameView
from cdc_tutor.ui.inbox import Inbox

REFRESH_SECONDS = 0.25  # frames arrive at most a few per second; only the latest is drawn
INDEX_KEY = "__index__"


def sort_key(value: object) -> tuple:
    """Numbers by value, before text; missing values (nan, None, <NA>) last."""
    text = str(value.plain if isinstance(value, Text) else value)
    try:
        number = float(text.replace(" ", ""))
    except ValueError:
        return (2, 0.0, "") if text in ("None", "<NA>", "NaT") else (1, 0.0, text.casefold())
    return (2, 0.0, "") if math.isnan(number) else (0, number, "")


def frame_title(frame: FrameView) -> str:
    rows, columns = (frame.shape + (1,))[:2] if frame.shape else (frame.total_rows, frame.total_columns)
    name = f" «{frame.name}»" if frame.name else ""
    return strings.FRAME_TITLE.format(
        kind=strings.FRAME_KINDS.get(frame.kind, frame.kind), name=name, rows=_count(rows), columns=_count(columns)
    )


def dtypes_line(frame: FrameView) -> str:
    return strings.FRAME_DTYPES.format(dtypes=", ".join(f"{c} {d}" for c, d in zip(frame.columns, frame.dtypes)))


def shown_line(frame: FrameView) -> str:
    parts = [strings.FRAME_SHOWN.format(shown=_count(frame.shown_rows), total=_count(frame.total_rows))]
    if len(frame.columns) < frame.total_columns:
        parts.append(strings.FRAME_SHOWN_COLUMNS.format(shown=len(frame.columns), total=frame.total_columns))
    return " · ".join(parts)


class FramePane(Vertical):
    """Redrawn as one snapshot per frame (clear + add_rows), never row by row."""

    BINDINGS = [Binding("s", "sort_column", strings.ACTION_SORT_COLUMN)]

    DEFAULT_CSS = """
    FramePane { height: 1fr; }
    FramePane > #frame-title { height: 1; padding: 0 1; text-style: bold; }
    FramePane > #frame-dtypes-scroll { height: auto; max-height: 3; }
    FramePane #frame-dtypes { height: auto; padding: 0 1; color: $text-muted; }
    FramePane > #frame-table { height: 1fr; }
    FramePane > #frame-shown { height: 1; padding: 0 1; color: $warning; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.inbox: Inbox[FrameView] = Inbox(limit=8)
        self.frame: FrameView | None = None
        self.sorted_by: tuple[str, bool] | None = None  # (column key, reverse)

    def compose(self) -> ComposeResult:
        yield Static(strings.FRAME_EMPTY, id="frame-title", markup=False)
        with VerticalScroll(id="frame-dtypes-scroll"):  # every dtype, scrolled when there are many
            yield Static("", id="frame-dtypes", markup=False)
        yield DataTable(id="frame-table", zebra_stripes=True, cursor_type="column")
        yield Static("", id="frame-shown", markup=False)

    def on_mount(self) -> None:
        for name in ("#frame-dtypes-scroll", "#frame-table", "#frame-shown"):
            self.query_one(name).display = False
        self.set_interval(REFRESH_SECONDS, self.refresh_frame)

    def put(self, frame: FrameView) -> None:
        """From any thread."""
        self.inbox.put(frame)

    def refresh_frame(self) -> None:
        frames = self.inbox.drain()
        if frames:
            self.show(frames[-1])

    def show(self, frame: FrameView) -> None:
        self.frame, self.sorted_by = frame, None
        self.query_one("#frame-title", Static).update(frame_title(frame))
        self.query_one("#frame-dtypes", Static).update(dtypes_line(frame))
        shown = self.query_one("#frame-shown", Static)
        shown.update(shown_line(frame))
        shown.display = frame.truncated or frame.shown_rows < frame.total_rows
        table = self.query_one("#frame-table", DataTable)
        table.clear(columns=True)
        table.add_column(Text(frame.index_name or "", style="dim"), key=INDEX_KEY)
        for position, name in enumerate(frame.columns):
            table.add_column(name, key=f"c{position}")
        index = frame.index or [str(i) for i in range(len(frame.rows))]
        table.add_rows([Text(label, style="dim"), *row] for label, row in zip(index, frame.rows))
        self.query_one("#frame-dtypes-scroll").display = table.display = True

    @on(DataTable.HeaderSelected, "#frame-table")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    def action_sort_column(self) -> None:
        table = self.query_one("#frame-table", DataTable)
        if self.frame is None or not table.columns:
            return
        column = table.ordered_columns[table.cursor_column]
        self.sort_by(str(column.key.value))

    def sort_by(self, column_key: str) -> None:
        """Sort by a column; the same column again reverses the order."""
        reverse = self.sorted_by is not None and self.sorted_by == (column_key, False)
        table = self.query_one("#frame-table", DataTable)
        table.sort(column_key, key=sort_key, reverse=reverse)
        self.sorted_by = (column_key, reverse)
        self._mark_sorted(table)

    def _mark_sorted(self, table: DataTable) -> None:
        """The sorted column's header carries ▲ (ascending) or ▼ (descending); the others none."""
        if self.frame is None:
            return
        for key, column in table.columns.items():
            name = str(key.value)
            base = self.frame.index_name or "" if name == INDEX_KEY else self.frame.columns[int(name[1:])]
            mark = ""
            if self.sorted_by is not None and self.sorted_by[0] == name:
                mark = strings.FRAME_SORTED_DESC if self.sorted_by[1] else strings.FRAME_SORTED_ASC
            column.label = Text(base + mark, style="dim" if name == INDEX_KEY else "")
            column.content_width = max(column.content_width, column.label.cell_len)
        table.refresh()

    def column_values(self, name: str) -> list[str]:
        """A column's cells in the order shown (for tests and copying)."""
        table = self.query_one("#frame-table", DataTable)
        key = INDEX_KEY if name == INDEX_KEY else f"c{self.frame.columns.index(name)}"
        return [str(table.get_cell(row.key, key)) for row in table.ordered_rows]


def _count(number: int) -> str:
    return f"{number:,}".replace(",", " ")
