"""The student's code: one file per exercise in the lesson's work folder, the one place it lives.

`<data dir>/work/<lesson id>/<exercise id>.py` is what the tutor's editor saves as the student
types, what `$EDITOR` (or VS Code over SSH, or a second tmux pane) opens, and what `progress
export` carries. No file means the cell holds the lesson's starter. Files are private (0600).
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cdc_tutor.paths import write_private
from cdc_tutor.practice.runner import lesson_work_dir

MAX_CELL_CHARS = 100_000  # a cell is code a student types (~2000 lines); more is a paste gone wrong,
# and Textual's TextArea re-highlights the whole text on every key: far beyond this it stops answering
MAX_CELL_BYTES = 4 * MAX_CELL_CHARS  # the same bound in UTF-8 bytes, checked before reading a file
EXERCISE_FILE = re.compile(r"^[a-z0-9-]+\.py$")


@dataclass(frozen=True)
class CellText:
    """What a cell's file holds: `text`, or why it cannot be used (`problem`, Russian)."""

    text: str | None
    problem: str = ""
    saved: bool = False  # the file exists (the student edited the cell at some point)


class ExerciseFiles:
    """The exercise files of one lesson for one student."""

    def __init__(self, data_dir: Path, lesson_id: str) -> None:
        self.data_dir = Path(data_dir)
        self.lesson_id = lesson_id

    def path(self, exercise: str) -> Path:
        """Where the cell lives (the kernel's working folder: the student finds it beside their data)."""
        return self.data_dir.joinpath("work", *self.lesson_id.split("/"), f"{exercise}.py")

    def load(self, exercise: str, starter: str) -> CellText:
        """The student's text, the starter when they never edited it, or a problem (the caller
        keeps what it has: a broken file must not wipe the editor)."""
        from cdc_tutor import strings

        path = self.path(exercise)
        try:
            if path.stat().st_size > MAX_CELL_BYTES:
                return CellText(None, strings.CELL_FILE_TOO_BIG.format(path=path, limit=MAX_CELL_CHARS // 1000))
            raw = path.read_bytes()
        except FileNotFoundError:
            return CellText(starter)
        except OSError as error:
            return CellText(None, strings.CELL_FILE_UNREADABLE.format(path=path, error=error.strerror or error))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return CellText(None, strings.CELL_FILE_NOT_TEXT.format(path=path))
        if "\x00" in text:
            return CellText(None, strings.CELL_FILE_NOT_TEXT.format(path=path))
        if len(text) > MAX_CELL_CHARS:
            return CellText(None, strings.CELL_FILE_TOO_BIG.format(path=path, limit=MAX_CELL_CHARS // 1000))
        return CellText(text, saved=True)

    def save(self, exercise: str, text: str) -> str:
        """Write the cell; "" when saved, else why not (Russian): the editor keeps the text."""
        from cdc_tutor import strings

        if len(text) > MAX_CELL_CHARS:
            return strings.CELL_TOO_BIG_TO_SAVE.format(limit=MAX_CELL_CHARS // 1000)
        try:
            lesson_work_dir(self.data_dir, self.lesson_id)  # created private on first save
            write_private(self.path(exercise), text)
        except OSError as error:
            return strings.CELL_FILE_UNWRITABLE.format(path=self.path(exercise), error=error.strerror or error)
        return ""

    def reset(self, exercise: str) -> None:
        """Back to the starter: the file goes."""
        self.path(exercise).unlink(missing_ok=True)

    def stamp(self, exercise: str) -> tuple[int, int] | None:
        """(mtime_ns, size) of the file, None when there is none: how the editor sees outside saves."""
        try:
            info = os.stat(self.path(exercise))
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size


def saved_cells(data_dir: Path, exercises: dict[str, set[str]]) -> list[dict[str, str]]:
    """Every saved exercise file of the lessons in `exercises` ({lesson id: exercise ids}), for export."""
    found = []
    for lesson_id in sorted(exercises):
        files = ExerciseFiles(data_dir, lesson_id)
        for exercise in sorted(exercises[lesson_id]):
            cell = files.load(exercise, "")
            if cell.saved and cell.text is not None:
                found.append({"lesson_id": lesson_id, "exercise_id": exercise, "text": cell.text})
    return found


class OpenCell:
    """One exercise cell open in an editor: when to save, and when a save from outside wins.

    The editor calls `save(text)` (debounced) and `poll()` (a timer). The file is the truth
    between them: an outside save (their own editor, VS Code over SSH) replaces the editor's text
    on the next poll; a deleted file is written again from the editor, so nothing is lost.
    """

    def __init__(self, files: ExerciseFiles, exercise: str, starter: str, solution: str = "") -> None:
        self.files = files
        self.exercise = exercise
        self.starter = starter
        self.solution = solution
        self.known = files.stamp(exercise)  # the file as we last wrote or read it

    def open(self) -> CellText:
        cell = self.files.load(self.exercise, self.starter)
        self.known = self.files.stamp(self.exercise)
        return cell

    def save(self, text: str, *, create: bool = False) -> str:
        """Write the editor's text; a never-edited starter gets no file unless `create` (an outside
        editor is about to open it)."""
        if self.known is None and text == self.starter and not create:
            return ""  # never edited: no file, the cell keeps following the lesson's starter
        problem = self.files.save(self.exercise, text)
        if not problem:
            self.known = self.files.stamp(self.exercise)
        return problem

    def reset(self) -> str:
        self.files.reset(self.exercise)
        self.known = None
        return self.starter

    def poll(self, editor_text: str) -> tuple[str, str | None]:
        """What changed outside since the last look: ("", None) nothing; ("changed", text);
        ("deleted", None) (the caller re-saves the editor's text); ("broken", problem)."""
        stamp = self.files.stamp(self.exercise)
        if stamp == self.known:
            return "", None
        self.known = stamp
        if stamp is None:
            return "deleted", None
        cell = self.files.load(self.exercise, self.starter)
        if cell.text is None:
            return "broken", cell.problem
        return ("changed", cell.text) if cell.text != editor_text else ("", None)


def external_editor_command(path: Path, environ: Mapping[str, str] | None = None) -> list[str] | None:
    """The student's editor on `path`: $VISUAL, else $EDITOR (with their arguments), else None."""
    environ = os.environ if environ is None else environ
    for variable in ("VISUAL", "EDITOR"):
        value = environ.get(variable, "").strip()
        if value:
            try:
                words = shlex.split(value)
            except ValueError:
                continue
            if words:
                return [*words, str(path)]
    return None


def unreadable_cells(data_dir: Path, exercises: dict[str, set[str]]) -> list[str]:
    """Why each exercise file of `exercises` that exists cannot be exported (Russian), as `saved_cells` skips it."""
    problems = []
    for lesson_id in sorted(exercises):
        files = ExerciseFiles(data_dir, lesson_id)
        for exercise in sorted(exercises[lesson_id]):
            if files.stamp(exercise) is not None:
                cell = files.load(exercise, "")
                if cell.text is None:
                    problems.append(cell.problem)
    return problems


def import_cell(files: ExerciseFiles, exercise: str, text: str, replace: bool) -> tuple[str, str]:
    """Write one imported cell: ("imported", "") when the file now holds `text`; ("kept", "") when the
    student's own different file stays (merge); ("failed", why) when it could not be written.
    Merge writes only where there is no file; `replace` overwrites whatever is there."""
    if files.stamp(exercise) is not None:
        local = files.load(exercise, "")
        if local.saved and local.text == text:
            return "imported", ""  # already there: the file (and an open editor) stays untouched
        if not replace:
            return "kept", ""
    problem = files.save(exercise, text)
    return ("failed", problem) if problem else ("imported", "")
