"""Lesson code in the loader: python snippets with their lines, exercises, setupCode, `lab`,
`outage`, and lint of the new checkpoint kinds (syntax errors, unknown fields, missing snippets)."""

from __future__ import annotations

from pathlib import Path

from cdc_tutor.course.loader import load_course, load_lesson
from cdc_tutor.course.model import BrokenLesson, Lesson, Outage
from cdc_tutor.course.snippets import extract_snippets, syntax_problem

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CODE_COURSE = FIXTURES / "code_course"

HEAD = """\
---
format: 2
title: "Урок"
description: "Описание"
order: 1
difficulty: beginner
estimatedTime: 5
topics: [cdc]
prerequisites: []
{extra}steps:
  - id: one
    title: "Шаг"
{step}    checkpoints:
{checkpoints}    solution: "Ответ."
---
Введение.

<!-- step: one -->
{body}
"""

RAN = """\
      - id: ran
        kind: ran
        snippet: 1
        prompt: "Запустите."
        hints: ["a", "b"]
"""


def lesson_text(body: str = "Текст.", checkpoints: str = RAN, step: str = "", extra: str = "") -> str:
    return HEAD.format(body=body, checkpoints=checkpoints, step=step, extra=extra)


def load(tmp_path: Path, text: str):
    path = tmp_path / "module-1" / "01-lesson" / "lesson.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return load_lesson(path, "module-1/01-lesson")


def problems(lesson) -> list[tuple[int, str]]:
    assert isinstance(lesson, BrokenLesson), f"expected a broken lesson, got {lesson!r}"
    return [(p.line, p.message) for p in lesson.problems]


# --- snippets ----------------------------------------------------------------------------------


def test_snippets_are_python_fences_numbered_in_order_with_their_file_lines(tmp_path):
    body = "\n".join(
        [
            "```python",
            "a = 1",
            "```",  # the body starts at line 24
            "```text",
            "not run",
            "```",
            "~~~python title",
            "b = a + 1",
            "~~~",  # the opening fence at line 30
            "````python",
            'c = """',
            "```",
            '"""',
            "````",  # a longer fence may hold a shorter one
            "```py",
            "d = 4",
            "```",
        ]
    )
    lesson = load(tmp_path, lesson_text(body))
    assert isinstance(lesson, Lesson), getattr(lesson, "problems", None)
    snippets = lesson.steps[0].snippets
    assert [(s.index, s.code, s.line) for s in snippets] == [
        (1, "a = 1\n", 24),
        (2, "b = a + 1\n", 30),
        (3, 'c = """\n```\n"""\n', 33),
    ]
    assert lesson.path.read_text(encoding="utf-8").split("\n")[snippets[1].line - 1] == "~~~python title"
    assert lesson.steps[0].snippet(2).code == "b = a + 1\n"
    assert lesson.steps[0].has_code


def test_indented_fences_are_dedented_and_an_unclosed_fence_runs_to_the_section_end():
    lines = ["  ```python", "  x = 1", "    y = 2", "  ```", "```python", "z = 3"]
    snippets = extract_snippets(lines, 0, len(lines))
    assert [s.code for s in snippets] == ["x = 1\n  y = 2\n", "z = 3\n"]


def test_syntax_check_accepts_ipython_syntax_and_top_level_await():
    assert syntax_problem("%time x = 1\n!ls\nawait something()\n") is None
    assert syntax_problem("%%bash\nls -l | wc\n") is None
    line, message = syntax_problem("x = 1\nif x\n    pass\n")
    assert line == 2 and "expected ':'" in message


def test_a_python_fence_with_a_syntax_error_is_reported_at_its_line(tmp_path):
    body = "```python\nx = 1\nprint(x\n```"  # the fence opens at line 24
    found = problems(load(tmp_path, lesson_text(body)))
    assert len(found) == 1
    line, message = found[0]
    assert line == 26  # the unclosed parenthesis
    assert message.startswith("step 'one': python snippet 1: syntax error:") and "`text` fence" in message


def test_ran_must_name_an_existing_snippet(tmp_path):
    found = problems(load(tmp_path, lesson_text("Без кода.")))
    assert found == [(16, "checkpoint 'ran': snippet: the step has no python snippet 1 (it has 0)")]
    bad = RAN.replace("snippet: 1", "snippet: 0")
    assert problems(load(tmp_path, lesson_text("```python\nx = 1\n```", bad))) == [
        (16, "checkpoint 'ran': snippet: must be a snippet number, 1 or more")
    ]


def test_setup_code_is_read_and_compiled_and_solution_code_is_gone(tmp_path):
    step = "    setupCode: |\n      import json\n"
    lesson = load(tmp_path, lesson_text("```python\ny = 2\n```", step=step))
    assert isinstance(lesson, Lesson), getattr(lesson, "problems", None)
    assert lesson.steps[0].setup_code == "import json\n"

    broken = "    setupCode: |\n      x = 1\n      def f(:\n"  # the bad line is file line 15
    assert problems(load(tmp_path, lesson_text("```python\ny = 2\n```", step=broken))) == [
        (15, "step 'one': field 'setupCode': Python syntax error: invalid syntax")
    ]
    gone = problems(load(tmp_path, lesson_text("```python\ny = 2\n```", step="    solutionCode: |\n      x = 1\n")))
    assert len(gone) == 1 and gone[0][0] == 13
    assert "field 'solutionCode' is gone in format 2" in gone[0][1] and "exercise=ID" in gone[0][1]
    empty = '    setupCode: "  "\n'
    assert problems(load(tmp_path, lesson_text("```python\ny = 2\n```", step=empty))) == [
        (13, "step 'one': field 'setupCode' must be a non-empty string of Python code")
    ]


def test_kernel_kinds_report_unknown_and_invalid_fields(tmp_path):
    checkpoints = """\
      - id: p
        kind: predicate
        expression: "len(df) > 0"
        prompt: "?"
        hints: ["a", "b"]
      - id: k
        kind: kafka
        check: commited
        topic: t
        prompt: "?"
        hints: ["a", "b"]
      - id: w
        kind: window
        variable: "windows["
        expect: [{a: 1}, {b: 2}]
        prompt: "?"
        hints: ["a", "b"]
"""
    found = problems(load(tmp_path, lesson_text("Текст.", checkpoints)))
    messages = [message for _, message in found]
    assert "checkpoint 'p': unknown field 'expression'" in messages
    assert "checkpoint 'p': missing required field 'expr'" in messages
    assert "checkpoint 'k': check: must be one of: committed, topic-has" in messages
    assert "checkpoint 'w': variable: must name a variable (or be an expression) of the kernel" in messages
    assert "checkpoint 'w': expect: row 2 has no value for a" in messages


def test_kafka_fields_depend_on_the_check(tmp_path):
    checkpoints = """\
      - id: k
        kind: kafka
        check: committed
        topic: "{user}-t"
        match: {payload.op: d}
        prompt: "?"
        hints: ["a", "b"]
"""
    messages = [m for _, m in problems(load(tmp_path, lesson_text("Текст.", checkpoints)))]
    assert messages == [
        "checkpoint 'k': group: is required for check: committed (may contain {user})",
        "checkpoint 'k': match: applies to check: topic-has only",
    ]


def test_a_checkpoint_reading_a_name_no_code_defines_is_reported(tmp_path):
    # Format 1 let this through: a step asking for `x` with nowhere to write it; the student got NameError.
    checkpoints = RAN.replace(
        "kind: ran\n        snippet: 1", 'kind: predicate\n        expr: "x == 1 and len([y for y in range(3)]) == 3"'
    )
    found = problems(load(tmp_path, lesson_text("Напишите код сами.", checkpoints)))
    assert found == [
        (
            16,
            "checkpoint 'ran': expr reads x, which no snippet, exercise or setupCode "
            "of this or an earlier step defines",
        )
    ]
    lesson = load(tmp_path, lesson_text("```python\nfor x in [1]:\n    pass\n```", checkpoints))
    assert isinstance(lesson, Lesson), getattr(lesson, "problems", None)


def test_lab_and_outage_are_validated(tmp_path):
    lesson = load(
        tmp_path,
        lesson_text(
            "```python\nx = 1\n```",
            extra="lab: {workload: false, rate: 5, seed: 3, sharedEngine: false}\n",
            step="    outage: {afterSeconds: 2, seconds: 4}\n",
        ),
    )
    assert isinstance(lesson, Lesson), getattr(lesson, "problems", None)
    assert lesson.lab == {"workload": False, "rate": 5, "seed": 3, "sharedEngine": False}
    assert lesson.steps[0].outage == Outage(2.0, 4.0)
    broken = load(
        tmp_path,
        lesson_text(
            "```python\nx = 1\n```",
            extra="lab: {workload: 1, speed: 2, sharedEngine: no-thanks}\n",
            step="    outage: {afterSeconds: -1}\n",
        ),
    )
    assert problems(broken) == [
        (10, "lab: unknown field 'speed' (did you mean 'seed'?)"),
        (10, "lab: field 'workload' must be true or false"),
        (10, "lab: field 'sharedEngine' must be true or false"),
        (14, "step 'one': outage: missing required field 'seconds'"),
        (14, "step 'one': outage: field 'afterSeconds' must be a number >= 0"),
    ]


def test_the_code_fixture_course_loads_cleanly():
    course = load_course(CODE_COURSE)
    assert course.all_problems() == []
    (lesson,) = course.lessons()
    assert [len(step.snippets) for step in lesson.steps] == [2, 2, 2]
    assert [cell.exercise for cell in lesson.steps[2].snippets] == ["", "windows"]
    assert "solution=windows" not in lesson.steps[2].text and "exercise=windows" in lesson.steps[2].text
    kinds = {cp.kind for step in lesson.steps for cp in step.checkpoints}
    assert kinds == {"ran", "predicate", "kafka", "window", "answer"}


# --- exercises (format 2): a starter fence and a solution fence, named by checkpoints -----------

JUDGE = """\
      - id: doubles
        kind: predicate
        exercise: double
        expr: "double(2) == 4"
        prompt: "double(x) удваивает."
        hints: ["a", "b"]
"""
STARTER = "```python exercise=double\ndef double(x):\n    return None  # TODO\n```"
SOLUTION = "```python solution=double\ndef double(x):\n    return x * 2\n```"


def test_an_exercise_is_a_cell_with_its_solution_hidden_from_the_text(tmp_path):
    body = "```python\nn = 2\n```\n\nДопишите:\n\n" + STARTER + "\n\n" + SOLUTION + "\n\nДальше."
    lesson = load(tmp_path, lesson_text(body, JUDGE))
    assert isinstance(lesson, Lesson), getattr(lesson, "problems", None)
    given, cell = lesson.steps[0].snippets
    assert (given.exercise, cell.index, cell.exercise) == ("", 2, "double")
    assert cell.code == "def double(x):\n    return None  # TODO\n"
    assert cell.solution == "def double(x):\n    return x * 2\n"
    assert lesson.steps[0].exercises == (cell,)
    text = lesson.steps[0].text
    assert "exercise=double" in text and "x * 2" not in text and "solution=" not in text and "Дальше." in text
    assert lesson.steps[0].checkpoints[0].spec["exercise"] == "double"


def test_an_exercise_needs_a_solution_and_a_solution_an_exercise(tmp_path):
    assert problems(load(tmp_path, lesson_text(STARTER, JUDGE))) == [
        (25, "step 'one': exercise 'double' has no solution: add a ```python solution=double fence")
    ]
    found = problems(load(tmp_path, lesson_text("```python\ndef double(x): pass\n```\n" + SOLUTION, JUDGE)))
    assert (28, "step 'one': solution for 'double', but the step has no ```python exercise=double fence") in found


def test_syntax_errors_in_starter_and_solution_are_reported_at_their_lines(tmp_path):
    bad_starter = STARTER.replace("return None", "return (")
    found = problems(load(tmp_path, lesson_text(bad_starter + "\n" + SOLUTION, JUDGE)))
    assert len(found) == 1 and found[0][0] == 27 and "the starter of exercise 'double' (cell 1)" in found[0][1]
    bad_solution = SOLUTION.replace("x * 2", "x *")
    found = problems(load(tmp_path, lesson_text(STARTER + "\n" + bad_solution, JUDGE)))
    assert len(found) == 1 and found[0][0] == 31 and "solution 'double': syntax error" in found[0][1]


def test_ids_attributes_and_checkpoint_links_are_checked(tmp_path):
    twice = STARTER + "\n" + SOLUTION + "\n" + STARTER
    assert any("duplicate exercise id 'double'" in m for _, m in problems(load(tmp_path, lesson_text(twice, JUDGE))))
    misspelt = STARTER.replace("exercise=", "exercize=")
    assert any(
        "unknown attribute 'exercize=double'" in m for _, m in problems(load(tmp_path, lesson_text(misspelt, JUDGE)))
    )
    bad_id = STARTER.replace("exercise=double", "exercise=Double_1")
    assert any("must match [a-z0-9-]+" in m for _, m in problems(load(tmp_path, lesson_text(bad_id, JUDGE))))
    other = JUDGE.replace("exercise: double", "exercise: triple")
    found = problems(load(tmp_path, lesson_text(STARTER + "\n" + SOLUTION, other)))
    assert any("step 'one' has no exercise 'triple'" in m for _, m in found)
    found = problems(load(tmp_path, lesson_text(STARTER + "\n" + SOLUTION, RAN)))
    assert found == [
        (
            24,  # RAN is a line shorter than JUDGE
            "step 'one': exercise 'double' is judged by no checkpoint: "
            "add `exercise: double` to the checkpoint that checks it",
        )
    ]


def test_a_check_of_code_only_an_exercise_writes_must_name_it(tmp_path):
    unnamed = JUDGE.replace("        exercise: double\n", "")
    found = problems(load(tmp_path, lesson_text(STARTER + "\n" + SOLUTION, unnamed)))
    assert (
        16,
        "checkpoint 'doubles': judges double, written in exercise 'double': name it (exercise: double)",
    ) in found


def test_format_1_is_refused_with_the_way_forward(tmp_path):
    found = problems(load(tmp_path, lesson_text("```python\nx = 1\n```").replace("format: 2", "format: 1")))
    assert len(found) == 1 and found[0][0] == 2
    assert "format 1 is no longer read" in found[0][1] and "'From format 1'" in found[0][1]
