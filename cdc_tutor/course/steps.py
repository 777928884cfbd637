"""Validates a lesson's steps and checkpoints and splits its body at the step markers."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from cdc_tutor.course.checkpoints import KINDS, FieldSpec
from cdc_tutor.course.code_names import KNOWN_NAMES, defined_names, read_names
from cdc_tutor.course.frontmatter import Checker, FieldNodes, YamlMapping, sequence_items
from cdc_tutor.course.model import Checkpoint, Outage, Snippet
from cdc_tutor.course.snippets import (
    PythonFence,
    cells_of,
    python_fences,
    read_code_field,
    snippet_problems,
    syntax_problem,
)
from cdc_tutor.course.values import has_type, nonempty_str, show, suggest, type_name

_ID = re.compile(r"^[a-z0-9-]+$")
_MARKER = re.compile(r"^ {0,3}<!--\s*step:\s*(.*?)\s*-->\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")

STEP_FIELDS = ("id", "title", "checkpoints", "solution", "solutionCode", "setupCode", "outage")
STEP_REQUIRED = ("id", "title", "checkpoints", "solution")
CODE_FIELDS = ("setupCode",)
CHECKPOINT_FIELDS = ("id", "kind", "prompt", "hints")
# Kinds that judge live state may name the exercise they judge, and say that only a real Kafka
# broker can show what they check (`realKafka: true`: waived on the embedded mock broker).
STATE_CHECK_FIELDS = ("exercise", "realKafka")
SOLUTION_CODE_GONE = (
    "field 'solutionCode' is gone in format 2: write the exercise in the step's text as a "
    "```python exercise=ID fence (the starter) and a ```python solution=ID fence, and name it in "
    "the checkpoints that judge it (exercise: ID); see lessons/README.md, 'Exercises'"
)


@dataclass
class StepDraft:
    id: str
    title: str
    solution: str
    checkpoints: list[Checkpoint]
    line: int
    id_line: int
    text: str = ""
    setup_code: str = ""
    snippets: list[Snippet] = field(default_factory=list)
    outage: Outage | None = None


class StepChecker:
    """Validates the `steps` field of one lesson, then fills each step's text from the body."""

    def __init__(self, check: Checker) -> None:
        self.check = check
        self.written_step_ids: set[str] = set()  # every string step id, valid or not
        self.exercise_lines: dict[str, int] = {}  # exercise id -> file line of its first fence
        self._field_lines: dict[int, tuple[int, dict[str, int]]] = {}  # id(checkpoint) -> lines

    def steps(self, data: YamlMapping, entries: FieldNodes) -> list[StepDraft]:
        """The lesson's valid steps as drafts; every problem in `data['steps']` goes to the checker."""
        check = self.check
        if "steps" not in data:
            return []
        if not isinstance(data["steps"], list):
            check.add(check.value_line(entries, "steps", 1), "field 'steps' must be a list of steps")
            return []
        if not data["steps"]:
            check.add(check.value_line(entries, "steps", 1), "a lesson needs at least one step")
            return []
        nodes = sequence_items(entries["steps"][1]) if "steps" in entries else []
        steps_line = check.value_line(entries, "steps", 1)
        drafts: list[StepDraft] = []
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

    def step(
        self, raw: YamlMapping, node: yaml.Node | None, step_line: int, index: int, first_seen: dict[str, int]
    ) -> StepDraft | None:
        check = self.check
        step_id = raw.get("id")
        valid_id = step_id if isinstance(step_id, str) and _ID.match(step_id) else None  # the id, when it is one
        if isinstance(step_id, str):
            self.written_step_ids.add(step_id)
        prefix = f"step '{step_id}': " if valid_id else f"step #{index + 1}: "
        entries = check.fields(raw, node, STEP_FIELDS, STEP_REQUIRED, prefix, missing_line=step_line)
        id_line = check.value_line(entries, "id", step_line)
        if "id" in raw and not valid_id:
            check.add(id_line, f"step #{index + 1}: id {show(step_id)} must match [a-z0-9-]+")
        duplicate = False
        if valid_id:
            if valid_id in first_seen:
                check.add(id_line, f"duplicate step id '{valid_id}' (first at line {first_seen[valid_id]})")
                duplicate = True
            else:
                first_seen[valid_id] = id_line
        if "title" in raw and not nonempty_str(raw["title"]):
            check.add(
                check.value_line(entries, "title", step_line), prefix + "field 'title' must be a non-empty string"
            )
        if "solution" in raw and not nonempty_str(raw["solution"]):
            check.add(
                check.value_line(entries, "solution", step_line), prefix + "field 'solution' must be a non-empty string"
            )
        code = {name: read_code_field(check, raw, entries, name, step_line, prefix) for name in CODE_FIELDS}
        if "solutionCode" in raw:
            check.add(check.value_line(entries, "solutionCode", step_line), prefix + SOLUTION_CODE_GONE)
        checkpoints = self.checkpoints(raw, entries, step_line, valid_id or f"#{index + 1}", prefix)
        if not valid_id or duplicate:
            return None
        return StepDraft(
            id=valid_id,
            title=raw.get("title", "").strip() if isinstance(raw.get("title"), str) else "",
            solution=raw["solution"].strip() if isinstance(raw.get("solution"), str) else "",
            checkpoints=checkpoints,
            line=step_line,
            id_line=id_line,
            setup_code=code["setupCode"],
            outage=self.outage(raw, entries, step_line, prefix),
        )

    def outage(self, raw: YamlMapping, entries: FieldNodes, step_line: int, prefix: str) -> Outage | None:
        """`outage: {afterSeconds: A, seconds: S}`: both numbers, A >= 0, S > 0."""
        check = self.check
        if "outage" not in raw:
            return None
        value, line = raw["outage"], check.value_line(entries, "outage", step_line)
        if not isinstance(value, dict):
            check.add(line, prefix + "field 'outage' must be a mapping {afterSeconds: A, seconds: S}")
            return None
        node = entries["outage"][1] if "outage" in entries else None
        fields = check.fields(
            value,
            node,
            ("afterSeconds", "seconds"),
            ("afterSeconds", "seconds"),
            prefix + "outage: ",
            missing_line=line,
        )
        numbers: dict[str, float] = {}
        bounds: tuple[tuple[str, Callable[[float], bool], str], ...] = (
            ("afterSeconds", lambda n: n >= 0, ">= 0"),
            ("seconds", lambda n: n > 0, "> 0"),
        )
        for name, valid, bound in bounds:
            if name not in value:
                continue
            item = value[name]
            if has_type(item, (int, float)) and valid(item):
                numbers[name] = float(item)
            else:
                check.add(
                    check.value_line(fields, name, line), f"{prefix}outage: field '{name}' must be a number {bound}"
                )
        if len(numbers) < 2:
            return None
        return Outage(numbers["afterSeconds"], numbers["seconds"])

    def checkpoints(
        self, raw: YamlMapping, entries: FieldNodes, step_line: int, step_name: str, prefix: str
    ) -> list[Checkpoint]:
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
        nodes = sequence_items(entries["checkpoints"][1]) if "checkpoints" in entries else []
        built: list[Checkpoint] = []
        first_seen: dict[str, int] = {}
        for index, item in enumerate(value):
            node = nodes[index] if index < len(nodes) else None
            line = check.line(node) if node is not None else list_line
            if not isinstance(item, dict):
                check.add(
                    line,
                    f"checkpoint #{index + 1} of step '{step_name}' must be a mapping with id, kind, prompt and hints",
                )
                continue
            checkpoint = self.checkpoint(item, node, line, index, step_name, first_seen)
            if checkpoint is not None:
                built.append(checkpoint)
        return built

    def checkpoint(
        self,
        raw: YamlMapping,
        node: yaml.Node | None,
        line: int,
        index: int,
        step_name: str,
        first_seen: dict[str, int],
    ) -> Checkpoint | None:
        check = self.check
        cp_id = raw.get("id")
        valid_id = cp_id if isinstance(cp_id, str) and _ID.match(cp_id) else None  # the id, when it is one
        name = f"checkpoint '{cp_id}'" if valid_id else f"checkpoint #{index + 1} of step '{step_name}'"
        prefix = name + ": "
        kind_name = raw.get("kind")
        kind = KINDS.get(kind_name) if isinstance(kind_name, str) else None
        kind_fields: Mapping[str, FieldSpec] = kind.fields if kind else {}
        general = (*CHECKPOINT_FIELDS, *(STATE_CHECK_FIELDS if kind and kind.needs_context else ()))
        allowed = (*general, *kind_fields) if kind else None  # None: unknown kind, cannot tell
        required = (*CHECKPOINT_FIELDS, *(n for n, spec in kind_fields.items() if spec.required))
        entries = check.fields(raw, node, allowed, required, prefix, missing_line=line)

        def value_line(field_name: str) -> int:
            return check.value_line(entries, field_name, line)

        if "id" in raw and not valid_id:
            check.add(value_line("id"), f"{prefix}id {show(cp_id)} must match [a-z0-9-]+")
        if valid_id:
            if valid_id in first_seen:
                check.add(
                    value_line("id"),
                    f"step '{step_name}': duplicate checkpoint id '{valid_id}' (first at line {first_seen[valid_id]})",
                )
            else:
                first_seen[valid_id] = value_line("id")
        if "kind" in raw and kind is None:
            check.add(
                value_line("kind"), f"{prefix}unknown kind {show(kind_name)} (known kinds: {', '.join(sorted(KINDS))})"
            )
        if "prompt" in raw and not nonempty_str(raw["prompt"]):
            check.add(value_line("prompt"), prefix + "field 'prompt' must be a non-empty string")
        hints = raw.get("hints")
        if "hints" in raw:
            if not isinstance(hints, list) or len(hints) < 2:
                check.add(value_line("hints"), f"{name} needs at least two hints")
            else:
                items = sequence_items(entries["hints"][1]) if "hints" in entries else []
                for n, hint in enumerate(hints):
                    if not nonempty_str(hint):
                        hint_line = check.line(items[n]) if n < len(items) else value_line("hints")
                        check.add(hint_line, f"{prefix}hint #{n + 1} must be a non-empty string")

        spec: dict[str, Any] = {}
        if "exercise" in raw and allowed is not None and "exercise" in allowed:
            if isinstance(raw["exercise"], str) and _ID.match(raw["exercise"]):
                spec["exercise"] = raw["exercise"]
            else:
                check.add(value_line("exercise"), f"{prefix}field 'exercise' must be an exercise id ([a-z0-9-]+)")
        if "realKafka" in raw and allowed is not None and "realKafka" in allowed:
            if isinstance(raw["realKafka"], bool):
                spec["realKafka"] = raw["realKafka"]
            else:
                check.add(value_line("realKafka"), f"{prefix}field 'realKafka' must be true or false")
        if kind is not None:
            typed = True
            for field_name, field_spec in kind_fields.items():
                if field_name not in raw:
                    typed = typed and not field_spec.required
                    continue
                if not has_type(raw[field_name], field_spec.type):
                    check.add(
                        value_line(field_name), f"{prefix}field '{field_name}' must be {type_name(field_spec.type)}"
                    )
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
        built = Checkpoint(
            id=valid_id,
            kind=kind.name,  # KINDS is keyed by name: the kind_name it was found under
            prompt=raw["prompt"].strip() if isinstance(raw.get("prompt"), str) else "",
            hints=tuple(h.strip() for h in hints)
            if isinstance(hints, list) and all(isinstance(h, str) for h in hints)
            else (),
            spec=spec,
            line=line,
        )
        if typed:
            fields = (*kind_fields, *STATE_CHECK_FIELDS)
            self._field_lines[id(built)] = (line, {name: value_line(name) for name in fields})
        return built

    # --- body

    def body(self, lines: list[str], body_start: int, steps: list[StepDraft]) -> str:
        """Split the body (from line index `body_start`) at step markers: fill each step's text, return the intro."""
        check = self.check
        markers: list[tuple[str, int]] = []  # (step id as written, 0-based line index)
        fence: str | None = None
        for index in range(body_start, len(lines)):
            line = lines[index]
            head = line.lstrip(" ")[:4]
            if not head.startswith(("```", "~~~", "<!--")):
                continue
            fence_match = _FENCE.match(line)
            if fence is not None:
                if (
                    fence_match
                    and fence_match.group(1)[0] == fence[0]
                    and len(fence_match.group(1)) >= len(fence)
                    and not line.strip().lstrip(fence[0])
                ):
                    fence = None
                continue
            if fence_match:
                fence = fence_match.group(1)
                continue
            marker = _MARKER.match(line)
            if marker:
                markers.append((marker.group(1), index))

        def section(position: int, hidden: list[PythonFence]) -> str:
            """The step's text as the student reads it: solution fences stay hidden until unlocked."""
            start = markers[position][1] + 1
            stop = markers[position + 1][1] if position + 1 < len(markers) else len(lines)
            shown = [
                lines[i] for i in range(start, stop) if not any(f.open_index <= i <= f.close_index for f in hidden)
            ]
            return "\n".join(shown).strip()

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
                    check.add(file_line, f"step marker for unknown step '{step_id}'" + suggest(step_id, list(by_id)))
                continue
            if step_id in first_marker:
                check.add(file_line, f"duplicate marker for step '{step_id}' (first at line {first_marker[step_id]})")
                continue
            first_marker[step_id] = file_line
            order, step = by_id[step_id]
            if order < last_order:
                check.add(
                    file_line, f"step marker '{step_id}' is out of order: steps lists '{step_id}' before '{last_id}'"
                )
            else:
                last_order, last_id = order, step_id
            stop = markers[position + 1][1] if position + 1 < len(markers) else len(lines)
            fences, fence_problems = python_fences(lines, index + 1, stop)
            for problem_line, message in fence_problems:
                check.add(problem_line, f"step '{step_id}': {message}")
            step.text = section(position, [fence for fence in fences if fence.role == "solution"])
            if not step.text:
                check.add(file_line, f"empty step '{step_id}': no text after its marker")
            step.snippets = cells_of(fences)
            self.check_exercises(step, fences)
            self.check_snippets(step)
        for step in steps:
            if step.id not in first_marker:
                check.add(step.id_line, f"step '{step.id}' has no marker '<!-- step: {step.id} -->' in the body")
        stop = markers[0][1] if markers else len(lines)
        return "\n".join(lines[body_start:stop]).strip()

    def check_exercises(self, step: StepDraft, fences: list[PythonFence]) -> None:
        """Every exercise has one solution in the same step, ids are unique in the lesson, and
        solutions compile."""
        check = self.check
        exercises = {fence.name: fence for fence in fences if fence.role == "exercise"}
        solutions: dict[str, PythonFence] = {}
        for fence in fences:
            line = fence.open_index + 1
            if fence.role == "exercise":
                first = self.exercise_lines.setdefault(fence.name, line)
                if first != line:
                    check.add(line, f"step '{step.id}': duplicate exercise id '{fence.name}' (first at line {first})")
                continue
            if fence.role != "solution":
                continue
            if fence.name in solutions:
                check.add(line, f"step '{step.id}': a second solution for exercise '{fence.name}'")
                continue
            solutions[fence.name] = fence
            if fence.name not in exercises:
                check.add(
                    line,
                    f"step '{step.id}': solution for '{fence.name}', but the step has no "
                    f"```python exercise={fence.name} fence",
                )
            found = syntax_problem(fence.code)
            if found is not None:
                check.add(line + found[0], f"step '{step.id}': solution '{fence.name}': syntax error: {found[1]}")
        for name, fence in exercises.items():
            if name not in solutions:
                check.add(
                    fence.open_index + 1,
                    f"step '{step.id}': exercise '{name}' has no solution: add a ```python solution={name} fence",
                )

    def check_code_names(self, steps: list[StepDraft]) -> None:
        """Checkpoints must judge names that lesson code defines, and name the exercise that
        writes them: `next_offsets` read by a check but defined by no cell is a step no student
        can pass; defined only by an exercise, the check names that exercise (`exercise: ID`)."""
        given: set[str] = set()  # what the kernel holds after earlier steps and this step's given code
        for step in steps:
            given |= defined_names(step.setup_code)
            written: dict[str, set[str]] = {}
            for cell in step.snippets:
                if cell.exercise:
                    written[cell.exercise] = defined_names(cell.code) | defined_names(cell.solution)
                else:
                    given |= defined_names(cell.code)
            for checkpoint in step.checkpoints:
                lines = self._field_lines.get(id(checkpoint))
                field_name = {"predicate": "expr", "window": "variable"}.get(checkpoint.kind)
                if lines is None or field_name is None:
                    continue
                line = lines[1].get(field_name, lines[0])
                reads = read_names(str(checkpoint.spec.get(field_name, ""))) - KNOWN_NAMES - given
                from_exercises = {name for name in reads if any(name in names for names in written.values())}
                unknown = sorted(reads - from_exercises)
                if unknown:
                    self.check.add(
                        line,
                        f"checkpoint '{checkpoint.id}': {field_name} reads {', '.join(unknown)}, which no snippet, "
                        "exercise or setupCode of this or an earlier step defines",
                    )
                named = checkpoint.spec.get("exercise")
                needed = sorted(n for n in from_exercises if named is None or n not in written.get(named, set()))
                if needed:
                    owners = sorted(e for e, names in written.items() if names & set(needed))
                    self.check.add(
                        line,
                        f"checkpoint '{checkpoint.id}': judges {', '.join(needed)}, written in exercise "
                        f"'{owners[0]}': name it (exercise: {owners[0]})",
                    )
            for names in written.values():
                given |= names
            judged = {cp.spec.get("exercise") for cp in step.checkpoints}
            for cell in (c for c in step.snippets if c.exercise):
                if cell.exercise not in judged:
                    self.check.add(
                        cell.line,
                        f"step '{step.id}': exercise '{cell.exercise}' is judged by no checkpoint: "
                        f"add `exercise: {cell.exercise}` to the checkpoint that checks it",
                    )

    def check_snippets(self, step: StepDraft) -> None:
        """Syntax errors in the step's python fences, and checkpoints naming a missing snippet."""
        check = self.check
        for line, message in snippet_problems(step.id, step.snippets):
            check.add(line, message)
        for checkpoint in step.checkpoints:
            lines = self._field_lines.get(id(checkpoint))
            kind = KINDS[checkpoint.kind]
            if lines is None:
                continue
            line, field_lines = lines
            named = checkpoint.spec.get("exercise")
            if named and named not in {cell.exercise for cell in step.snippets}:
                check.add(
                    field_lines.get("exercise", line),
                    f"checkpoint '{checkpoint.id}': exercise: step '{step.id}' has no exercise '{named}'",
                )
            if kind.validate_step is None:
                continue
            for field_name, message in kind.validate_step(checkpoint.spec, len(step.snippets)):
                check.add(field_lines.get(field_name, line), f"checkpoint '{checkpoint.id}': {field_name}: {message}")
