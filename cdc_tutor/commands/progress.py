"""`cdc-tutor progress [list | export [FILE] | import FILE [--replace]]`: show, save, restore progress.

The document carries the student's exercise code (version 2, `<data dir>/work/<lesson>/<exercise>.py`
of the loaded course's exercises) when they saved any. Import writes it back: `--replace` overwrites
every imported cell; merge writes a cell only where the student has no file of their own (a file
that differs is kept and counted).

Exit codes: 0 success; 1 no lessons found, the export file could not be written, or an import
could not be saved (progress file unwritable, or an exercise file could not be written); 2 the
import document could not be read or is invalid (nothing is changed: neither progress nor code).
Store notices (damaged file moved aside...) go to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from cdc_tutor import strings
from cdc_tutor.paths import read_input
from cdc_tutor.settings import Settings

HELP = strings.PROGRESS_HELP


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cdc_tutor.cli import _add_common  # common flags also work after the action

    actions = parser.add_subparsers(dest="progress_action", metavar="ACTION")
    listing = actions.add_parser("list", help=strings.PROGRESS_HELP_LIST)
    _add_common(listing, suppress_defaults=True)

    export = actions.add_parser("export", help=strings.PROGRESS_HELP_EXPORT)
    _add_common(export, suppress_defaults=True)
    export.add_argument(
        "file",
        nargs="?",
        default="-",
        metavar="FILE",
        help=strings.PROGRESS_HELP_EXPORT_FILE,
    )

    importing = actions.add_parser("import", help=strings.PROGRESS_HELP_IMPORT)
    _add_common(importing, suppress_defaults=True)
    importing.add_argument("file", metavar="FILE", help=strings.PROGRESS_HELP_IMPORT_FILE)
    importing.add_argument("--replace", action="store_true", help=strings.PROGRESS_HELP_REPLACE)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from cdc_tutor.course.progress import ProgressStore

    action = getattr(args, "progress_action", None) or "list"
    store = ProgressStore.open(settings.progress_path)
    try:
        for notice in store.notices:
            print(notice, file=sys.stderr)
        if action in ("export", "list") and store.unreadable:  # nothing read is not "no progress"
            print(strings.MSG_CANNOT_READ.format(path=settings.progress_path, error=store.unreadable), file=sys.stderr)
            return 1
        if action == "export":
            return _export(store, args.file, settings)
        if action == "import":
            return _import(store, args.file, args.replace, settings)
        return _list(store, settings)
    finally:
        store.close()


def _list(store, settings: Settings) -> int:
    from cdc_tutor.course.loader import load_course
    from cdc_tutor.course.unlocks import lesson_status, progress_fraction

    course = load_course(settings.lessons_dir)
    all_passed = store.all_passed()
    rows = []
    for lesson in course.all_lessons():
        status = lesson_status(lesson, course, all_passed)
        done, total = progress_fraction(lesson, all_passed.get(lesson.id, set()))
        rows.append((lesson.id, lesson.title, status.label, f"{done}/{total}"))
    if not rows:
        print(strings.MSG_NO_LESSONS.format(path=settings.lessons_dir), file=sys.stderr)
        for problem in course.problems:
            print(problem, file=sys.stderr)
        return 1
    widths = [max(len(row[column]) for row in rows) for column in (0, 1, 2)]
    for lesson_id, title, status, fraction in rows:
        print(f"{lesson_id:<{widths[0]}}  {title:<{widths[1]}}  {status:<{widths[2]}}  {fraction}")
    return 0


def _saved_code(settings: Settings) -> tuple[list[dict[str, str]], list[str]]:
    """The student's saved cells of the loaded course's exercises, and why any file was left out."""
    from cdc_tutor.course.loader import load_course
    from cdc_tutor.practice.exercise_files import saved_cells, unreadable_cells

    exercises: dict[str, set[str]] = {}
    for lesson in load_course(settings.lessons_dir).lessons():
        ids = {snippet.exercise for step in lesson.steps for snippet in step.exercises}
        if ids:
            exercises[lesson.id] = ids
    return saved_cells(settings.data_dir, exercises), unreadable_cells(settings.data_dir, exercises)


def _export(store, file: str, settings: Settings) -> int:
    from cdc_tutor.course.progress_export import with_code

    code, problems = _saved_code(settings)
    for problem in problems:
        print(strings.MSG_EXPORT_CELL_SKIPPED.format(problem=problem), file=sys.stderr)
    document = with_code(store.export(), code)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if file == "-":
        sys.stdout.write(text)
        return 0
    path = Path(file)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)  # an existing file keeps its old mode otherwise
            with os.fdopen(fd, "w", encoding="utf-8", closefd=False) as out:
                out.write(text)
        finally:
            os.close(fd)
    except OSError as error:
        print(strings.MSG_CANNOT_WRITE.format(path=path, error=error.strerror or error), file=sys.stderr)
        return 1
    print(strings.MSG_EXPORTED.format(path=path, count=len(document["records"])))
    print(strings.MSG_EXPORTED_CODE.format(count=len(code)))
    return 0


def _import(store, file: str, replace: bool, settings: Settings) -> int:
    from cdc_tutor.course.progress import ProgressImportError
    from cdc_tutor.course.progress_export import validate_document
    from cdc_tutor.practice.exercise_files import MAX_CELL_BYTES

    name = "stdin" if file == "-" else file
    try:
        text = _read_document(file)
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        print(strings.MSG_CANNOT_READ.format(path=name, error=reason), file=sys.stderr)
        return 2
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        print(strings.MSG_BAD_JSON.format(path=name, error=error), file=sys.stderr)
        return 2
    try:
        _, code = validate_document(document, max_code_bytes=MAX_CELL_BYTES)  # all of it, before any write
        count = store.import_(document, replace=replace)
    except ProgressImportError as error:
        print(error, file=sys.stderr)
        return 2
    if not store.persistent:
        print(strings.MSG_NOT_SAVED, file=sys.stderr)
        return 1
    print(
        strings.MSG_IMPORTED.format(count=count, mode=strings.MSG_MODE_REPLACE if replace else strings.MSG_MODE_MERGE)
    )
    if "code" not in document:
        return 0  # version 1: no code to write
    return _import_code(code, replace, settings)


MAX_IMPORT_BYTES = 64 * 1024 * 1024
"""Largest progress document imported: a whole course's export with every cell full is ~15 MB."""


def _read_document(file: str) -> str:
    """The document's text: a regular file or stdin, strict UTF-8, at most MAX_IMPORT_BYTES (a
    1 GB document used to be read whole, 3 GB of memory)."""
    return read_input(file, MAX_IMPORT_BYTES).decode("utf-8")


def _import_code(code: list[dict[str, str]], replace: bool, settings: Settings) -> int:
    from cdc_tutor.practice.exercise_files import ExerciseFiles, import_cell

    imported = kept = 0
    failed = False
    for cell in code:
        files = ExerciseFiles(settings.data_dir, cell["lesson_id"])
        outcome, problem = import_cell(files, cell["exercise_id"], cell["text"], replace)
        if outcome == "imported":
            imported += 1
        elif outcome == "kept":
            kept += 1
        else:
            failed = True
            print(
                strings.MSG_CODE_NOT_WRITTEN.format(
                    lesson=cell["lesson_id"], exercise=cell["exercise_id"], problem=problem
                ),
                file=sys.stderr,
            )
    print(strings.MSG_IMPORTED_CODE.format(imported=imported, kept=kept))
    if kept:
        print(strings.MSG_IMPORTED_CODE_KEPT)
    return 1 if failed else 0
