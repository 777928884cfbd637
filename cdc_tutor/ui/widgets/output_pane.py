"""OutputPane: what the lesson's code printed, streamed in batches, with a status line and capped."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import RichLog, Static

from cdc_tutor import strings
from cdc_tutor.course.changelog import CHANGELOG_MIME
from cdc_tutor.kernel import ClearOutput, DisplayOutput, ErrorOutput, OutputOmitted, StreamChunk
from cdc_tutor.ui.inbox import Inbox

FLUSH_SECONDS = 0.1  # 10 Hz: chunks wait in the inbox and reach the log in one write per tick
MAX_LINES = 5000  # lines the log keeps; older ones scroll away
MAX_PARTIAL = 4000  # an unfinished line longer than this is shown rather than held back
STREAM_STYLES = {"stdout": "", "stderr": "red"}
STATUS_STYLES = {"ok": "green", "error": "bold red", "died": "bold red", "busy": "yellow", "info": "", "warn": "yellow"}


@dataclass(frozen=True)
class RunBegan:
    """A snippet starts: a header line in the log and "running" in the status line."""

    number: int
    step_title: str


@dataclass(frozen=True)
class RunEnded:
    """A snippet ended; `text` is the status line, `tone` a key of STATUS_STYLES."""

    text: str
    tone: str


@dataclass(frozen=True)
class Note:
    """A line of the tutor's own (kernel restarted, queue dropped), in the log and the status."""

    text: str
    tone: str = "info"
    in_log: bool = True


class OutputPane(Vertical):
    """Workers put kernel events and markers into `inbox`; a timer writes them to the log."""

    DEFAULT_CSS = """
    OutputPane { height: 1fr; }
    OutputPane > #output-status { height: auto; max-height: 2; padding: 0 1; text-style: bold; }
    OutputPane > #output-omitted { height: auto; padding: 0 1; color: $warning; }
    OutputPane > #output-log { height: 1fr; }
    OutputPane > #output-below { height: 1; padding: 0 1; background: $warning 30%; display: none; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.inbox: Inbox = Inbox()
        self.status_text = ""
        self.omitted_text = ""
        self._partial: dict[str, str] = {}  # stream -> the end of its output not yet ending in a newline
        self._omitted: dict[str, OutputOmitted] = {}  # stream -> the latest gap report of this run
        # Text written while the log was never laid out (narrow screen, another tab): RichLog
        # would queue every write unbounded until it has a size, so it waits here, capped.
        self._backlog: list[Text] = []
        self.following = True
        """Whether new output scrolls into view: false while the student has scrolled up to read."""

    def compose(self) -> ComposeResult:
        yield Static("", id="output-status", markup=False)
        yield Static("", id="output-omitted", markup=False)
        yield RichLog(id="output-log", max_lines=MAX_LINES, min_width=20, wrap=True, markup=False, highlight=False)
        yield Static(strings.OUTPUT_NEW_BELOW, id="output-below", markup=False)

    def on_mount(self) -> None:
        self.query_one("#output-omitted").display = False
        self.set_interval(FLUSH_SECONDS, self.flush)
        self.watch(self.query_one(RichLog), "scroll_y", self._scrolled, init=False)

    def _scrolled(self, _old: float, _new: float) -> None:
        # Only a scroll changes whether the pane follows: output growing below does not.
        log = self.query_one(RichLog)
        if log.size.height:
            self.following = log.is_vertical_scroll_end
            if self.following:
                self.query_one("#output-below").display = False

    # -- from any thread -----------------------------------------------------------------------

    def put(self, item) -> None:
        self.inbox.put(item)

    # -- on the UI thread ----------------------------------------------------------------------

    def set_status(self, text: str, tone: str = "info") -> None:
        self.status_text = text
        self.query_one("#output-status", Static).update(Text(text, style=STATUS_STYLES.get(tone, "")))

    def log_lines(self) -> list[str]:
        """The log's lines as plain text (what the student can read)."""
        return [strip.text for strip in self.query_one(RichLog).lines]

    def flush(self) -> None:
        items = self.inbox.drain()
        log = self.query_one(RichLog)
        if not items and not (self._backlog and log.size.width):
            return
        text, cleared = Text(), False
        for item in items:
            if isinstance(item, ClearOutput):
                text, cleared = Text(), True
                self._partial.clear()
            else:
                self._add(item, text)
        if cleared:
            log.clear()
            self._backlog.clear()
            text = Text(strings.OUTPUT_CLEARED + "\n", style="dim") + text
        if text:
            text.rstrip()
            self._backlog.append(text)
        if log.size.width:
            follow = self.following  # a student who scrolled up to read is left where they are
            for pending in self._backlog:
                log.write(pending, scroll_end=follow)
            if not follow and self._backlog:
                self.query_one("#output-below").display = True
            self._backlog.clear()
        else:
            self._trim_backlog()
        self._show_omitted()

    def _trim_backlog(self) -> None:
        lines = sum(pending.plain.count("\n") + 1 for pending in self._backlog)
        while len(self._backlog) > 1 and lines > MAX_LINES:
            lines -= self._backlog.pop(0).plain.count("\n") + 1

    def _add(self, item, text: Text) -> None:
        if isinstance(item, StreamChunk):
            self._stream(item, text)
        elif isinstance(item, OutputOmitted):
            self._omitted[item.name] = item
        elif isinstance(item, ErrorOutput):
            self._end_partials(text)
            text.append_text(Text.from_ansi(item.traceback_text or f"{item.ename}: {item.evalue}"))
            text.append("\n")
        elif isinstance(item, DisplayOutput):
            self._end_partials(text)
            text.append(_display_line(item) + "\n", style="cyan")
        elif isinstance(item, RunBegan):
            self._partial.clear()
            self._omitted.clear()
            text.append(strings.RUN_HEADER.format(number=item.number, step=item.step_title) + "\n", style="bold")
            self.set_status(strings.RUN_RUNNING.format(number=item.number), "busy")
        elif isinstance(item, RunEnded):
            self._end_partials(text)
            self._append_tails(text)
            text.append(item.text + "\n", style=STATUS_STYLES.get(item.tone, ""))
            self.set_status(item.text, item.tone)
        elif isinstance(item, Note):
            if item.in_log:
                text.append(item.text + "\n", style=STATUS_STYLES.get(item.tone, "") or "italic")
            self.set_status(item.text, item.tone)

    def _stream(self, chunk: StreamChunk, text: Text) -> None:
        data = self._partial.pop(chunk.name, "") + chunk.text
        done, newline, rest = data.rpartition("\n")
        if newline:
            text.append(done + "\n", style=STREAM_STYLES.get(chunk.name, ""))
        if len(rest) > MAX_PARTIAL:
            text.append(rest + "\n", style=STREAM_STYLES.get(chunk.name, ""))
        elif rest:
            self._partial[chunk.name] = rest

    def _end_partials(self, text: Text) -> None:
        for name, rest in self._partial.items():
            text.append(rest + "\n", style=STREAM_STYLES.get(name, ""))
        self._partial.clear()

    def _append_tails(self, text: Text) -> None:
        """After a flood: the gap, stated with its count, then the last lines the kernel kept."""
        for name, gap in self._omitted.items():
            mark = strings.OUTPUT_OMITTED_MARK.format(
                omitted=_count(gap.omitted_lines), total=_count(gap.total_lines), stream=name
            )
            text.append(mark + "\n", style="bold yellow")
            if gap.tail:
                text.append(gap.tail.rstrip("\n") + "\n", style=STREAM_STYLES.get(name, ""))

    def _show_omitted(self) -> None:
        lines = [
            strings.OUTPUT_OMITTED.format(omitted=_count(gap.omitted_lines), total=_count(gap.total_lines), stream=name)
            for name, gap in self._omitted.items()
        ]
        self.omitted_text = "\n".join(lines)
        widget = self.query_one("#output-omitted", Static)
        widget.update(self.omitted_text)
        widget.display = bool(lines)


def _count(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def _display_line(display: DisplayOutput) -> str:
    if display.frame is not None:
        frame = display.frame
        shape = " × ".join(_count(n) for n in frame.shape)
        return strings.OUTPUT_FRAME_NOTE.format(kind=strings.FRAME_KINDS.get(frame.kind, frame.kind), shape=shape)
    if CHANGELOG_MIME in display.data:
        payload = display.data[CHANGELOG_MIME]
        rows = payload.get("rows", []) if isinstance(payload, dict) else payload
        return strings.OUTPUT_CHANGELOG_NOTE.format(count=len(rows) if isinstance(rows, list) else "?")
    if display.text:
        return display.text
    return "[" + ", ".join(sorted(display.data)) + "]"
