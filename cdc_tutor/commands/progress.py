"""`cdc-tutor progress [list | export [FILE] | import FILE [--replace]]`: show, save, restore progress.

Exit codes: 0 success; 1 no lessons found, the export file could not be written, or an import
could not be saved (progress file unwritable); 2 the import document could not be read or is
invalid (the store is left untouched). Store notices (damaged file moved aside...) go to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from cdc_tutor import strings
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
        if action == "export":
            return _export(store, args.file)
        if action == "import":
            return _import(store, args.file, args.replace)
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


def _export(store, file: str) -> int:
    document = store.export()
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
    return 0


def _import(store, file: str, replace: bool) -> int:
    from cdc_tutor.course.progress import ProgressImportError

    name = "stdin" if file == "-" else file
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
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
    return 0
