"""CodeEditor: Textual's TextArea as a Python editor that leaves the lesson's keys to the lesson.

TextArea binds F6/F7 (select line/all) and Ctrl+Z/Ctrl+Y (undo/redo); in the lesson those are
reset step, previous step, stop the code and reset lesson, which must work while the student
types. Undo and redo move to keys that survive SSH and tmux: Ctrl+_ (Ctrl+/ in most terminals)
or Alt+U, and Alt+R. Enter keeps the line's indentation (one level more after a colon) and
Backspace in leading spaces goes back one indentation level.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea

from cdc_tutor import strings
from cdc_tutor.practice.exercise_files import MAX_CELL_CHARS

INDENT = 4
_LESSON_KEYS = {"f6", "f7", "ctrl+z", "super+z", "ctrl+y", "super+y"}


def _without_lesson_keys(bindings: list) -> list:
    kept = []
    for binding in bindings:
        keys = [key for key in binding.key.split(",") if key.strip() not in _LESSON_KEYS]
        if keys:
            kept.append(Binding(",".join(keys), binding.action, binding.description, show=False))
    return kept


def next_line_indent(line_before_cursor: str) -> str:
    """The indentation Enter gives the new line: the current one, one level more after a colon."""
    indent = line_before_cursor[: len(line_before_cursor) - len(line_before_cursor.lstrip(" "))]
    code = line_before_cursor.split("#", 1)[0].rstrip()
    return indent + " " * INDENT if code.endswith(":") else indent


class CodeEditor(TextArea, inherit_bindings=False):
    """A Python cell: line numbers, highlighting, soft tabs, auto-indent; lesson keys pass through."""

    BINDINGS = [
        *_without_lesson_keys(TextArea.BINDINGS),
        Binding("ctrl+underscore,alt+u", "undo", strings.ACTION_UNDO, show=False),
        Binding("alt+r", "redo", strings.ACTION_REDO, show=False),
        Binding("alt+a", "select_all", strings.ACTION_SELECT_ALL, show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(
            "",
            language="python" if "python" in TextArea().available_languages else None,
            theme="monokai",
            soft_wrap=False,
            tab_behavior="indent",
            show_line_numbers=True,
            **kwargs,
        )
        self.indent_type = "spaces"
        self.indent_width = INDENT

    class Refused(Message):
        """An edit the editor did not make (a paste far bigger than a cell), and why."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def _replace_via_keyboard(self, insert: str, start, end):  # type: ignore[no-untyped-def]
        """Every typed or pasted edit comes here: one that would make the cell huge is refused
        (Textual's TextArea re-highlights the whole text per key; 1 MB would freeze the tutor)."""
        if len(insert) > 1:
            selected = len(self.get_text_range(*sorted((start, end))))
            size = len(self.text) - selected + len(insert)
            if size > MAX_CELL_CHARS:
                self.post_message(
                    self.Refused(strings.PASTE_TOO_BIG.format(size=size // 1000, limit=MAX_CELL_CHARS // 1000))
                )
                return None
        return super()._replace_via_keyboard(insert, start, end)

    async def _on_key(self, event: events.Key) -> None:
        if event.key.startswith(("alt+", "ctrl+", "super+")):
            # A terminal's Alt+E arrives with character "e": a key for the bindings, not text.
            # prevent_default: Textual would still call TextArea's own _on_key, which inserts it.
            event.prevent_default()
            return
        if event.key == "enter" and not self.read_only:
            event.stop()
            event.prevent_default()
            row, column = self.cursor_location
            start, end = self.selection
            self._replace_via_keyboard("\n" + next_line_indent(self.document[row][:column]), start, end)
            return
        await super()._on_key(event)
        event.prevent_default()  # super() handled it; Textual must not call TextArea._on_key again

    def action_delete_left(self) -> None:
        """In the leading spaces of a line, go back to the previous indentation level."""
        row, column = self.cursor_location
        before = self.document[row][:column]
        if self.selection.is_empty and column > 0 and not before.strip(" ") and not self.read_only:
            width = (column - 1) % INDENT + 1
            self._delete_via_keyboard((row, column - width), (row, column))
            return
        super().action_delete_left()
