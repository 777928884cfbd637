"""LessonText: the step's Markdown, whose code and diagrams wider than the column scroll sideways."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownFence


class WideFence(MarkdownFence):
    """A code block: a scrollbar shows when it is cut; Tab reaches it, ←/→ scroll it."""

    BINDINGS = [
        Binding("left", "scroll_left", show=False),
        Binding("right", "scroll_right", show=False),
        Binding("home", "scroll_home_x", show=False),
        Binding("end", "scroll_end_x", show=False),
    ]
    DEFAULT_CSS = """
    WideFence { scrollbar-size-horizontal: 1; }
    WideFence:focus { background-tint: $accent 15%; }
    """

    def on_resize(self) -> None:
        # Only a block that is cut takes the focus: Tab does not stop at every snippet.
        self.can_focus = self.max_scroll_x > 0

    def action_scroll_home_x(self) -> None:
        self.scroll_to(x=0, animate=False)

    def action_scroll_end_x(self) -> None:
        self.scroll_to(x=self.max_scroll_x, animate=False)


class LessonText(Markdown):
    """The lesson's text (Markdown) with `WideFence` for code blocks."""

    BLOCKS = {**Markdown.BLOCKS, "fence": WideFence, "code_block": WideFence}
