"""EventList: the topic pane's one-line-per-event list, drawn with the Line API from a snapshot."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cdc_tutor.cdc.summary import EventLine, summarize
from cdc_tutor.cdc.tail_buffer import TailEntry

# Rich styles per op; the component classes below let app.tcss theme the cursor.
OP_STYLES = {
    "c": Style(color="green", bold=True),
    "u": Style(color="yellow", bold=True),
    "d": Style(color="red", bold=True),
    "r": Style(color="cyan", bold=True),
    "tombstone": Style(color="red", dim=True),
    "?": Style(color="magenta", bold=True, reverse=True),
    "BEGIN": Style(color="blue", bold=True),
    "END": Style(color="blue", bold=True),
}
OP_LABELS = {"tombstone": "⚰", "?": "!", "BEGIN": "▶", "END": "■"}  # two columns at most
_DIM = Style(dim=True)
_TABLE = Style(bold=True)
_SUMMARY_CACHE = 600  # summaries are decoded lazily, only for rows that get drawn
_STRIP_CACHE = 300  # a few screens; every cached object also costs the garbage collector


class EventList(ScrollView, can_focus=True):
    """Shows the entries it is given; never reads Kafka itself, so the UI cost is per repaint."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", show=False),
        Binding("down,j", "cursor(1)", show=False),
        Binding("pageup", "cursor(-10)", show=False),
        Binding("pagedown", "cursor(10)", show=False),
        Binding("home", "first", show=False),
        Binding("end", "follow", show=False),
        Binding("enter", "open", show=False),
    ]
    COMPONENT_CLASSES = {"event-list--cursor"}
    DEFAULT_CSS = """
    EventList { height: 1fr; }
    EventList > .event-list--cursor { background: $accent 40%; }
    """

    class Opened(Message):
        """The student asked to see one event whole."""

        def __init__(self, entry: TailEntry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.entries: list[TailEntry] = []
        self.cursor: int | None = None
        """Index of the selected entry; None follows the newest one."""
        self._cursor_seq: int | None = None
        self._summaries: dict[int, EventLine] = {}
        self._base_style: Style | None = None  # rich_style walks the DOM: once per repaint, not per line
        self._strips: dict[tuple, Strip] = {}  # a line scrolls up as events arrive: build it once

    # -- data ----------------------------------------------------------------------------------

    def show(self, entries: list[TailEntry]) -> None:
        """Replace the snapshot; keeps the cursor on the same event if it is still there."""
        self.entries = entries
        if self._cursor_seq is not None:
            index = next((i for i, entry in enumerate(entries) if entry.seq == self._cursor_seq), None)
            if index is None and entries:  # the selected event was trimmed away: keep the place
                index = min(self.cursor or 0, len(entries) - 1)
            self.cursor = index
            if index is None:
                self._cursor_seq = None
        if len(self._summaries) > _SUMMARY_CACHE:
            keep = {entry.seq for entry in entries}
            self._summaries = {seq: line for seq, line in self._summaries.items() if seq in keep}
        if len(self._strips) > _STRIP_CACHE:
            self._strips.clear()
        size = Size(self.scrollable_content_region.width, len(entries))
        if size != self.virtual_size:  # a new virtual size means a layout pass: only when it changes
            self.virtual_size = size
        self._base_style = None
        if self.cursor is None:
            self.scroll_end(animate=False, immediate=True)
        self.refresh()

    def summary(self, entry: TailEntry) -> EventLine:
        line = self._summaries.get(entry.seq)
        if line is None:
            line = self._summaries[entry.seq] = summarize(entry)
        return line

    @property
    def following(self) -> bool:
        return self.cursor is None

    # -- drawing -------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = y + scroll_y
        width = self.scrollable_content_region.width
        if self._base_style is None:
            self._base_style = self.rich_style
        if index >= len(self.entries):
            return Strip.blank(width, self._base_style)
        key = (self.entries[index].seq, index == self.cursor, scroll_x, width, self._base_style)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._build_strip(index, scroll_x, width)
        return strip

    def _build_strip(self, index: int, scroll_x: int, width: int) -> Strip:
        line = self.summary(self.entries[index])
        op_style = OP_STYLES.get(line.op, _TABLE)
        segments = [
            Segment(line.time[:12] + " ", _DIM),
            Segment(f"{OP_LABELS.get(line.op, line.op):>2}", op_style),
            Segment(" "),
            Segment(line.table, _TABLE),
            Segment(f" [{line.key}] " if line.key else " "),
            Segment(line.detail, OP_STYLES["?"] if line.malformed else None),
        ]
        strip = Strip(segments).crop(scroll_x, scroll_x + width).extend_cell_length(width)
        if index == self.cursor:
            strip = strip.apply_style(self.get_component_rich_style("event-list--cursor"))
        return strip.apply_style(self._base_style)

    # -- actions -------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._base_style = None
        super().notify_style_update()

    def action_cursor(self, delta: int) -> None:
        if not self.entries:
            return
        start = len(self.entries) - 1 if self.cursor is None else self.cursor
        self._move_to(max(0, min(len(self.entries) - 1, start + delta)))

    def action_first(self) -> None:
        if self.entries:
            self._move_to(0)

    def action_follow(self) -> None:
        self.cursor = self._cursor_seq = None
        self.scroll_end(animate=False)
        self.refresh()

    def action_open(self) -> None:
        index = len(self.entries) - 1 if self.cursor is None else self.cursor
        if 0 <= index < len(self.entries):
            self.post_message(self.Opened(self.entries[index]))

    def _move_to(self, index: int) -> None:
        self.cursor = index
        self._cursor_seq = self.entries[index].seq
        self._keep_visible(index)
        self.refresh()

    def _keep_visible(self, index: int) -> None:
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False)
