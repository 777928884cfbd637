"""The catalog's list: modules as headings, lessons as rows with difficulty, time, progress, state."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
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


# Fixed columns after the mark and the title: difficulty, minutes, progress, status (cells, align).
_COLUMNS = ((11, "left"), (6, "right"), (5, "right"), (10, "left"))


class RenderedRow:
    """One catalog row laid out for the width it gets: the title takes what the fixed columns
    leave and ends in an ellipsis when cut. One Text per render (a rich Table per row cost the
    catalog's first paint tens of milliseconds: OptionList renders each row at every width)."""

    def __init__(self, row: LessonRow) -> None:
        style = STATUS_STYLES[row.status]
        self.mark = Text(strings.STATUS_MARKS[row.status], style=style)
        self.title = Text(row.title, style="dim" if row.status == "locked" else "")
        self.cells = (
            Text(strings.DIFFICULTY_WORDS.get(row.difficulty, "")),
            Text(strings.MINUTES.format(minutes=row.minutes) if row.minutes else ""),
            Text(f"{row.passed}/{row.total}" if row.total else ""),
            Text(strings.STATUS_WORDS[row.status], style=style),
        )

    def line(self, width: int) -> Text:
        fixed = 1 + sum(1 + cells for cells, _ in _COLUMNS)  # the mark, then a space before each column
        title = self.title.copy()
        title.truncate(max(width - fixed - 1, 1), overflow="ellipsis", pad=True)
        parts = [self.mark, Text(" "), title]
        for text, (cells, align) in zip(self.cells, _COLUMNS):
            cell = text.copy()
            cell.truncate(cells, overflow="ellipsis")
            if align == "right":
                cell.pad_left(cells - cell.cell_len)
            else:
                cell.pad_right(cells - cell.cell_len)
            parts += [Text(" "), cell]
        line = Text.assemble(*parts, no_wrap=True)
        line.truncate(width)
        return line

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.line(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(options.max_width, options.max_width)


def render_row(row: LessonRow) -> RenderedRow:
    return RenderedRow(row)


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
