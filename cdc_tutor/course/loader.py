"""Loads a course from a lessons directory and validates every file against lessons/README.md.

`load_course(root)` walks `root/<module>/<NN-slug>/lesson.md`; `load_lesson(path, lesson_id)` reads
one lesson. Neither raises on bad input: a lesson with any problem in its own file becomes a
`BrokenLesson` carrying all of its problems, each anchored to the file line (1-based, the opening
`---` is line 1) of the offending key or value; problems that do not make a lesson unusable
(a bad module.yaml, a duplicate `order`, a stray folder) go to `Course.problems`.

The frontmatter is split off line by line and composed once with PyYAML (the C loader when
available) so that every YAML node keeps its line; the Python values are constructed from the
same nodes, so each file is parsed once. This is on the tutor's start-up path: keep it cheap.
"""

from __future__ import annotations

import difflib
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import yaml

from cdc_tutor.course.checkpoints import KINDS, FieldSpec
from cdc_tutor.course.model import (
    DIFFICULTIES,
    ENGINES,
    FORMAT_VERSION,
    AnyLesson,
    BrokenLesson,
    Checkpoint,
    Course,
    Lesson,
    Module,
    Problem,
    Step,
)

__all__ = ["load_course", "load_lesson", "LESSON_FILE", "MODULE_FILE", "LESSON_FOLDER", "UNKNOWN_ORDER"]

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

LESSON_FILE = "lesson.md"
MODULE_FILE = "module.yaml"
LESSON_FOLDER = re.compile(r"^\d{2}-[a-z0-9]+(-[a-z0-9]+)*$")
UNKNOWN_ORDER = 10**6  # sorts modules and lessons whose order could not be read last

_ID = re.compile(r"^[a-z0-9-]+$")
_LESSON_ID = re.compile(r"^[^/\s]+/\d{2}-[a-z0-9]+(-[a-z0-9]+)*$")
_KAFKA_TOPIC = re.compile(r"^[A-Za-z0-9._-]{1,249}$")
_DELIMITER = re.compile(r"^-{3,}[ \t]*$")  # the frontmatter fence, as python-frontmatter accepts it
_MARKER = re.compile(r"^ {0,3}<!--\s*step:\s*(.*?)\s*-->\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Characters YAML refuses to read (YAML 1.1 printable set, as PyYAML and libyaml enforce it).
_NOT_YAML_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

LESSON_FIELDS = (
    "format", "title", "description", "order", "difficulty", "estimatedTime", "topics",
    "prerequisites", "engine", "liveTopics", "steps",
)
LESSON_REQUIRED = tuple(name for name in LESSON_FIELDS if name not in ("engine", "liveTopics"))
STEP_FIELDS = ("id", "title", "checkpoints", "solution")
CHECKPOINT_FIELDS = ("id", "kind", "prompt", "hints")
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
        return Course(root, (), (Problem(root, 0, f"cannot read the lessons directory: {_os_reason(error)}"),))

    modules: list[tuple[str, str, int, list[_Loaded]]] = []
    for module_dir in entries:
        if _hidden(module_dir.name) or not _is_dir(module_dir):
            continue
        title, order = _load_module_yaml(module_dir, problems)
        loaded = [
            lesson
            for lesson in (_load_lesson_folder(module_dir, folder, problems) for folder in _subdirs(module_dir, problems))
            if lesson is not None
        ]
        modules.append((module_dir.name, title, order, loaded))

    everything = {lesson.id: lesson for *_, loaded in modules for lesson in loaded}
    _check_prerequisites(everything)
    for *_, loaded in modules:
        _check_duplicate_orders(loaded, problems)

    built = []
    for module_id, title, order, loaded in modules:
        lessons = sorted((lesson.result() for lesson in loaded), key=lambda l: (l.order, l.id))
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
    return _parse_lesson(path, lesson_id).result()


# ---------------------------------------------------------------------------------------------
# Course walking


def _hidden(name: str) -> bool:
    return name.startswith((".", "_"))


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _os_reason(error: OSError) -> str:
    return error.strerror or error.__class__.__name__


def _subdirs(module_dir: Path, problems: list[Problem]) -> list[Path]:
    try:
        children = sorted(module_dir.iterdir(), key=lambda p: p.name)
    except OSError as error:
        problems.append(Problem(module_dir, 0, f"cannot read the module folder: {_os_reason(error)}"))
        return []
    return [child for child in children if not _hidden(child.name) and _is_dir(child)]


def _load_lesson_folder(module_dir: Path, folder: Path, problems: list[Problem]) -> _Loaded | None:
    lesson_file = folder / LESSON_FILE
    has_file = lesson_file.exists()
    if not LESSON_FOLDER.match(folder.name):
        problems.append(Problem(
            lesson_file if has_file else folder, 0,
            f"lesson folder '{folder.name}' must be named NN-slug (two digits, dash, lowercase "
            "words joined by dashes, e.g. 01-first-events); folder skipped",
        ))
        return None
    if not has_file:
        problems.append(Problem(folder, 0, f"lesson folder '{folder.name}' has no {LESSON_FILE}; folder skipped"))
        return None
    return _parse_lesson(lesson_file, f"{module_dir.name}/{folder.name}")


def _load_module_yaml(module_dir: Path, problems: list[Problem]) -> tuple[str, int]:
    """The module's title and order from module.yaml; the folder name and a large order if bad."""
    path = module_dir / MODULE_FILE
    title, order = module_dir.name, UNKNOWN_ORDER
    check = _Checker(path, first_line=1)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(path, 0, f"missing {MODULE_FILE} (title and order); using the folder name"))
        return title, order
    except OSError as error:
        problems.append(Problem(path, 0, f"cannot read {MODULE_FILE}: {_os_reason(error)}"))
        return title, order
    text = check.decode(raw)
    if text is not None:
        data, node = check.parse_yaml(text)
        if check.ok_so_far and not isinstance(data, dict):
            check.add(1, f"{MODULE_FILE} must be a mapping with title and order")
        elif isinstance(data, dict):
            entries = check.fields(data, node, MODULE_FIELDS, MODULE_FIELDS, "", missing_line=1)
            if "title" in data:
                if _nonempty_str(data["title"]):
                    title = data["title"].strip()
                else:
                    check.add(check.value_line(entries, "title", 1), "field 'title' must be a non-empty string")
            if "order" in data:
                if _is_int(data["order"]) and data["order"] >= 0:
                    order = data["order"]
                else:
                    check.add(check.value_line(entries, "order", 1), "field 'order' must be an integer >= 0")
    problems.extend(check.sorted_problems())
    return title, order


# ---------------------------------------------------------------------------------------------
# Course-level checks


def _check_prerequisites(lessons: Mapping[str, _Loaded]) -> None:
    """Unknown prerequisites and prerequisite cycles break the lessons that declare them."""
    known = sorted(lessons)
    for lesson in lessons.values():
        for prerequisite, line in lesson.prerequisites:
            if prerequisite not in lessons:
                lesson.problems.append(Problem(
                    lesson.path, line, f"unknown prerequisite '{prerequisite}'" + _suggest(prerequisite, known),
                ))
    for lesson in lessons.values():
        cycle = _shortest_cycle(lesson.id, lessons)
        if cycle:
            first_edge_line = next(line for prereq, line in lesson.prerequisites if prereq == cycle[1])
            lesson.problems.append(Problem(lesson.path, first_edge_line, "cyclic prerequisite: " + " -> ".join(cycle)))


def _shortest_cycle(start: str, lessons: Mapping[str, _Loaded]) -> list[str] | None:
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


def _check_duplicate_orders(lessons: Sequence[_Loaded], problems: list[Problem]) -> None:
    """A course-level problem for each lesson sharing its `order` with another in the module."""
    by_order: dict[int, list[_Loaded]] = {}
    for lesson in lessons:
        if lesson.order_value is not None:
            by_order.setdefault(lesson.order_value, []).append(lesson)
    for order, group in by_order.items():
        if len(group) < 2:
            continue
        for lesson in group:
            others = ", ".join(other.id for other in group if other is not lesson)
            problems.append(Problem(lesson.path, lesson.order_line, f"order {order} is also used by {others}"))


# ---------------------------------------------------------------------------------------------
# One lesson


@dataclass
class _Loaded:
    """A lesson file as read: what it builds to, and what the course-level checks need."""

    id: str
    path: Path
    title: str
    problems: list[Problem]
    lesson: Lesson | None = None  # built when the file itself had no problem
    order_value: int | None = None  # the frontmatter order when valid
    order_line: int = 1
    prerequisites: list[tuple[str, int]] = field(default_factory=list)  # (id, line), valid strings only

    def result(self) -> AnyLesson:
        if not self.problems and self.lesson is not None:
            return self.lesson
        problems = sorted(self.problems, key=lambda p: p.line)
        order = UNKNOWN_ORDER if self.order_value is None else self.order_value
        return BrokenLesson(self.id, self.path, self.title, order, tuple(problems))


def _parse_lesson(path: Path, lesson_id: str) -> _Loaded:
    folder = path.parent.name or lesson_id
    check = _Checker(path, first_line=2)
    loaded = _Loaded(lesson_id, path, folder, check.problems)
    try:
        raw = path.read_bytes()
    except OSError as error:
        check.add(0, f"cannot read {path.name}: {_os_reason(error)}")
        return loaded
    text = check.decode(raw)
    if text is None:
        return loaded
    lines = text.split("\n")

    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None or not _DELIMITER.match(lines[start]):
        check.add(1, "missing frontmatter: the file must start with a '---' line, then YAML, then '---'")
        return loaded
    end = next((i for i in range(start + 1, len(lines)) if _DELIMITER.match(lines[i])), None)
    if end is None:
        check.add(start + 1, "the frontmatter is not closed: add a '---' line after the YAML")
        return loaded
    check.first_line = start + 2  # file line of the frontmatter's first YAML line
    data, node = check.parse_yaml("\n".join(lines[start + 1 : end]))
    if not check.ok_so_far:
        return loaded
    if not isinstance(data, dict):
        check.add(start + 1, "the frontmatter must be a YAML mapping of lesson fields")
        return loaded

    _LessonChecker(check, loaded, data, node, lines, body_start=end + 1).run()
    return loaded


class _LessonChecker:
    """Validates one lesson's frontmatter and body; fills `loaded` (and builds the Lesson if clean)."""

    def __init__(self, check: _Checker, loaded: _Loaded, data: dict, node: yaml.Node,
                 lines: list[str], body_start: int) -> None:
        self.check = check
        self.loaded = loaded
        self.data = data
        self.node = node
        self.lines = lines
        self.body_start = body_start  # 0-based index of the first body line
        self.written_step_ids: set[str] = set()  # every string step id, valid or not

    def run(self) -> None:
        check, data, loaded = self.check, self.data, self.loaded
        entries = check.fields(data, self.node, LESSON_FIELDS, LESSON_REQUIRED, "", missing_line=1)

        def line(name: str) -> int:
            return check.value_line(entries, name, 1)

        def present(name: str) -> bool:
            return name in data

        if present("title") and _nonempty_str(data["title"]):
            loaded.title = data["title"].strip()
        elif present("title"):
            check.add(line("title"), "field 'title' must be a non-empty string")

        if present("format"):
            if not _is_int(data["format"]):
                check.add(line("format"), "field 'format' must be an integer")
            elif data["format"] != FORMAT_VERSION:
                check.add(line("format"), f"unsupported format {data['format']} (this tutor reads format {FORMAT_VERSION})")
        if present("description") and not _nonempty_str(data["description"]):
            check.add(line("description"), "field 'description' must be a non-empty string")
        if present("order"):
            loaded.order_line = line("order")
            if _is_int(data["order"]) and data["order"] >= 0:
                loaded.order_value = data["order"]
            else:
                check.add(line("order"), "field 'order' must be an integer >= 0")
        if present("difficulty") and data["difficulty"] not in DIFFICULTIES:
            check.add(line("difficulty"), _enum_message("difficulty", DIFFICULTIES, data["difficulty"]))
        if present("estimatedTime") and not (_is_int(data["estimatedTime"]) and data["estimatedTime"] > 0):
            check.add(line("estimatedTime"), "field 'estimatedTime' must be a positive integer (minutes)")
        engine = data.get("engine", "python")
        if present("engine") and (not isinstance(engine, str) or engine not in ENGINES):
            check.add(line("engine"), _enum_message("engine", ENGINES, engine))

        topics = self.string_list(entries, "topics", "topic", _nonempty_str, "must be a non-empty string")
        live_topics = self.string_list(entries, "liveTopics", "live topic", lambda v: isinstance(v, str) and bool(
            _KAFKA_TOPIC.match(v)), "must be a Kafka topic name (letters, digits, '.', '_', '-')")
        prerequisites = self.string_list(entries, "prerequisites", "prerequisite", lambda v: isinstance(v, str) and bool(
            _LESSON_ID.match(v)), "must be a lesson id such as 'module-1/01-first-events'")
        if prerequisites is not None:
            items = _sequence_items(entries["prerequisites"][1]) if "prerequisites" in entries else []
            for index, value in enumerate(data["prerequisites"]):
                if isinstance(value, str) and _LESSON_ID.match(value):
                    item_line = check.line(items[index]) if index < len(items) else line("prerequisites")
                    loaded.prerequisites.append((value, item_line))

        steps = self.steps(entries)
        intro = self.body(steps) if steps or self.written_step_ids else ""

        if check.problems:
            return
        loaded.lesson = Lesson(
            id=loaded.id,
            path=loaded.path,
            title=loaded.title,
            description=data["description"].strip(),
            order=data["order"],
            difficulty=data["difficulty"],
            estimated_time=data["estimatedTime"],
            topics=tuple(topics or ()),
            prerequisites=tuple(prerequisites or ()),
            engine=engine,
            live_topics=tuple(live_topics or ()),
            intro=intro,
            steps=tuple(
                Step(s.id, s.title, s.text, tuple(s.checkpoints), s.solution, s.line) for s in steps
            ),
        )

    # --- fields

    def string_list(self, entries, name: str, item_name: str, valid, item_message: str) -> list | None:
        """Validate a list-of-strings field; its items (or None when absent or not a list)."""
        check = self.check
        if name not in self.data:
            return None
        value = self.data[name]
        if not isinstance(value, list):
            check.add(check.value_line(entries, name, 1), f"field '{name}' must be a list (may be [])")
            return None
        items = _sequence_items(entries[name][1]) if name in entries else []
        for index, item in enumerate(value):
            if not valid(item):
                item_line = check.line(items[index]) if index < len(items) else check.value_line(entries, name, 1)
                shown = f" {item!r}" if isinstance(item, str) and item.strip() else ""
                check.add(item_line, f"{item_name} #{index + 1}{shown} {item_message}")
        return value

    def steps(self, entries) -> list[_StepDraft]:
        check, data = self.check, self.data
        if "steps" not in data:
            return []
        if not isinstance(data["steps"], list):
            check.add(check.value_line(entries, "steps", 1), "field 'steps' must be a list of steps")
            return []
        if not data["steps"]:
            check.add(check.value_line(entries, "steps", 1), "a lesson needs at least one step")
            return []
        nodes = _sequence_items(entries["steps"][1]) if "steps" in entries else []
        steps_line = check.value_line(entries, "steps", 1)
        drafts: list[_StepDraft] = []
        first_seen: dict[str, int] = {}
        for index, raw in enumerate(data["steps"]):
            node = nodes[index] if index < len(nodes) else None
            step_line = check.line(node) if node is not None else steps_line
            if not isinstance(raw, dict):
                check.add(step_line, f"step #{index + 1} must be a mapping with id, title, checkpoints and solution")
                continue
            draft = self.step(raw, node, step_line, index, first_seen)
            if draft is not None:
                drafts.append(draft)
        return drafts

    def step(self, raw: dict, node, step_line: int, index: int, first_seen: dict[str, int]) -> _StepDraft | None:
        check = self.check
        step_id = raw.get("id")
        valid_id = isinstance(step_id, str) and bool(_ID.match(step_id))
        if isinstance(step_id, str):
            self.written_step_ids.add(step_id)
        prefix = f"step '{step_id}': " if valid_id else f"step #{index + 1}: "
        entries = check.fields(raw, node, STEP_FIELDS, STEP_FIELDS, prefix, missing_line=step_line)
        id_line = check.value_line(entries, "id", step_line)
        if "id" in raw and not valid_id:
            check.add(id_line, f"step #{index + 1}: id {_show(step_id)} must match [a-z0-9-]+")
        duplicate = False
        if valid_id:
            if step_id in first_seen:
                check.add(id_line, f"duplicate step id '{step_id}' (first at line {first_seen[step_id]})")
                duplicate = True
            else:
                first_seen[step_id] = id_line
        if "title" in raw and not _nonempty_str(raw["title"]):
            check.add(check.value_line(entries, "title", step_line), prefix + "field 'title' must be a non-empty string")
        if "solution" in raw and not _nonempty_str(raw["solution"]):
            check.add(check.value_line(entries, "solution", step_line), prefix + "field 'solution' must be a non-empty string")
        checkpoints = self.checkpoints(raw, entries, step_line, step_id if valid_id else f"#{index + 1}", prefix)
        if not valid_id or duplicate:
            return None
        return _StepDraft(
            id=step_id,
            title=raw.get("title", "").strip() if isinstance(raw.get("title"), str) else "",
            solution=raw["solution"].strip() if isinstance(raw.get("solution"), str) else "",
            checkpoints=checkpoints,
            line=step_line,
            id_line=id_line,
        )

    def checkpoints(self, raw: dict, entries, step_line: int, step_name: str, prefix: str) -> list[Checkpoint]:
        check = self.check
        if "checkpoints" not in raw:
            return []
        value = raw["checkpoints"]
        list_line = check.value_line(entries, "checkpoints", step_line)
        if not isinstance(value, list):
            check.add(list_line, prefix + "field 'checkpoints' must be a list of checkpoints")
            return []
        if not value:
            check.add(list_line, f"step '{step_name}' needs at least one checkpoint")
            return []
        nodes = _sequence_items(entries["checkpoints"][1]) if "checkpoints" in entries else []
        built: list[Checkpoint] = []
        first_seen: dict[str, int] = {}
        for index, item in enumerate(value):
            node = nodes[index] if index < len(nodes) else None
            line = check.line(node) if node is not None else list_line
            if not isinstance(item, dict):
                check.add(line, f"checkpoint #{index + 1} of step '{step_name}' must be a mapping with id, kind, prompt and hints")
                continue
            checkpoint = self.checkpoint(item, node, line, index, step_name, first_seen)
            if checkpoint is not None:
                built.append(checkpoint)
        return built

    def checkpoint(self, raw: dict, node, line: int, index: int, step_name: str,
                   first_seen: dict[str, int]) -> Checkpoint | None:
        check = self.check
        cp_id = raw.get("id")
        valid_id = isinstance(cp_id, str) and bool(_ID.match(cp_id))
        name = f"checkpoint '{cp_id}'" if valid_id else f"checkpoint #{index + 1} of step '{step_name}'"
        prefix = name + ": "
        kind_name = raw.get("kind")
        kind = KINDS.get(kind_name) if isinstance(kind_name, str) else None
        kind_fields: Mapping[str, FieldSpec] = kind.fields if kind else {}
        allowed = (*CHECKPOINT_FIELDS, *kind_fields) if kind else None  # None: unknown kind, cannot tell
        required = (*CHECKPOINT_FIELDS, *(n for n, spec in kind_fields.items() if spec.required))
        entries = check.fields(raw, node, allowed, required, prefix, missing_line=line)

        def value_line(field_name: str) -> int:
            return check.value_line(entries, field_name, line)

        if "id" in raw and not valid_id:
            check.add(value_line("id"), f"{prefix}id {_show(cp_id)} must match [a-z0-9-]+")
        if valid_id:
            if cp_id in first_seen:
                check.add(value_line("id"), f"step '{step_name}': duplicate checkpoint id '{cp_id}' (first at line {first_seen[cp_id]})")
            else:
                first_seen[cp_id] = value_line("id")
        if "kind" in raw and kind is None:
            check.add(value_line("kind"), f"{prefix}unknown kind {_show(kind_name)} (known kinds: {', '.join(sorted(KINDS))})")
        if "prompt" in raw and not _nonempty_str(raw["prompt"]):
            check.add(value_line("prompt"), prefix + "field 'prompt' must be a non-empty string")
        hints = raw.get("hints")
        if "hints" in raw:
            if not isinstance(hints, list) or len(hints) < 2:
                check.add(value_line("hints"), f"{name} needs at least two hints")
            else:
                items = _sequence_items(entries["hints"][1]) if "hints" in entries else []
                for n, hint in enumerate(hints):
                    if not _nonempty_str(hint):
                        hint_line = check.line(items[n]) if n < len(items) else value_line("hints")
                        check.add(hint_line, f"{prefix}hint #{n + 1} must be a non-empty string")

        spec: dict[str, Any] = {}
        if kind is not None:
            typed = True
            for field_name, field_spec in kind_fields.items():
                if field_name not in raw:
                    typed = typed and not field_spec.required
                    continue
                if not _has_type(raw[field_name], field_spec.type):
                    check.add(value_line(field_name), f"{prefix}field '{field_name}' must be {_type_name(field_spec.type)}")
                    typed = False
                else:
                    spec[field_name] = raw[field_name]
            if typed:
                try:
                    found = list(kind.validate(spec))
                except Exception as error:  # a kind's validator must not take the loader down
                    found = [("kind", f"cannot be validated ({error.__class__.__name__}: {error})")]
                for field_name, message in found:
                    check.add(value_line(field_name), f"{prefix}{field_name}: {message}")

        if not valid_id or kind is None:
            return None
        return Checkpoint(
            id=cp_id,
            kind=kind_name,
            prompt=raw["prompt"].strip() if isinstance(raw.get("prompt"), str) else "",
            hints=tuple(h.strip() for h in hints) if isinstance(hints, list) and all(isinstance(h, str) for h in hints) else (),
            spec=spec,
            line=line,
        )

    # --- body

    def body(self, steps: list[_StepDraft]) -> str:
        """Split the body at step markers: fill each step's text, return the intro."""
        check = self.check
        markers: list[tuple[str, int]] = []  # (step id as written, 0-based line index)
        fence: str | None = None
        for index in range(self.body_start, len(self.lines)):
            line = self.lines[index]
            head = line.lstrip(" ")[:4]
            if not head.startswith(("```", "~~~", "<!--")):
                continue
            fence_match = _FENCE.match(line)
            if fence is not None:
                if fence_match and fence_match.group(1)[0] == fence[0] and len(fence_match.group(1)) >= len(fence) \
                        and not line.strip().lstrip(fence[0]):
                    fence = None
                continue
            if fence_match:
                fence = fence_match.group(1)
                continue
            marker = _MARKER.match(line)
            if marker:
                markers.append((marker.group(1), index))

        def section(position: int) -> str:
            start = markers[position][1] + 1
            stop = markers[position + 1][1] if position + 1 < len(markers) else len(self.lines)
            return "\n".join(self.lines[start:stop]).strip()

        by_id = {step.id: (order, step) for order, step in enumerate(steps)}
        first_marker: dict[str, int] = {}
        last_order, last_id = -1, ""
        for position, (step_id, index) in enumerate(markers):
            file_line = index + 1
            if step_id not in by_id:
                if step_id in self.written_step_ids:
                    continue  # the step itself is already reported (bad id)
                if not step_id:
                    check.add(file_line, "step marker without a step id: write <!-- step: STEP-ID -->")
                else:
                    check.add(file_line, f"step marker for unknown step '{step_id}'" + _suggest(step_id, list(by_id)))
                continue
            if step_id in first_marker:
                check.add(file_line, f"duplicate marker for step '{step_id}' (first at line {first_marker[step_id]})")
                continue
            first_marker[step_id] = file_line
            order, step = by_id[step_id]
            if order < last_order:
                check.add(file_line, f"step marker '{step_id}' is out of order: steps lists '{step_id}' before '{last_id}'")
            else:
                last_order, last_id = order, step_id
            step.text = section(position)
            if not step.text:
                check.add(file_line, f"empty step '{step_id}': no text after its marker")
        for step in steps:
            if step.id not in first_marker:
                check.add(step.id_line, f"step '{step.id}' has no marker '<!-- step: {step.id} -->' in the body")
        stop = markers[0][1] if markers else len(self.lines)
        return "\n".join(self.lines[self.body_start:stop]).strip()


@dataclass
class _StepDraft:
    id: str
    title: str
    solution: str
    checkpoints: list[Checkpoint]
    line: int
    id_line: int
    text: str = ""


# ---------------------------------------------------------------------------------------------
# YAML with lines


class _Checker:
    """Collects problems for one file; reads YAML keeping each node's file line."""

    def __init__(self, path: Path, first_line: int) -> None:
        self.path = path
        self.first_line = first_line  # file line (1-based) of the first line of the YAML text
        self.problems: list[Problem] = []
        self.ok_so_far = True

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: p.line)

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + self.first_line

    def decode(self, raw: bytes) -> str | None:
        """The file as text with '\\n' line ends, or None (and a problem) if it is not UTF-8."""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw.count(b"\n", 0, error.start) + 1
            self.add(line, f"not UTF-8 text: byte 0x{raw[error.start]:02x} cannot be decoded; save the file as UTF-8")
            self.ok_so_far = False
            return None
        return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")

    def parse_yaml(self, text: str) -> tuple[Any, yaml.Node | None]:
        """The constructed value and its node; on a YAML error, a problem at its line."""
        bad_char = _NOT_YAML_PRINTABLE.search(text)
        if bad_char:
            line = text.count("\n", 0, bad_char.start()) + self.first_line
            self.add(line, f"invalid YAML: character U+{ord(bad_char.group()):04X} is not allowed")
            self.ok_so_far = False
            return None, None
        loader = _YAML_LOADER(text)
        try:
            node = loader.get_single_node()
            data = _construct(loader, node) if node is not None else None
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            # an error at the end of input may be marked past the last line: clamp it
            line = min(mark.line, text.rstrip().count("\n")) + self.first_line if mark is not None else self.first_line
            reason = " ".join(part for part in (error.context, error.problem) if part)
            self.add(line, f"invalid YAML: {reason or error.__class__.__name__}")
            self.ok_so_far = False
            return None, None
        except Exception as error:  # ReaderError, recursion, bad timestamps...: never raise on bad input
            self.add(self.first_line, f"invalid YAML: {error.__class__.__name__}: {error}")
            self.ok_so_far = False
            return None, None
        finally:
            loader.dispose()
        return data, node

    def fields(self, data: dict, node: yaml.Node | None, allowed: Sequence[str] | None,
               required: Iterable[str], prefix: str, missing_line: int) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Check a mapping's keys: unknown (with a suggestion), duplicate and missing ones.

        Returns key -> (key node, value node) for looking up lines; `allowed` None skips the
        unknown-key check (a checkpoint of an unknown kind).
        """
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                name = key_node.value
                if name in entries and name != "<<":
                    self.add(self.line(key_node), f"{prefix}duplicate field '{name}' (first at line {self.line(entries[name][0])})")
                entries[name] = (key_node, value_node)
        if allowed is not None:
            for key in data:
                if not isinstance(key, str) or key not in allowed:
                    shown = str(key)
                    line = self.line(entries[shown][0]) if shown in entries else missing_line
                    self.add(line, f"{prefix}unknown field '{shown}'" + _suggest(shown, allowed))
        for name in required:
            if name not in data:
                self.add(missing_line, f"{prefix}missing required field '{name}'")
        return entries

    def value_line(self, entries: Mapping[str, tuple[yaml.Node, yaml.Node]], name: str, default: int) -> int:
        if name in entries:
            return self.line(entries[name][1])
        return default


_PLAIN_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "bool", "null", "float")
)
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


class _NeedsConstructor(Exception):
    """The document uses something the fast path leaves to PyYAML (aliases, merge keys, tags)."""


def _construct(loader: Any, node: yaml.Node) -> Any:
    """Python values for a composed document: a fast walk for plain documents, else PyYAML's own.

    PyYAML's constructor is pure Python even with the C parser and costs more than parsing;
    lesson frontmatter is plain maps, lists and scalars, so walk those directly.
    """
    try:
        return _plain_value(loader, node, set())
    except (_NeedsConstructor, RecursionError):
        return loader.construct_document(node)


def _plain_value(loader: Any, node: yaml.Node, seen: set[int]) -> Any:
    if id(node) in seen:
        raise _NeedsConstructor  # an alias: let PyYAML share (or recurse into) the value
    seen.add(id(node))
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag == "tag:yaml.org,2002:str":
            return node.value
        if tag in _PLAIN_SCALAR_TAGS:
            return loader.yaml_constructors[tag](loader, node)
    elif isinstance(node, yaml.SequenceNode) and tag == _SEQ_TAG:
        return [_plain_value(loader, item, seen) for item in node.value]
    elif isinstance(node, yaml.MappingNode) and tag == _MAP_TAG:
        mapping = {}
        for key_node, value_node in node.value:
            key = _plain_value(loader, key_node, seen)
            if not isinstance(key_node, yaml.ScalarNode):
                raise _NeedsConstructor  # complex keys: PyYAML reports unhashable ones properly
            mapping[key] = _plain_value(loader, value_node, seen)
        return mapping
    raise _NeedsConstructor


def _sequence_items(node: yaml.Node) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


# ---------------------------------------------------------------------------------------------
# Small helpers


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _has_type(value: Any, expected: type | tuple[type, ...]) -> bool:
    types = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool) and bool not in types:
        return False  # YAML's yes/no are not numbers
    return isinstance(value, types)


def _type_name(expected: type | tuple[type, ...]) -> str:
    names = {list: "a list", dict: "a mapping", str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    types = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(names.get(t, t.__name__) for t in types)


def _show(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def _enum_message(name: str, allowed: Sequence[str], value: Any) -> str:
    return f"field '{name}' must be one of: {', '.join(allowed)} (got {_show(value)})"


def _suggest(name: str, known: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest known name, ignoring case, dashes and underscores."""
    def squash(text: str) -> str:
        return text.lower().replace("_", "").replace("-", "")

    known = list(known)
    by_squashed = {squash(k): k for k in known}
    match = difflib.get_close_matches(squash(name), list(by_squashed), n=1, cutoff=0.6)
    return f" (did you mean '{by_squashed[match[0]]}'?)" if match else ""
