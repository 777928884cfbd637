"""The step bar: the current step, its checkpoints with their state, hints, and the answer input."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Static

from cdc_tutor import strings
from cdc_tutor.course.session import CheckpointState, CheckpointView

MARK_WIDTH = 3  # "›✖ ": the pointer, the state mark and a space
STATE_STYLES = {
    CheckpointState.PENDING: "",
    CheckpointState.PASSED: "bold green",
    CheckpointState.FAILED: "bold red",
}


def render_checkpoint(view: CheckpointView, active: bool, user: str = "") -> Text:
    """A checkpoint's mark and prompt; the active one also its failure reason and revealed hints.
    `{user}` reads as the student's prefix, as the checks use it."""

    def expand(value: str) -> str:
        return value.replace("{user}", user) if user else value

    style = STATE_STYLES[view.state]
    text = Text()
    text.append(f"{'›' if active else ' '}{strings.CHECKPOINT_MARKS[view.state.value]} ", style=style)
    text.append(expand(view.checkpoint.prompt), style="bold" if active else "")
    if not active:
        return text
    if view.reason:
        text.append(f"\n   {expand(view.reason)}", style="red")
    total = len(view.checkpoint.hints)
    for level, hint in enumerate(view.hints_shown, start=1):
        line = strings.HINT_LINE.format(level=level, total=total, text=expand(hint))
        text.append(f"\n   {line}", style="italic cyan")
    return text


def checkpoint_block(text: Text) -> RenderableType:
    """The checkpoint as shown: its marks in a column of their own, so the prompt and every reason
    or hint wrap under their own first word (a hanging indent), not under the marks."""
    lines = text.split("\n")
    body = Text("\n").join([lines[0][MARK_WIDTH:], *(line[MARK_WIDTH:] for line in lines[1:])])
    grid = Table.grid()
    grid.add_column(width=MARK_WIDTH, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(lines[0][:MARK_WIDTH], body)
    return grid


def render_checkpoints(views: list[CheckpointView], active_id: str | None, user: str = "") -> Text:
    """Every checkpoint as the step bar shows it, one after the other (for plain-text views)."""
    return Text("\n").join(render_checkpoint(v, v.checkpoint.id == active_id, user) for v in views)


class StepBar(Vertical):
    """Shows what the session says about the current step; the screen owns all decisions.

    Each checkpoint is a line of its own in a scrolling area; the active one is shown whole (prompt,
    reason, hints) and kept in view, the others take one line each, so the question being answered
    stays beside its input even at 80x24."""

    DEFAULT_CSS = """
    StepBar { height: auto; }
    StepBar > #title-row { height: 1; }
    StepBar #step-title { text-style: bold; width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    StepBar #layout-hint { width: auto; color: $text-muted; padding-left: 1; }
    StepBar > #checkpoints { height: auto; max-height: 45vh; scrollbar-size-vertical: 1; }
    StepBar .checkpoint { height: auto; }
    StepBar .checkpoint.-compact { text-wrap: nowrap; text-overflow: ellipsis; }
    StepBar > #answer-row { height: 1; }
    StepBar #answer-mark { width: 2; color: $text-muted; }
    StepBar #answer-mark.-focused { color: $accent; text-style: bold; }
    StepBar #answer { height: 1; border: none; padding: 0 1 0 0; width: 1fr; }
    StepBar #answer:focus { background: $boost; }
    """

    _texts: list[Text] = []  # what each checkpoint says, as plain text for checkpoints_text

    def compose(self) -> ComposeResult:
        with Horizontal(id="title-row"):
            yield Static(id="step-title", markup=False)
            yield Static(id="layout-hint", markup=False)  # how to reach the panes: always on screen
        yield VerticalScroll(id="checkpoints", can_focus=False)
        with Horizontal(id="answer-row"):
            yield Static(" ", id="answer-mark", markup=False)
            yield Input(placeholder=strings.ANSWER_PLACEHOLDER, id="answer")
        yield Static(id="notice", markup=False)  # last: on a tiny terminal it is what gets clipped

    def on_descendant_focus(self, event) -> None:
        self._mark_focus()

    def on_descendant_blur(self, event) -> None:
        self._mark_focus()

    def _mark_focus(self) -> None:
        # The field with the keys says so in text too (NO_COLOR, screen readers of the terminal).
        focused = self.query_one("#answer", Input).has_focus
        mark = self.query_one("#answer-mark", Static)
        mark.update("›" if focused else " ")
        mark.set_class(focused, "-focused")

    def show(
        self,
        title: str,
        views: list[CheckpointView],
        active_id: str | None,
        needs_input: bool,
        notice: str = "",
        user: str = "",
    ) -> None:
        self.query_one("#step-title", Static).update(title)
        area = self.query_one("#checkpoints", VerticalScroll)
        shown = list(area.query(".checkpoint").results(Static))
        if len(shown) != len(views):
            area.remove_children()
            shown = [Static(markup=False, classes="checkpoint") for _ in views]
            area.mount_all(shown)
        active_widget = None
        self._texts = []
        for widget, view in zip(shown, views, strict=True):
            active = view.checkpoint.id == active_id
            text = render_checkpoint(view, active, user)
            self._texts.append(text)
            widget.update(checkpoint_block(text) if active else text)
            widget.set_class(not active, "-compact")
            if active:
                active_widget = widget
        if active_widget is not None:
            self.call_after_refresh(self._bring_into_view, active_widget)
        notice_widget = self.query_one("#notice", Static)
        notice_widget.update(notice)
        notice_widget.display = bool(notice)
        answer = self.query_one("#answer", Input)
        was_disabled, answer.disabled = answer.disabled, not needs_input
        focused = self.screen.focused
        if was_disabled and needs_input and (focused is None or focused.id == "text-column"):
            answer.focus()  # disabling moved the focus away; give it back when there is a question again
        answer.placeholder = strings.ANSWER_PLACEHOLDER if needs_input else strings.ALL_PASSED_PLACEHOLDER
        self._mark_focus()

    def show_layout(self, hint: str) -> None:
        self.query_one("#layout-hint", Static).update(hint)

    def _bring_into_view(self, widget: Static) -> None:
        """The active checkpoint whole, its prompt at the top if it does not fit."""
        area = self.query_one("#checkpoints", VerticalScroll)
        if not widget.is_attached:
            return
        top = widget.virtual_region.y
        bottom = top + widget.outer_size.height
        height = area.scrollable_content_region.height
        if bottom - area.scroll_y > height:
            area.scroll_to(y=max(top, bottom - height), animate=False)
        if top < area.scroll_y:
            area.scroll_to(y=top, animate=False)

    @property
    def checkpoints_text(self) -> str:
        """The checkpoints as plain text (tests and the scripted student read the screen instead)."""
        return "\n".join(text.plain for text in self._texts)
