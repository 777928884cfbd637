"""CodePane: the selected cell of the step in an editor; exercises are the student's, saved as typed.

Given snippets show read-only; an exercise cell is the student's file (OpenCell), saved 0.3 s
after the last keystroke, re-read when it changes outside (their own editor), written again when
it is deleted while open. Textual-free decisions live in practice/exercise_files.py.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static, TextArea

from cdc_tutor import strings
from cdc_tutor.practice.exercise_files import ExerciseFiles, OpenCell
from cdc_tutor.ui.widgets.code_editor import CodeEditor

SAVE_DELAY = 0.3  # seconds after the last keystroke
POLL_SECONDS = 0.5  # how often an outside save is looked for


class CodePane(Vertical):
    """The code tab: a header saying whose cell it is, and the editor."""

    DEFAULT_CSS = """
    CodePane #code-header { height: 1; padding: 0 1 0 0; color: $text-muted; }
    CodePane #code-header.-focused { color: $accent; text-style: bold; }
    CodePane CodeEditor { height: 1fr; border: none; padding: 0; }
    """

    class Notice(Message):
        """Something the student must read (a file problem, an outside change)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, files: ExerciseFiles, **kwargs) -> None:
        super().__init__(**kwargs)
        self.files = files
        self.cell: OpenCell | None = None  # the open exercise; None for a given snippet
        self.key: tuple[str, int] | None = None  # (step id, cell index) shown
        self._save_timer: Timer | None = None
        self._clean = ""  # the text the file (or the starter) holds: a Changed to it is no edit
        self._header = ""  # what the header says about the cell; a focus mark goes before it

    def compose(self) -> ComposeResult:
        yield Static("", id="code-header", markup=False)
        yield CodeEditor(id="code-editor")

    def on_mount(self) -> None:
        self.set_interval(POLL_SECONDS, self._poll)

    def on_descendant_focus(self, _event) -> None:
        self._show_header()

    def on_descendant_blur(self, _event) -> None:
        self._show_header()

    def _show_header(self, text: str | None = None) -> None:
        """The header names the cell; with the keys in the editor it starts with the focus mark `›`
        (in text, as the answer field's: NO_COLOR terminals and screen readers see it too)."""
        if text is not None:
            self._header = text
        focused = self.editor.has_focus
        header = self.query_one("#code-header", Static)
        header.update(f"{'›' if focused else ' '} {self._header}" if self._header else "")
        header.set_class(focused, "-focused")

    @property
    def editor(self) -> CodeEditor:
        return self.query_one(CodeEditor)

    @property
    def text(self) -> str:
        return self.editor.text

    def show_cell(self, step, snippet) -> None:
        """Open `snippet` of `step` (None: the step has no code)."""
        key = (step.id, snippet.index) if snippet is not None else None
        if key == self.key:
            return
        self.flush()
        self.key = key
        if snippet is None:
            self.cell = None
            self._load(strings.CODE_NO_CELL, read_only=True)
            self._show_header("")
            return
        if not snippet.is_exercise:
            self.cell = None
            self._load(snippet.code, read_only=True)
            self._show_header(strings.CODE_HEADER_GIVEN.format(index=snippet.index))
            return
        self.cell = OpenCell(self.files, snippet.exercise, snippet.code, snippet.solution)
        opened = self.cell.open()
        if opened.text is None:  # a broken file: the starter, and the problem said; the file stays until an edit
            self.post_message(self.Notice(opened.problem))
        self._load(opened.text if opened.text is not None else snippet.code, read_only=False)
        self._show_header(
            strings.CODE_HEADER_EXERCISE.format(
                index=snippet.index, exercise=snippet.exercise, path=self.cell.files.path(snippet.exercise).name
            )
        )

    def code_for(self, step, snippet) -> str:
        """What cell `snippet` runs now: the editor's text when it is open, else the saved file."""
        if (step.id, snippet.index) == self.key and self.cell is not None:
            return self.text
        if not snippet.is_exercise:
            return snippet.code
        loaded = self.files.load(snippet.exercise, snippet.code)
        return loaded.text if loaded.text is not None else snippet.code

    def flush(self, force: bool = False) -> None:
        """Save the open exercise now (before a run, a switch, quitting) if it changed; `force`
        writes the file even when nothing changed (another editor is about to open it)."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        if self.cell is None or (self.text == self._clean and not force):
            return
        problem = self.cell.save(self.text, create=force)
        if problem:
            self.post_message(self.Notice(problem))
        else:
            self._clean = self.text

    def reset_to_starter(self) -> None:
        if self.cell is not None:
            starter = self.cell.reset()
            self._clean = starter
            self._replace_all(starter)  # one undo brings the student's version back

    def insert_solution(self) -> bool:
        if self.cell is None or not self.cell.solution:
            return False
        self._replace_all(self.cell.solution)
        self.flush()
        return True

    def reload(self) -> None:
        """After their own editor closed: the file wins."""
        self._poll()

    # -- internals -----------------------------------------------------------------------------

    def _load(self, text: str, read_only: bool) -> None:
        editor = self.editor
        editor.read_only = read_only
        editor.load_text(text)
        self._clean = text

    def _replace_all(self, text: str) -> None:
        """Replace the whole text as one edit: one undo brings the previous text back."""
        editor = self.editor
        editor.replace(text, (0, 0), editor.document.end)

    def on_code_editor_refused(self, event: CodeEditor.Refused) -> None:
        event.stop()
        self.post_message(self.Notice(event.text))

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self.cell is None or self.text == self._clean:
            return
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_DELAY, self.flush)

    def _poll(self) -> None:
        if self.cell is None:
            return
        what, value = self.cell.poll(self.text)
        if what == "changed" and value is not None:
            self._clean = value
            self._replace_all(value)
            self.post_message(
                self.Notice(strings.CODE_FILE_CHANGED.format(path=self.cell.files.path(self.cell.exercise)))
            )
        elif what == "deleted":
            self.flush(force=True)  # the student's text is still here: write it back
            self.post_message(self.Notice(strings.CODE_FILE_DELETED))
        elif what == "broken" and value:
            self.post_message(self.Notice(value))
