"""Reads one lesson file: its frontmatter fields into a Lesson, or the problems that break it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cdc_tutor.course.frontmatter import Checker, FieldNodes, YamlMapping, sequence_items, split_frontmatter
from cdc_tutor.course.model import (
    DIFFICULTIES,
    ENGINES,
    FORMAT_VERSION,
    AnyLesson,
    BrokenLesson,
    Lesson,
    Problem,
    Step,
)
from cdc_tutor.course.steps import StepChecker
from cdc_tutor.course.values import enum_message, is_int, nonempty_str, os_reason
from cdc_tutor.paths import read_regular_file

FORMAT_1_GONE = (
    f"format 1 is no longer read (this tutor reads format {FORMAT_VERSION}): format 2 moved the code the "
    "student writes from solutionCode into exercises in the step's text; set `format: 2` and see "
    "lessons/README.md, 'Exercises' and 'From format 1'"
)
UNKNOWN_ORDER = 10**6  # sorts modules and lessons whose order could not be read last

_LESSON_ID = re.compile(r"^[^/\s]+/\d{2}-[a-z0-9]+(-[a-z0-9]+)*$")
_KAFKA_TOPIC = re.compile(r"^[A-Za-z0-9._-]{1,249}$")

LESSON_FIELDS = (
    "format",
    "title",
    "description",
    "order",
    "difficulty",
    "estimatedTime",
    "topics",
    "prerequisites",
    "engine",
    "liveTopics",
    "lab",
    "steps",
)
LESSON_REQUIRED = tuple(name for name in LESSON_FIELDS if name not in ("engine", "liveTopics", "lab"))

# `lab:` options: field -> (accepted types, what it must be); LabOptions takes them (verify, app).
LAB_FIELDS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "workload": (bool, "true or false"),
    "rate": ((int, float), "a number of changes per second > 0"),
    "seed": (int, "an integer"),
    "schemas": (bool, "true or false"),
    "decimalMode": (str, "one of precise, string, double"),
    "transactionMetadata": (bool, "true or false"),
    "redis": (bool, "true or false"),
    "broker": (str, "mock (the embedded mock cluster) or kafka (a real broker run by the tutor, needs Java)"),
    "sharedEngine": (bool, "true or false"),
}


@dataclass
class LoadedLesson:
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


def parse_lesson(path: Path, lesson_id: str) -> LoadedLesson:
    folder = path.parent.name or lesson_id
    check = Checker(path, first_line=2)
    loaded = LoadedLesson(lesson_id, path, folder, check.problems)
    try:
        raw = read_regular_file(path)
    except OSError as error:
        check.add(0, f"cannot read {path.name}: {os_reason(error)}")
        return loaded
    text = check.decode(raw)
    if text is None:
        return loaded
    lines = text.split("\n")

    fences = split_frontmatter(check, lines)
    if fences is None:
        return loaded
    start, end = fences
    data, node = check.parse_yaml("\n".join(lines[start + 1 : end]))
    if not check.ok_so_far:
        return loaded
    if not isinstance(data, dict):
        check.add(start + 1, "the frontmatter must be a YAML mapping of lesson fields")
        return loaded

    LessonChecker(check, loaded, data, node, lines, body_start=end + 1).run()
    return loaded


class LessonChecker:
    """Validates one lesson's frontmatter and body; fills `loaded` (and builds the Lesson if clean)."""

    def __init__(
        self,
        check: Checker,
        loaded: LoadedLesson,
        data: YamlMapping,
        node: yaml.Node,
        lines: list[str],
        body_start: int,
    ) -> None:
        self.check = check
        self.loaded = loaded
        self.data = data
        self.node = node
        self.lines = lines
        self.body_start = body_start  # 0-based index of the first body line

    def run(self) -> None:
        check, data, loaded = self.check, self.data, self.loaded
        entries = check.fields(data, self.node, LESSON_FIELDS, LESSON_REQUIRED, "", missing_line=1)

        def line(name: str) -> int:
            return check.value_line(entries, name, 1)

        def present(name: str) -> bool:
            return name in data

        if present("title") and nonempty_str(data["title"]):
            loaded.title = data["title"].strip()
        elif present("title"):
            check.add(line("title"), "field 'title' must be a non-empty string")

        if present("format"):
            if not is_int(data["format"]):
                check.add(line("format"), "field 'format' must be an integer")
            elif data["format"] == 1:
                check.add(line("format"), FORMAT_1_GONE)
            elif data["format"] != FORMAT_VERSION:
                check.add(
                    line("format"), f"unsupported format {data['format']} (this tutor reads format {FORMAT_VERSION})"
                )
        if present("description") and not nonempty_str(data["description"]):
            check.add(line("description"), "field 'description' must be a non-empty string")
        if present("order"):
            loaded.order_line = line("order")
            if is_int(data["order"]) and data["order"] >= 0:
                loaded.order_value = data["order"]
            else:
                check.add(line("order"), "field 'order' must be an integer >= 0")
        if present("difficulty") and data["difficulty"] not in DIFFICULTIES:
            check.add(line("difficulty"), enum_message("difficulty", DIFFICULTIES, data["difficulty"]))
        if present("estimatedTime") and not (is_int(data["estimatedTime"]) and data["estimatedTime"] > 0):
            check.add(line("estimatedTime"), "field 'estimatedTime' must be a positive integer (minutes)")
        engine = data.get("engine", "python")
        if present("engine") and (not isinstance(engine, str) or engine not in ENGINES):
            check.add(line("engine"), enum_message("engine", ENGINES, engine))

        topics = self.string_list(entries, "topics", "topic", nonempty_str, "must be a non-empty string")
        live_topics = self.string_list(
            entries,
            "liveTopics",
            "live topic",
            lambda v: isinstance(v, str) and bool(_KAFKA_TOPIC.match(v)),
            "must be a Kafka topic name (letters, digits, '.', '_', '-')",
        )
        prerequisites = self.string_list(
            entries,
            "prerequisites",
            "prerequisite",
            lambda v: isinstance(v, str) and bool(_LESSON_ID.match(v)),
            "must be a lesson id such as 'module-1/01-first-events'",
        )
        if prerequisites is not None:
            items = sequence_items(entries["prerequisites"][1]) if "prerequisites" in entries else []
            for index, value in enumerate(data["prerequisites"]):
                if isinstance(value, str) and _LESSON_ID.match(value):
                    item_line = check.line(items[index]) if index < len(items) else line("prerequisites")
                    loaded.prerequisites.append((value, item_line))

        lab = self.lab_options(entries)
        step_checker = StepChecker(check)
        steps = step_checker.steps(data, entries)
        intro = step_checker.body(self.lines, self.body_start, steps) if steps or step_checker.written_step_ids else ""
        if not check.problems:  # names are only worth checking in code that parses and steps that line up
            step_checker.check_code_names(steps)

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
                Step(
                    s.id,
                    s.title,
                    s.text,
                    tuple(s.checkpoints),
                    s.solution,
                    s.line,
                    snippets=tuple(s.snippets),
                    setup_code=s.setup_code,
                    outage=s.outage,
                )
                for s in steps
            ),
            lab=lab,
        )

    def lab_options(self, entries: FieldNodes) -> dict[str, Any]:
        """The `lab` mapping (embedded lab options for this lesson), checked field by field."""
        check = self.check
        if "lab" not in self.data:
            return {}
        value, line = self.data["lab"], check.value_line(entries, "lab", 1)
        if not isinstance(value, dict):
            check.add(line, "field 'lab' must be a mapping, e.g. {workload: false, seed: 7}")
            return {}
        node = entries["lab"][1] if "lab" in entries else None
        fields = check.fields(value, node, tuple(LAB_FIELDS), (), "lab: ", missing_line=line)
        for name, item in value.items():
            if name not in LAB_FIELDS:
                continue
            types, meaning = LAB_FIELDS[name]
            valid = isinstance(item, types) and (types is bool or not isinstance(item, bool))
            if name == "rate":
                valid = valid and item > 0
            if name == "decimalMode":
                valid = valid and item in ("precise", "string", "double")
            if name == "broker":
                valid = valid and item in ("mock", "kafka")
            if not valid:
                check.add(check.value_line(fields, name, line), f"lab: field '{name}' must be {meaning}")
        return dict(value)

    # --- fields

    def string_list(
        self, entries: FieldNodes, name: str, item_name: str, valid: Callable[[Any], bool], item_message: str
    ) -> list[Any] | None:
        """Validate a list-of-strings field; its items (or None when absent or not a list)."""
        check = self.check
        if name not in self.data:
            return None
        value = self.data[name]
        if not isinstance(value, list):
            check.add(check.value_line(entries, name, 1), f"field '{name}' must be a list (may be [])")
            return None
        items = sequence_items(entries[name][1]) if name in entries else []
        for index, item in enumerate(value):
            if not valid(item):
                item_line = check.line(items[index]) if index < len(items) else check.value_line(entries, name, 1)
                shown = f" {item!r}" if isinstance(item, str) and item.strip() else ""
                check.add(item_line, f"{item_name} #{index + 1}{shown} {item_message}")
        return value
