"""SnippetBar: which of the step's code snippets is selected, and how each one last ended."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.widgets import Static

from cdc_tutor import strings

MARK_STYLES = {
    "ok": "green",
    "error": "red",
    "died": "red",
    "interrupted": "yellow",
    "timeout": "yellow",
    "running": "bold yellow",
    "queued": "yellow",
}
CODE_CHARS = 60


def first_line(code: str) -> str:
    """The first line that says something (not blank, not a comment), clipped."""
    lines = [line.strip() for line in code.splitlines() if line.strip()]
    line = next((line for line in lines if not line.startswith("#")), lines[0] if lines else "")
    more = len(lines) > 1 or len(line) > CODE_CHARS
    return line[:CODE_CHARS] + ("…" if more else "")


def render_bar(snippets: Sequence, selected: int, states: Mapping[int, str | None]) -> Text:
    """ "Фрагмент 2/4: code…" and one mark per snippet (✔ ok, ✖ error, ▶ running, ○ not run)."""
    if not snippets:
        return Text(strings.SNIPPET_BAR_NONE, style="dim")
    current = snippets[selected]
    text = Text()
    for position, snippet in enumerate(snippets):
        state = states.get(snippet.index)
        mark = strings.SNIPPET_MARKS.get(state, strings.SNIPPET_MARKS[None])
        style = MARK_STYLES.get(state or "", "")
        if position == selected:
            text.append(f"[{mark}]", style=f"{style} reverse")
        else:
            text.append(f" {mark} ", style=style)
    text.append("  ")
    text.append(strings.SNIPPET_BAR.format(number=current.index, total=len(snippets), code=""), style="bold")
    text.append(first_line(current.code), style="cyan")
    return text


class SnippetBar(Static):
    """One line above the step bar: keeps the selected snippet per step and each one's last state.

    Hidden when the step has no code to run.
    """

    DEFAULT_CSS = """
    SnippetBar { height: 1; padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.plain = ""
        self.step = None
        self.choice: dict[str, int] = {}  # step id -> position of the selected snippet
        self.states: dict[tuple[str, int], str] = {}  # (step id, snippet index) -> last state

    def show(self, step) -> None:
        self.step = step
        self.display = bool(step.snippets)
        states = {index: state for (step_id, index), state in self.states.items() if step_id == step.id}
        text = render_bar(step.snippets, self.position(step), states)
        self.plain = text.plain
        self.update(text)

    def position(self, step) -> int:
        return max(0, min(self.choice.get(step.id, 0), len(step.snippets) - 1))

    def selected(self, step):
        """The selected snippet of `step`, or None when it has none."""
        return step.snippets[self.position(step)] if step.snippets else None

    def select(self, step, position: int) -> None:
        self.choice[step.id] = max(0, min(position, len(step.snippets) - 1))
        self.show(step)

    def mark(self, step_id: str, indexes: list[int], state: str) -> None:
        for index in indexes:
            self.states[(step_id, index)] = state
        self._repaint()

    def forget(self, state: str | None = None) -> None:
        """Forget every mark (a fresh kernel), or only those in `state` (a dropped queue)."""
        self.states = {key: kept for key, kept in self.states.items() if state is not None and kept != state}
        self._repaint()

    def _repaint(self) -> None:
        if self.step is not None:
            self.show(self.step)
