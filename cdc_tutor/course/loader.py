"""Loads a course from a lessons directory and validates every file against lessons/README.md.

`load_course(root)` walks `root/<module>/<NN-slug>/lesson.md`; `load_lesson(path, lesson_id)` reads
one lesson. Neither raises on bad input: a lesson with any problem in its own file becomes a
`BrokenLesson` carrying all of its problems, each anchored to the file line (1-based, the opening
`---` is line 1) of the offending key or value; problems that do not make a lesson unusable
(a bad module.yaml, a duplicate `order`, a stray folder) go to `Course.problems`.

The frontmatter is split off line by line and composed once with PyYAML (the C loader when
available; see `frontmatter.py`) so that every YAML node keeps its line; the Python values are
constructed from the same nodes, so each file is parsed once. This is on the tutor's start-up
path: keep it cheap.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path

from cdc_tutor.course.frontmatter import Checker
from cdc_tutor.course.lesson_file import UNKNOWN_ORDER, LoadedLesson, parse_lesson
from cdc_tutor.course.model import BrokenLesson, Course, Lesson, Module, Problem
from cdc_tutor.course.values import is_int, nonempty_str, os_reason, suggest
from cdc_tutor.paths import read_regular_file

__all__ = ["load_course", "load_lesson", "LESSON_FILE", "MODULE_FILE", "LESSON_FOLDER", "UNKNOWN_ORDER"]

LESSON_FILE = "lesson.md"
MODULE_FILE = "module.yaml"
LESSON_FOLDER = re.compile(r"^\d{2}-[a-z0-9]+(-[a-z0-9]+)*$")

MODULE_FIELDS = ("title", "order")


# ---------------------------------------------------------------------------------------------
# Public API


def load_course(root: Path) -> Course:
    """Load every module under `root` (sorted by order, then id) with their lessons."""
    root = Path(root)
    problems: list[Problem] = []
    try:
        entries = sorted(root.iterdir(), key=lambda p: p.name)
    except OSError as error:
        return Course(root, (), (Problem(root, 0, f"cannot read the lessons directory: {os_reason(error)}"),))

    modules: list[tuple[str, str, int, list[LoadedLesson]]] = []
    for module_dir in entries:
        if _hidden(module_dir.name) or not _is_dir(module_dir):
            continue
        title, order = _load_module_yaml(module_dir, problems)
        loaded = [
            lesson
            for lesson in (
                _load_lesson_folder(module_dir, folder, problems) for folder in _subdirs(module_dir, problems)
            )
            if lesson is not None
        ]
        modules.append((module_dir.name, title, order, loaded))

    everything = {lesson.id: lesson for *_, loaded in modules for lesson in loaded}
    _check_prerequisites(everything)
    for *_, loaded in modules:
        _check_duplicate_orders(loaded, problems)

    built = []
    for module_id, title, order, loaded in modules:
        lessons = sorted((lesson.result() for lesson in loaded), key=lambda lesson: (lesson.order, lesson.id))
        built.append(Module(module_id, title, order, tuple(lessons)))
    built.sort(key=lambda m: (m.order, m.id))
    problems.sort(key=lambda p: (str(p.path), p.line))
    return Course(root, tuple(built), tuple(problems))


def load_lesson(path: Path, lesson_id: str) -> Lesson | BrokenLesson:
    """Load one lesson file (or a lesson folder holding lesson.md) as `lesson_id`.

    Checks only what the file itself can show; prerequisites naming existing lessons, cycles and
    duplicate orders are checked by `load_course`.
    """
    path = Path(path)
    if _is_dir(path):
        path = path / LESSON_FILE
    return parse_lesson(path, lesson_id).result()


# ---------------------------------------------------------------------------------------------
# Course walking


def _hidden(name: str) -> bool:
    return name.startswith((".", "_"))


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _subdirs(module_dir: Path, problems: list[Problem]) -> list[Path]:
    try:
        children = sorted(module_dir.iterdir(), key=lambda p: p.name)
    except OSError as error:
        problems.append(Problem(module_dir, 0, f"cannot read the module folder: {os_reason(error)}"))
        return []
    return [child for child in children if not _hidden(child.name) and _is_dir(child)]


def _load_lesson_folder(module_dir: Path, folder: Path, problems: list[Problem]) -> LoadedLesson | None:
    lesson_file = folder / LESSON_FILE
    has_file = lesson_file.exists()
    if not LESSON_FOLDER.match(folder.name):
        problems.append(
            Problem(
                lesson_file if has_file else folder,
                0,
                f"lesson folder '{folder.name}' must be named NN-slug (two digits, dash, lowercase "
                "words joined by dashes, e.g. 01-first-events); folder skipped",
            )
        )
        return None
    if not has_file:
        problems.append(Problem(folder, 0, f"lesson folder '{folder.name}' has no {LESSON_FILE}; folder skipped"))
        return None
    return parse_lesson(lesson_file, f"{module_dir.name}/{folder.name}")


def _load_module_yaml(module_dir: Path, problems: list[Problem]) -> tuple[str, int]:
    """The module's title and order from module.yaml; the folder name and a large order if bad."""
    path = module_dir / MODULE_FILE
    title, order = module_dir.name, UNKNOWN_ORDER
    check = Checker(path, first_line=1)
    try:
        raw = read_regular_file(path)
    except FileNotFoundError:
        problems.append(Problem(path, 0, f"missing {MODULE_FILE} (title and order); using the folder name"))
        return title, order
    except OSError as error:
        problems.append(Problem(path, 0, f"cannot read {MODULE_FILE}: {os_reason(error)}"))
        return title, order
    text = check.decode(raw)
    if text is not None:
        data, node = check.parse_yaml(text)
        if check.ok_so_far and not isinstance(data, dict):
            check.add(1, f"{MODULE_FILE} must be a mapping with title and order")
        elif isinstance(data, dict):
            entries = check.fields(data, node, MODULE_FIELDS, MODULE_FIELDS, "", missing_line=1)
            if "title" in data:
                if nonempty_str(data["title"]):
                    title = data["title"].strip()
                else:
                    check.add(check.value_line(entries, "title", 1), "field 'title' must be a non-empty string")
            if "order" in data:
                if is_int(data["order"]) and data["order"] >= 0:
                    order = data["order"]
                else:
                    check.add(check.value_line(entries, "order", 1), "field 'order' must be an integer >= 0")
    problems.extend(check.sorted_problems())
    return title, order


# ---------------------------------------------------------------------------------------------
# Course-level checks


def _check_prerequisites(lessons: Mapping[str, LoadedLesson]) -> None:
    """Unknown prerequisites and prerequisite cycles break the lessons that declare them."""
    known = sorted(lessons)
    for lesson in lessons.values():
        for prerequisite, line in lesson.prerequisites:
            if prerequisite not in lessons:
                lesson.problems.append(
                    Problem(
                        lesson.path,
                        line,
                        f"unknown prerequisite '{prerequisite}'" + suggest(prerequisite, known),
                    )
                )
    for lesson in lessons.values():
        cycle = _shortest_cycle(lesson.id, lessons)
        if cycle:
            first_edge_line = next(line for prereq, line in lesson.prerequisites if prereq == cycle[1])
            lesson.problems.append(Problem(lesson.path, first_edge_line, "cyclic prerequisite: " + " -> ".join(cycle)))


def _shortest_cycle(start: str, lessons: Mapping[str, LoadedLesson]) -> list[str] | None:
    """The shortest prerequisite path from `start` back to itself, as ids, or None."""
    queue: deque[list[str]] = deque()
    seen: set[str] = set()
    for prerequisite, _ in lessons[start].prerequisites:
        if prerequisite in lessons and prerequisite not in seen:
            seen.add(prerequisite)
            queue.append([start, prerequisite])
    while queue:
        path = queue.popleft()
        if path[-1] == start:
            return path
        for prerequisite, _ in lessons[path[-1]].prerequisites:
            if prerequisite == start:
                return [*path, start]
            if prerequisite in lessons and prerequisite not in seen:
                seen.add(prerequisite)
                queue.append([*path, prerequisite])
    return None


def _check_duplicate_orders(lessons: Sequence[LoadedLesson], problems: list[Problem]) -> None:
    """A course-level problem for each lesson sharing its `order` with another in the module."""
    by_order: dict[int, list[LoadedLesson]] = {}
    for lesson in lessons:
        if lesson.order_value is not None:
            by_order.setdefault(lesson.order_value, []).append(lesson)
    for order, group in by_order.items():
        if len(group) < 2:
            continue
        for lesson in group:
            others = ", ".join(other.id for other in group if other is not lesson)
            problems.append(Problem(lesson.path, lesson.order_line, f"order {order} is also used by {others}"))
