"""The course's data model: modules, lessons, steps, checkpoints and lint problems."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 2
DIFFICULTIES = ("beginner", "intermediate", "advanced")
ENGINES = ("python", "flink", "spark", "flink-spark")


@dataclass(frozen=True)
class Problem:
    """One lint finding, anchored to a file and a 1-based line (0 when no line applies)."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Checkpoint:
    """A check that closes a step; `spec` holds the fields specific to its kind."""

    id: str
    kind: str
    prompt: str
    hints: tuple[str, ...]
    spec: Mapping[str, Any] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True)
class Snippet:
    """A ```python fence of a step's section: code the student runs in the lesson's kernel."""

    index: int  # 1-based, in order within the step
    code: str  # for an exercise: its starter, what the student's cell holds until they edit it
    line: int = 0  # file line of the opening fence; the code's line n is file line `line + n`
    exercise: str = ""  # the exercise id (```python exercise=ID) when the student writes this cell
    solution: str = ""  # an exercise's solution (```python solution=ID), shown after the step unlocks it

    @property
    def is_exercise(self) -> bool:
        return bool(self.exercise)


@dataclass(frozen=True)
class Outage:
    """A step's `outage`: the runner cuts the lab's broker `after_seconds` after the step's code
    starts and restores it `seconds` later (a consumer surviving an outage, shown headlessly)."""

    after_seconds: float
    seconds: float


@dataclass(frozen=True)
class Step:
    """One step of a lesson: a section of the lesson's body plus the checkpoints that close it."""

    id: str
    title: str
    text: str
    checkpoints: tuple[Checkpoint, ...]
    solution: str
    line: int = 0
    snippets: tuple[Snippet, ...] = ()
    setup_code: str = ""  # `setupCode`: run silently before the step's first snippet in a kernel
    outage: Outage | None = None

    def snippet(self, index: int) -> Snippet:
        """Snippet `index` (1-based); IndexError when the step has no such snippet."""
        if not 1 <= index <= len(self.snippets):
            raise IndexError(f"step {self.id!r} has no snippet {index} (it has {len(self.snippets)})")
        return self.snippets[index - 1]

    @property
    def has_code(self) -> bool:
        """Something to run in a kernel: snippets (exercises included) or setup code."""
        return bool(self.snippets or self.setup_code)

    @property
    def exercises(self) -> tuple[Snippet, ...]:
        """The cells the student writes, in order."""
        return tuple(snippet for snippet in self.snippets if snippet.is_exercise)


@dataclass(frozen=True)
class Lesson:
    """A lesson that loaded cleanly and can be studied."""

    id: str  # "<module folder>/<lesson folder>", e.g. "module-5/01-advanced-python-consumer"
    path: Path
    title: str
    description: str
    order: int
    difficulty: str
    estimated_time: int  # minutes
    topics: tuple[str, ...]
    prerequisites: tuple[str, ...]
    engine: str
    live_topics: tuple[str, ...]
    intro: str
    steps: tuple[Step, ...]
    lab: Mapping[str, Any] = field(default_factory=dict)
    """The frontmatter's `lab` options for the embedded lab (workload, rate, seed, schemas,
    decimalMode), as written; `verify` starts the lab with them."""

    @property
    def module_id(self) -> str:
        return self.id.split("/", 1)[0]

    def step(self, step_id: str) -> Step:
        return self.steps[self.step_index(step_id)]

    def step_index(self, step_id: str) -> int:
        return next(i for i, step in enumerate(self.steps) if step.id == step_id)


@dataclass(frozen=True)
class BrokenLesson:
    """A lesson that cannot be studied; shown in the catalog with its problems."""

    id: str
    path: Path
    title: str  # best effort: the frontmatter title if it could be read, else the folder name
    order: int  # best effort, for sorting; large when unknown
    problems: tuple[Problem, ...]

    @property
    def module_id(self) -> str:
        return self.id.split("/", 1)[0]


AnyLesson = Lesson | BrokenLesson


@dataclass(frozen=True)
class Module:
    """A folder of lessons under lessons/, with the title from its module.yaml."""

    id: str
    title: str
    order: int
    lessons: tuple[AnyLesson, ...]


@dataclass(frozen=True)
class Course:
    """Every module found under a lessons directory, plus course-wide problems."""

    root: Path
    modules: tuple[Module, ...]
    problems: tuple[Problem, ...] = ()  # problems not tied to one broken lesson (e.g. duplicate order)

    def all_lessons(self) -> list[AnyLesson]:
        return [lesson for module in self.modules for lesson in module.lessons]

    def lessons(self) -> list[Lesson]:
        return [lesson for lesson in self.all_lessons() if isinstance(lesson, Lesson)]

    def find(self, lesson_id: str) -> AnyLesson | None:
        return next((lesson for lesson in self.all_lessons() if lesson.id == lesson_id), None)

    def all_problems(self) -> list[Problem]:
        found = list(self.problems)
        for lesson in self.all_lessons():
            if isinstance(lesson, BrokenLesson):
                found.extend(lesson.problems)
        return found
