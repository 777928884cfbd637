"""Lint: the problems of the lesson files under a path, for `cdc-tutor lint` and editors.

How PATH is read (a file counts as its folder for locating the course):

- a folder holding lesson.md is a lesson folder; the course root is two levels up;
- a folder holding module.yaml, or a subfolder with lesson.md, is a module; the root is its parent;
- any other folder is a course root.

The whole course at that root is loaded, so prerequisites (which may name lessons of other
modules) and duplicate orders are checked, but only problems in files at or under PATH are
reported, together with banned spellings in the prose of those lesson files
(`cdc_tutor.course.style`, lessons/STYLE.md). Paths in the result are relative to the current
directory when PATH was given relative, absolute otherwise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cdc_tutor.course.loader import LESSON_FILE, MODULE_FILE, load_course
from cdc_tutor.course.model import Problem
from cdc_tutor.course.style import style_problems
from cdc_tutor.paths import read_regular_file

__all__ = ["LintReport", "lint_path", "lint_report"]


@dataclass(frozen=True)
class LintReport:
    """What linting PATH found: its problems (sorted by file, then line) and how many lessons it holds."""

    problems: tuple[Problem, ...]
    lessons: int  # lessons (usable or broken) at or under PATH


def lint_path(path: Path) -> list[Problem]:
    """Every problem in the lesson files at or under `path`, sorted by file, then line."""
    return list(lint_report(path).problems)


def lint_report(path: Path) -> LintReport:
    """Like `lint_path`, plus the number of lessons checked (for the command's summary)."""
    given = Path(path)
    target = Path(os.path.abspath(given))
    root = course_root_for(target)
    course = load_course(root)

    problems = [p for p in course.all_problems() if _under(p.path, target)]
    for lesson in course.all_lessons():
        if _under(lesson.path, target):
            problems.extend(_style(lesson.path))
    problems.sort(key=lambda p: (str(p.path), p.line))
    if not given.is_absolute():
        problems = [Problem(_relative(p.path), p.line, p.message) for p in problems]
    lessons = sum(1 for lesson in course.all_lessons() if _under(lesson.path, target))
    return LintReport(tuple(problems), lessons)


def _style(path: Path) -> list[Problem]:
    """Banned spellings in a lesson file's prose (a file that cannot be read is reported elsewhere)."""
    try:
        text = read_regular_file(path).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return style_problems(path, text)


def course_root_for(path: Path) -> Path:
    """The root of the course that contains `path` (an absolute file or folder), per the module doc."""
    folder = path.parent if path.is_file() else path
    if (folder / LESSON_FILE).is_file():
        return folder.parent.parent
    if (folder / MODULE_FILE).is_file() or _has_lesson_folders(folder):
        return folder.parent
    return folder


def _has_lesson_folders(folder: Path) -> bool:
    try:
        return any((child / LESSON_FILE).is_file() for child in folder.iterdir())
    except OSError:
        return False


def _under(path: Path, target: Path) -> bool:
    return path == target or target in path.parents


def _relative(path: Path) -> Path:
    return Path(os.path.relpath(path))
