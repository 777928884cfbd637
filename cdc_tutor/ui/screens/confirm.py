"""A yes/no question that dismisses with True or False."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from cdc_tutor import strings


class ConfirmScreen(ModalScreen[bool]):
    """Asks before anything that forgets progress."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", strings.NO),
        Binding("y", "answer(True)", strings.YES),
    ]

    # The safe choice has the focus. AUTO_FOCUS, not a query in on_mount: a dialog pushed and popped
    # within one frame (two stuck notices at once) mounted without its children and crashed the app.
    AUTO_FOCUS = "#no"

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="question")
            with Horizontal(id="buttons"):
                yield Button(f"{strings.YES} (y)", id="yes", variant="error")
                yield Button(f"{strings.NO} (n)", id="no", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
