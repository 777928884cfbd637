"""A scrollable Markdown document over the current screen: help, a step's solution."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown, Static

from cdc_tutor import strings


class DocumentScreen(ModalScreen[None]):
    """Shows Markdown until the student closes it."""

    BINDINGS = [Binding("escape,f1,f4,q", "close", strings.CLOSE)]

    def __init__(self, title: str, markdown: str) -> None:
        super().__init__()
        self.document_title = title
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with Vertical(id="document"):
            yield Static(self.document_title, id="document-title")
            with VerticalScroll(id="document-scroll"):
                yield Markdown(self.markdown, id="document-body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#document-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
