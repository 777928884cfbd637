"""TopicPane: the live tail of the lesson's topics, with counters, filters, pause and details."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget

from cdc_tutor import strings
from cdc_tutor.ui.widgets.event_list import EventList

REFRESH_SECONDS = 0.2  # 5 Hz: the pane reads a snapshot of the buffer, never one write per event
SHOWN_LIMIT = 500
OP_FILTERS = (None, "c", "u", "d", "r", "tombstone", "?")


class StatusLine(Widget):
    """One line of text; unlike Static.update, a new text repaints without a layout pass."""

    DEFAULT_CSS = "StatusLine { height: 1; }"

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.text = text

    def update(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.refresh()

    def render(self) -> Text:
        return Text(self.text, no_wrap=True, overflow="ellipsis")  # plain text: no markup parsing


class TopicPane(Vertical):
    """Starts a tail once the app's lab is up; the tail's thread fills a bounded buffer."""

    BINDINGS = [
        Binding("space", "toggle_pause", strings.ACTION_TAIL_PAUSE),
        Binding("t", "next_table", strings.ACTION_TAIL_TABLE),
        Binding("o", "next_op", strings.ACTION_TAIL_OP),
        Binding("backspace", "reset_view", strings.ACTION_TAIL_RESET),
    ]
    # For F1 help: the keys above, said as what they do to the pane (EventList binds Enter).
    HELP = [
        Binding("space", "toggle_pause", strings.HELP_TAIL_PAUSE),
        Binding("t", "next_table", strings.HELP_TAIL_TABLE),
        Binding("o", "next_op", strings.HELP_TAIL_OP),
        Binding("backspace", "reset_view", strings.HELP_TAIL_RESET),
        Binding("enter", "open", strings.HELP_TAIL_OPEN),
    ]
    DEFAULT_CSS = """
    TopicPane > #topic-keys { color: $text-muted; }
    TopicPane > #topic-keys.-focused { color: $accent; text-style: bold; }
    TopicPane EventList:focus { background-tint: $foreground 4%; }
    """

    def __init__(self, topics: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(**kwargs)
        self.topics = topics
        self.tail = None
        self._tail_lab = None  # the lab the tail reads: a replaced lab means a new tail
        self.paused = False
        self.table_filter: str | None = None
        self.op_filter: str | None = None
        self._tables: list[str] = []

    def compose(self) -> ComposeResult:
        yield StatusLine(strings.TAIL_WAITING_FOR_LAB, id="topic-status")
        yield StatusLine(id="topic-keys")  # the view's state and the keys that change it: never silent
        yield EventList(id="event-list")

    def on_mount(self) -> None:
        self.set_interval(REFRESH_SECONDS, self.refresh_view)
        self._show_keys()

    def on_descendant_focus(self, _event) -> None:
        self._show_keys()

    def on_descendant_blur(self, _event) -> None:
        self._show_keys()

    def _show_keys(self) -> None:
        """Filter and pause first (they must fit at 80 columns), then the keys, marked when they act."""
        focused = self.query_one(EventList).has_focus
        filtered = self.table_filter or self.op_filter
        state = [
            strings.TAIL_FILTER.format(table=self.table_filter or "*", op=self.op_filter or "*")
            if filtered
            else strings.TAIL_ALL,
            strings.TAIL_PAUSED if self.paused else strings.TAIL_RUNNING,
            strings.TAIL_KEYS_FOCUSED if focused else strings.TAIL_KEYS_UNFOCUSED,
        ]
        line = self.query_one("#topic-keys", StatusLine)
        line.update(" · ".join(state))
        line.set_class(focused, "-focused")

    def on_unmount(self) -> None:
        if self.tail is not None:
            self.tail.stop(timeout=0)  # the tail's thread closes its consumer on its own

    def refresh_view(self) -> None:
        if self.tail is not None and self._tail_lab is not self.app.lab:  # the lab was replaced
            self.tail.stop(timeout=0)
            self.tail = None
        if self.tail is None and not self._start_tail():
            return
        view = self.tail.buffer.view(
            limit=SHOWN_LIMIT,
            tables=None if self.table_filter is None else frozenset({self.table_filter}),
            ops=None if self.op_filter is None else frozenset({self.op_filter}),
        )
        self._tables = sorted(view.tables)
        if not self.paused:
            # In the order the changes happened: one consume batch holds one partition's run of
            # messages, so arrival order interleaves tables out of time (nearly sorted: cheap).
            self.query_one(EventList).show(sorted(view.entries, key=_by_time))
        self.query_one("#topic-status", StatusLine).update(self._status_line(view))

    def _start_tail(self) -> bool:
        lab = self.app.lab
        status = self.query_one("#topic-status", StatusLine)
        if lab is None:
            problem = self.app.lab_problem
            if problem:
                status.update(strings.TAIL_LAB_FAILED.format(problem=problem))
            elif not self.app.lab_coming:
                status.update(strings.LAB_NOT_RUNNING)
            else:
                status.update(strings.TAIL_WAITING_FOR_LAB)
            return False
        self.tail, self._tail_lab = lab.open_tail(list(self.topics) or None, from_start=True), lab
        return True

    def _status_line(self, view) -> str:
        state = self.tail.state.value  # BrokerState: connecting, connected, disconnected
        if state == "disconnected":
            state = strings.TAIL_BROKER_DOWN.format(error=self.tail.last_error or "")
        else:
            state = strings.TAIL_CONNECTED if state == "connected" else strings.TAIL_CONNECTING
        parts = [
            state,
            strings.TAIL_COUNTERS.format(
                received=view.received,
                shown=len(view.entries),
                matching=view.matching,
                dropped=view.dropped,
                malformed=view.malformed,
                rate=view.rate,
            ),
        ]
        if self.tail.skipped:
            parts.append(strings.TAIL_SKIPPED.format(count=self.tail.skipped))
        return " · ".join(parts)  # filter and pause are on the line below, where they fit

    # -- actions -------------------------------------------------------------------------------

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self._changed()

    def action_next_table(self) -> None:
        choices = [None, *self._tables]
        position = choices.index(self.table_filter) if self.table_filter in choices else 0
        self.table_filter = choices[(position + 1) % len(choices)]
        self._changed()

    def action_next_op(self) -> None:
        self.op_filter = OP_FILTERS[(OP_FILTERS.index(self.op_filter) + 1) % len(OP_FILTERS)]
        self._changed()

    def action_reset_view(self) -> None:
        self.paused, self.table_filter, self.op_filter = False, None, None
        self._changed()

    def _changed(self) -> None:
        self._show_keys()
        if self.tail is not None:
            self.refresh_view()

    def on_event_list_opened(self, message: EventList.Opened) -> None:
        from cdc_tutor.ui.screens.event import EventScreen

        self.app.push_screen(EventScreen(message.entry))


def _by_time(entry) -> tuple[int, int]:
    return (entry.timestamp_ms, entry.seq)
