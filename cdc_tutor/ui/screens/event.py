"""One tailed event shown whole (decoded, schema left out), with a raw JSON toggle."""

from __future__ import annotations

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from cdc_tutor import strings
from cdc_tutor.cdc.summary import event_document, raw_document
from cdc_tutor.cdc.tail_buffer import TailEntry


class EventScreen(ModalScreen[None]):
    """Decoded view first; `r` switches to the bytes as delivered (schema included)."""

    BINDINGS = [
        Binding("r", "toggle_raw", strings.ACTION_EVENT_RAW),
        Binding("escape,q,enter", "close", strings.CLOSE),
    ]

    def __init__(self, entry: TailEntry) -> None:
        super().__init__()
        self.entry = entry
        self.raw = False
        self.text = ""
        """The document on show (decoded or raw)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="document"):
            yield Static(id="document-title", markup=False)
            with VerticalScroll(id="document-scroll"):
                yield Static(id="event-body")
        yield Footer()

    def on_mount(self) -> None:
        self._show()
        self.query_one("#document-scroll").focus()

    def _show(self) -> None:
        entry = self.entry
        title = strings.EVENT_RAW_TITLE if self.raw else strings.EVENT_TITLE
        self.query_one("#document-title", Static).update(
            title.format(topic=entry.topic, partition=entry.partition, offset=entry.offset)
        )
        self.text = raw_document(entry) if self.raw else event_document(entry)
        self.query_one("#event-body", Static).update(Syntax(self.text, "json", word_wrap=True, theme="ansi_dark"))

    def action_toggle_raw(self) -> None:
        self.raw = not self.raw
        self._show()

    def action_close(self) -> None:
        self.dismiss(None)
