"""The step bar: the current step, its checkpoints with their state, hints, and the answer input."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from cdc_tutor import strings
from cdc_tutor.course.session import CheckpointState, CheckpointView

STATE_STYLES = {
    CheckpointState.PENDING: "",
    CheckpointState.PASSED: "bold green",
    CheckpointState.FAILED: "bold red",
}


def render_checkpoints(views: list[CheckpointView], active_id: str | None) -> Text:
    """One line per checkpoint (mark, prompt), then its failure reason and revealed hints."""
    text = Text()
    for view in views:
        if text:
            text.append("\n")
        style = STATE_STYLES[view.state]
        pointer = "›" if view.checkpoint.id == active_id else " "
        text.append(f"{pointer}{strings.CHECKPOINT_MARKS[view.state.value]} ", style=style)
        text.append(view.checkpoint.prompt, style="bold" if view.checkpoint.id == active_id else "")
        if view.reason:
            text.append(f"\n   {view.reason}", style="red")
        total = len(view.checkpoint.hints)
        for level, hint in enumerate(view.hints_shown, start=1):
            line = strings.HINT_LINE.format(level=level, total=total, text=hint)
            text.append(f"\n   {line}", style="italic cyan")
    return text


class StepBar(Vertical):
    """Shows what the session says about the current step; the screen owns all decisions."""

    DEFAULT_CSS = """
    StepBar { height: auto; max-height: 50%; }
    StepBar > #step-title { text-style: bold; }
    StepBar > #checkpoints { height: auto; max-height: 12; overflow-y: auto; }
    StepBar > #answer { height: 1; border: none; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="step-title", markup=False)
        yield Static(id="checkpoints", markup=False)
        yield Input(placeholder=strings.ANSWER_PLACEHOLDER, id="answer")
        yield Static(id="notice", markup=False)  # last: on a tiny terminal it is what gets clipped

    def show(
        self, title: str, views: list[CheckpointView], active_id: str | None, needs_input: bool, notice: str = ""
    ) -> None:
        self.query_one("#step-title", Static).update(title)
        self.query_one("#checkpoints", Static).update(render_checkpoints(views, active_id))
        notice_widget = self.query_one("#notice", Static)
        notice_widget.update(notice)
        notice_widget.display = bool(notice)
        answer = self.query_one("#answer", Input)
        was_disabled, answer.disabled = answer.disabled, not needs_input
        if was_disabled and needs_input and self.screen.focused is None:
            answer.focus()  # disabling dropped the focus; give it back when there is a question again
        answer.placeholder = strings.ANSWER_PLACEHOLDER if needs_input else strings.ALL_PASSED_PLACEHOLDER
