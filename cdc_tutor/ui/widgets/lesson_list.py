"""The catalog's list: modules as headings, lessons as rows with difficulty, time, progress, state."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from cdc_tutor import strings


@dataclass(frozen=True)
class LessonRow:
    """One lesson as the catalog shows it; computed by the screen from the course core."""

    lesson_id: str
    title: str
    difficulty: str  # a key of strings.DIFFICULTY_WORDS, or "" when unknown
    minutes: int | None
    passed: int
    total: int
    status: str  # a key of strings.STATUS_WORDS


STATUS_STYLES = {
    "locked": "dim",
    "open": "",
    "in_progress": "bold yellow",
    "done": "bold green",
    "broken": "bold red",
}


def render_row(row: LessonRow) -> Table:
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(width=1)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(width=11, no_wrap=True)
    grid.add_column(width=6, justify="right", no_wrap=True)
    grid.add_column(width=5, justify="right", no_wrap=True)
    grid.add_column(width=10, no_wrap=True)
    style = STATUS_STYLES[row.status]
    grid.add_row(
        Text(strings.STATUS_MARKS[row.status], style=style),
        Text(row.title, style="dim" if row.status == "locked" else ""),
        strings.DIFFICULTY_WORDS.get(row.difficulty, ""),
        strings.MINUTES.format(minutes=row.minutes) if row.minutes else "",
        f"{row.passed}/{row.total}" if row.total else "",
        Text(strings.STATUS_WORDS[row.status], style=style),
    )
    return grid


class LessonList(OptionList):
    """Keyboard-first list of lessons; option ids are lesson ids, module headings are disabled."""

    def show(self, modules: list[tuple[str, list[LessonRow]]]) -> None:
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        self.clear_options()
        for module_title, rows in modules:
            self.add_option(Option(Text(module_title, style="bold"), disabled=True))
            for row in rows:
                self.add_option(Option(render_row(row), id=row.lesson_id))
        self._highlight(highlighted)

    def _highlight(self, lesson_id: str | None) -> None:
        if lesson_id is not None:
            try:
                self.highlighted = self.get_option_index(lesson_id)
                return
            except Exception:  # the lesson vanished from the list: fall back to the first one
                pass
        for index in range(self.option_count):
            if not self.get_option_at_index(index).disabled:
                self.highlighted = index
                return
