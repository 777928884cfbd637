"""The course loader: the fixture course loads cleanly; every rule of lessons/README.md is enforced
with a precise message at the exact file line; bad input never raises."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdc_tutor.course.loader import UNKNOWN_ORDER, load_course, load_lesson
from cdc_tutor.course.model import BrokenLesson, Lesson

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
COURSE = FIXTURES / "course"
BROKEN = FIXTURES / "broken"

# A minimal valid lesson; line numbers below refer to it (the opening --- is line 1).
VALID = """\
---
format: 2
title: "Урок"
description: "Описание"
order: 1
difficulty: beginner
estimatedTime: 5
topics: [cdc]
prerequisites: []
steps:
  - id: one
    title: "Шаг"
    checkpoints:
      - id: q
        kind: answer
        prompt: "Вопрос?"
        hints: ["Подсказка.", "Ответ: c"]
        answers: ["c"]
    solution: "Ответ: c."
---
Введение.

<!-- step: one -->
Текст шага.
"""


def write_lesson(tmp_path: Path, text: str | bytes, folder: str = "01-lesson") -> Path:
    path = tmp_path / "module-1" / folder / "lesson.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def problems(lesson) -> list[tuple[int, str]]:
    assert isinstance(lesson, BrokenLesson), f"expected a broken lesson, got {lesson!r}"
    return [(p.line, p.message) for p in lesson.problems]


def relative(course_problems, root: Path) -> list[tuple[str, int, str]]:
    return [(p.path.relative_to(root).as_posix(), p.line, p.message) for p in course_problems]


# --------------------------------------------------------------------------------------------
# The valid fixture course


@pytest.fixture(scope="module")
def course():
    return load_course(COURSE)


def test_fixture_course_has_no_problems(course):
    assert course.all_problems() == []
    assert all(isinstance(lesson, Lesson) for lesson in course.all_lessons())


def test_fixture_course_modules_and_lesson_ids(course):
    assert [(m.id, m.title, m.order) for m in course.modules] == [
        ("module-1", "Модуль 1. Основы", 1),
        ("module-2", "Модуль 2. Дальше", 2),
    ]
    assert [lesson.id for lesson in course.all_lessons()] == [
        "module-1/01-first-events",
        "module-1/02-second",
        "module-2/01-later",
    ]


def test_fixture_lesson_fields(course):
    first = course.find("module-1/01-first-events")
    assert first.path == COURSE / "module-1" / "01-first-events" / "lesson.md"
    assert first.title == "Первые события"
    assert first.description == "Какие события пишет Debezium"
    assert (first.order, first.difficulty, first.estimated_time) == (1, "beginner", 5)
    assert first.topics == ("debezium", "events")
    assert first.prerequisites == ()
    assert first.engine == "python"  # the default
    assert first.live_topics == ()
    assert first.intro == "Debezium превращает каждое изменение строки в событие."

    second = course.find("module-1/02-second")
    assert second.prerequisites == ("module-1/01-first-events",)
    assert second.live_topics == ("dbserver1.inventory.customers",)
    assert course.find("module-2/01-later").prerequisites == ("module-1/02-second",)
    assert course.find("module-2/01-later").intro == ""


def test_fixture_steps_and_checkpoints(course):
    first = course.find("module-1/01-first-events")
    assert [(s.id, s.title, s.line) for s in first.steps] == [
        ("create-event", "Событие вставки", 11),
        ("update-delete", "Изменение и удаление", 22),
    ]
    assert first.steps[0].text == "Вставьте строку и посмотрите на поле `op`."
    assert first.steps[1].text == "Теперь измените строку, а потом удалите её."
    assert first.steps[0].solution == "Вставка даёт `op: c`."
    assert first.step_index("update-delete") == 1

    [insert] = first.steps[0].checkpoints
    assert (insert.id, insert.kind, insert.line) == ("op-insert", "answer", 14)
    assert insert.prompt == "Какое значение op у события вставки?"
    assert insert.hints == ("Это первая буква слова create.", "Ответ: c")
    assert dict(insert.spec) == {"answers": ["c"]}
    assert [(c.id, list(c.spec["answers"])) for c in first.steps[1].checkpoints] == [
        ("op-update", ["u", "update"]),
        ("op-delete", ["d"]),
    ]
    assert [c.spec["answers"] for c in course.find("module-1/02-second").steps[0].checkpoints] == [["42"]]


def test_fixture_answers_are_spelled_out_in_the_last_hint(course):
    # The fixture's contract for UI tests: every accepted answer is readable in the hints.
    for lesson in course.lessons():
        for step in lesson.steps:
            for checkpoint in step.checkpoints:
                assert checkpoint.spec["answers"][0] in checkpoint.hints[-1], checkpoint.id


def test_load_lesson_accepts_the_folder_or_the_file():
    folder = COURSE / "module-1" / "02-second"
    by_folder = load_lesson(folder, "module-1/02-second")
    by_file = load_lesson(folder / "lesson.md", "module-1/02-second")
    assert isinstance(by_folder, Lesson)
    assert by_folder == by_file
    assert by_folder.id == "module-1/02-second"


# --------------------------------------------------------------------------------------------
# One broken lesson per class of error (tests/fixtures/broken/lessons/module-1)

EXPECTED_LESSON_PROBLEMS = {
    "01-unknown-fields": [
        (1, "missing required field 'estimatedTime'"),
        (7, "unknown field 'estimated_time' (did you mean 'estimatedTime'?)"),
        (11, "step 'one': missing required field 'title'"),
        (12, "step 'one': unknown field 'titel' (did you mean 'title'?)"),
        (14, "checkpoint 'q': missing required field 'answers'"),
        (18, "checkpoint 'q': unknown field 'answer' (did you mean 'answers'?)"),
    ],
    "02-bad-values": [
        (2, "field 'format' must be an integer"),
        (3, "field 'title' must be a non-empty string"),
        (4, "field 'description' must be a non-empty string"),
        (5, "field 'order' must be an integer >= 0"),  # `true` is a bool, not an int
        (6, "field 'difficulty' must be one of: beginner, intermediate, advanced (got 'expert')"),
        (7, "field 'estimatedTime' must be a positive integer (minutes)"),
        (8, "field 'topics' must be a list (may be [])"),
        (9, "prerequisite #1 must be a lesson id such as 'module-1/01-first-events'"),
        (9, "prerequisite #2 'not an id' must be a lesson id such as 'module-1/01-first-events'"),
        (10, "field 'engine' must be one of: python, flink, spark, flink-spark (got 'java')"),
        (11, "live topic #1 'bad topic!' must be a Kafka topic name (letters, digits, '.', '_', '-')"),
    ],
    "03-bad-ids": [
        (2, "unsupported format 3 (this tutor reads format 2)"),
        (11, "step #1: id 'Step_One' must match [a-z0-9-]+"),
        (23, "checkpoint #1 of step 'two': id 'Q 1' must match [a-z0-9-]+"),
        (33, "step 'two': duplicate checkpoint id 'q' (first at line 28)"),
        (39, "duplicate step id 'two' (first at line 20)"),
    ],
    "04-no-steps": [
        (10, "a lesson needs at least one step"),
    ],
    "05-bad-steps": [
        (13, "step 'one' needs at least one checkpoint"),
        (14, "step 'one': field 'solution' must be a non-empty string"),
        (15, "step #2 must be a mapping with id, title, checkpoints and solution"),
        (16, "step 'three': missing required field 'title'"),
        (16, "step 'three': missing required field 'solution'"),
    ],
    "06-bad-checkpoints": [
        (
            15,
            "checkpoint 'unknown-kind': unknown kind 'choice' "
            "(known kinds: answer, kafka, predicate, ran, source, window)",
        ),
        (19, "checkpoint 'no-answers': missing required field 'answers'"),
        (27, "checkpoint 'empty-answers': answers: must be a non-empty list of accepted answers"),
        (32, "checkpoint 'answers-not-list': field 'answers' must be a list"),
        (36, "checkpoint 'one-hint' needs at least two hints"),
        (40, "checkpoint 'blank-hint': field 'prompt' must be a non-empty string"),
        (43, "checkpoint 'blank-hint': hint #2 must be a non-empty string"),
        (45, "checkpoint 'no-prompt': missing required field 'prompt'"),
        (49, "checkpoint #8 of step 'one' must be a mapping with id, kind, prompt and hints"),
    ],
    "07-markers": [
        (38, "step 'four' has no marker '<!-- step: four -->' in the body"),
        (53, "step marker 'one' is out of order: steps lists 'one' before 'two'"),
        # line 57 is inside a fenced code block: not a marker
        (60, "step marker for unknown step 'tree' (did you mean 'three'?)"),
        (63, "duplicate marker for step 'two' (first at line 50)"),
        (66, "empty step 'three': no text after its marker"),
    ],
    "09-no-frontmatter": [
        (1, "missing frontmatter: the file must start with a '---' line, then YAML, then '---'"),
    ],
    "10-not-mapping": [
        (1, "the frontmatter must be a YAML mapping of lesson fields"),
    ],
    "11-unclosed": [
        (1, "the frontmatter is not closed: add a '---' line after the YAML"),
    ],
}


@pytest.fixture(scope="module")
def broken_lessons():
    return load_course(BROKEN / "lessons")


@pytest.mark.parametrize("folder", sorted(EXPECTED_LESSON_PROBLEMS))
def test_broken_lesson_reports_every_problem_at_its_line(broken_lessons, folder):
    lesson = broken_lessons.find(f"module-1/{folder}")
    assert problems(lesson) == EXPECTED_LESSON_PROBLEMS[folder]
    assert all(p.path == BROKEN / "lessons" / "module-1" / folder / "lesson.md" for p in lesson.problems)


def test_yaml_syntax_error_points_at_the_error_line(broken_lessons):
    [(line, message)] = problems(broken_lessons.find("module-1/08-yaml-error"))
    assert line == 4  # `description: Двоеточие без кавычек: ломает YAML`
    assert message.startswith("invalid YAML: mapping values are not allowed")


def test_broken_lesson_title_and_order_are_best_effort(broken_lessons):
    readable = broken_lessons.find("module-1/01-unknown-fields")
    assert (readable.title, readable.order) == ("Неизвестные поля", 1)
    unreadable = broken_lessons.find("module-1/02-bad-values")  # title: 5, order: true
    assert (unreadable.title, unreadable.order) == ("02-bad-values", UNKNOWN_ORDER)
    no_yaml = broken_lessons.find("module-1/09-no-frontmatter")
    assert (no_yaml.title, no_yaml.order) == ("09-no-frontmatter", UNKNOWN_ORDER)
    # sorted by (order, id): lessons without a readable order come last
    ids = [lesson.id.split("/")[1] for lesson in broken_lessons.all_lessons()]
    assert ids[:6] == [
        "01-unknown-fields",
        "03-bad-ids",
        "04-no-steps",
        "05-bad-steps",
        "06-bad-checkpoints",
        "07-markers",
    ]
    assert ids[6:] == ["02-bad-values", "08-yaml-error", "09-no-frontmatter", "10-not-mapping", "11-unclosed"]
    assert broken_lessons.problems == ()


# --------------------------------------------------------------------------------------------
# Course-level checks


def test_unknown_and_cyclic_prerequisites_break_the_lessons():
    course = load_course(BROKEN / "prerequisites")
    got = {lesson.id: problems(lesson) for lesson in course.all_lessons() if isinstance(lesson, BrokenLesson)}
    assert got == {
        "module-1/01-unknown": [
            (9, "unknown prerequisite 'module-1/03-cycle-k' (did you mean 'module-1/03-cycle-c'?)"),
        ],
        "module-1/02-cycle-b": [  # the cycle's edge is the second list item, on line 11
            (11, "cyclic prerequisite: module-1/02-cycle-b -> module-1/03-cycle-c -> module-1/02-cycle-b"),
        ],
        "module-1/03-cycle-c": [
            (9, "cyclic prerequisite: module-1/03-cycle-c -> module-1/02-cycle-b -> module-1/03-cycle-c"),
        ],
        "module-1/04-self": [
            (9, "cyclic prerequisite: module-1/04-self -> module-1/04-self"),
        ],
    }
    # depending on a lesson of a cycle is not itself a cycle
    assert isinstance(course.find("module-1/05-after-cycle"), Lesson)
    assert course.problems == ()


def test_duplicate_order_is_a_course_problem_and_lessons_stay_usable():
    root = BROKEN / "duplicate-order"
    course = load_course(root)
    assert relative(course.problems, root) == [
        ("module-1/01-a/lesson.md", 5, "order 1 is also used by module-1/02-b, module-1/04-d"),
        ("module-1/02-b/lesson.md", 5, "order 1 is also used by module-1/01-a, module-1/04-d"),
        ("module-1/04-d/lesson.md", 5, "order 1 is also used by module-1/01-a, module-1/02-b"),
    ]
    assert all(isinstance(lesson, Lesson) for lesson in course.all_lessons())
    # sorted by (order, id)
    assert [lesson.id for lesson in course.all_lessons()] == [
        "module-1/01-a",
        "module-1/02-b",
        "module-1/04-d",
        "module-1/03-c",
    ]


def test_layout_problems_module_yaml_and_skipped_folders():
    root = BROKEN / "layout"
    course = load_course(root)
    assert relative(course.problems, root) == [
        ("module-a/02-no-lesson-file", 0, "lesson folder '02-no-lesson-file' has no lesson.md; folder skipped"),
        (
            "module-a/3-bad-name/lesson.md",
            0,
            "lesson folder '3-bad-name' must be named NN-slug (two digits, dash, lowercase words joined by "
            "dashes, e.g. 01-first-events); folder skipped",
        ),
        ("module-a/module.yaml", 0, "missing module.yaml (title and order); using the folder name"),
        ("module-b/module.yaml", 1, "field 'title' must be a non-empty string"),
        ("module-b/module.yaml", 2, "field 'order' must be an integer >= 0"),
        ("module-b/module.yaml", 3, "unknown field 'colour'"),
        ("module-c/module.yaml", 2, "invalid YAML: while parsing a flow sequence did not find expected ',' or ']'"),
        ("module-d/module.yaml", 1, "module.yaml must be a mapping with title and order"),
        ("module-e/module.yaml", 1, "missing required field 'title'"),
    ]
    # bad module.yaml: folder name as title, order large (sorted last, by id); `_assets` skipped
    assert [(m.id, m.title, m.order) for m in course.modules] == [
        ("module-e", "module-e", 0),
        ("module-a", "module-a", UNKNOWN_ORDER),
        ("module-b", "module-b", UNKNOWN_ORDER),
        ("module-c", "module-c", UNKNOWN_ORDER),
        ("module-d", "module-d", UNKNOWN_ORDER),
    ]
    # the modules' lessons still load; `_drafts` and `.hidden` are skipped
    assert [lesson.id for lesson in course.lessons()] == ["module-a/01-ok", "module-b/01-ok", "module-c/01-ok"]
    assert course.all_problems() == list(course.problems)


def test_missing_root_is_a_problem_not_an_exception(tmp_path):
    course = load_course(tmp_path / "nope")
    assert course.modules == ()
    assert [(p.path, p.line) for p in course.problems] == [(tmp_path / "nope", 0)]
    assert course.problems[0].message.startswith("cannot read the lessons directory")


# --------------------------------------------------------------------------------------------
# Single-file edge cases


def test_valid_template_loads(tmp_path):
    lesson = load_lesson(write_lesson(tmp_path, VALID), "module-1/01-lesson")
    assert isinstance(lesson, Lesson)
    assert lesson.intro == "Введение."
    assert lesson.steps[0].text == "Текст шага."


def test_line_numbers_count_leading_blank_lines_and_crlf(tmp_path):
    text = "\n\n" + VALID.replace("order: 1", "order: -1").replace("\n", "\r\n")
    lesson = load_lesson(write_lesson(tmp_path, text), "module-1/01-lesson")
    assert problems(lesson) == [(7, "field 'order' must be an integer >= 0")]


def test_byte_order_mark_is_ignored(tmp_path):
    lesson = load_lesson(write_lesson(tmp_path, "\ufeff" + VALID), "module-1/01-lesson")
    assert isinstance(lesson, Lesson)


def test_non_utf8_file_is_a_problem_at_the_bad_byte(tmp_path):
    raw = VALID.encode("utf-8").replace("Текст шага.".encode(), b"\xff\xfe bad")
    lesson = load_lesson(write_lesson(tmp_path, raw), "module-1/01-lesson")
    assert problems(lesson) == [
        (24, "not UTF-8 text: byte 0xff cannot be decoded; save the file as UTF-8"),
    ]
    assert lesson.title == "01-lesson"


def test_unreadable_lesson_file_is_a_problem(tmp_path):
    path = tmp_path / "module-1" / "01-lesson" / "lesson.md"
    path.mkdir(parents=True)  # a folder where the file should be: reading it fails
    lesson = load_lesson(path, "module-1/01-lesson")
    [(line, message)] = problems(lesson)
    assert line == 0
    assert message.startswith("cannot read lesson.md: ")


def test_control_character_in_frontmatter_is_a_yaml_problem_at_its_line(tmp_path):
    text = VALID.replace('title: "Урок"', 'title: "Ур\x00ок"')
    lesson = load_lesson(write_lesson(tmp_path, text), "module-1/01-lesson")
    assert problems(lesson) == [(3, "invalid YAML: character U+0000 is not allowed")]


def test_yaml_error_at_end_of_frontmatter_points_inside_it(tmp_path):
    text = VALID.replace('    solution: "Ответ: c."\n', "    solution: [unclosed\n")
    lesson = load_lesson(write_lesson(tmp_path, text), "module-1/01-lesson")
    [(line, message)] = problems(lesson)
    assert line == 19  # the last frontmatter line, never the closing --- or beyond
    assert message.startswith("invalid YAML: ")


def test_unknown_yaml_tag_is_a_problem(tmp_path):
    text = VALID.replace('description: "Описание"', "description: !python/name:os.system x")
    lesson = load_lesson(write_lesson(tmp_path, text), "module-1/01-lesson")
    [(line, message)] = problems(lesson)
    assert line == 4
    assert message.startswith("invalid YAML: ")


def test_duplicate_key_is_a_problem(tmp_path):
    text = VALID.replace("order: 1\n", "order: 1\norder: 2\n")
    lesson = load_lesson(write_lesson(tmp_path, text), "module-1/01-lesson")
    assert problems(lesson) == [(6, "duplicate field 'order' (first at line 5)")]


def test_bool_is_not_an_integer(tmp_path):
    text = VALID.replace("estimatedTime: 5", "estimatedTime: yes")
    lesson = load_lesson(write_lesson(tmp_path, text), "module-1/01-lesson")
    assert problems(lesson) == [(7, "field 'estimatedTime' must be a positive integer (minutes)")]


def test_anchors_aliases_and_merge_keys_are_understood(tmp_path):
    text = VALID.replace(
        '        hints: ["Подсказка.", "Ответ: c"]\n        answers: ["c"]\n',
        '        hints: &hints ["Подсказка.", "Ответ: c"]\n        answers: ["c"]\n'
        '      - <<: {kind: answer, prompt: "Ещё?"}\n        id: r\n        hints: *hints\n        answers: ["d"]\n',
    )
    lesson = load_lesson(write_lesson(tmp_path, text), "module-1/01-lesson")
    assert isinstance(lesson, Lesson), lesson
    second = lesson.steps[0].checkpoints[1]
    assert (second.id, second.kind, second.prompt, second.hints) == ("r", "answer", "Ещё?", ("Подсказка.", "Ответ: c"))


def test_markers_inside_tilde_fences_are_ignored(tmp_path):
    text = VALID.replace("Введение.", "Введение.\n\n~~~\n<!-- step: one -->\n~~~")
    lesson = load_lesson(write_lesson(tmp_path, text), "module-1/01-lesson")
    assert isinstance(lesson, Lesson)
    assert lesson.intro == "Введение.\n\n~~~\n<!-- step: one -->\n~~~"


def test_marker_without_id(tmp_path):
    text = VALID.replace("Текст шага.", "Текст шага.\n<!-- step: -->")
    lesson = load_lesson(write_lesson(tmp_path, text), "module-1/01-lesson")
    assert problems(lesson) == [(25, "step marker without a step id: write <!-- step: STEP-ID -->")]


def test_unknown_checkpoint_field_lists_nothing_for_unknown_kind_but_flags_the_kind(tmp_path):
    text = VALID.replace("kind: answer", "kind: answers")
    lesson = load_lesson(write_lesson(tmp_path, text), "module-1/01-lesson")
    assert problems(lesson) == [
        (15, "checkpoint 'q': unknown kind 'answers' (known kinds: answer, kafka, predicate, ran, source, window)")
    ]


def test_string_fields_must_not_be_blank_and_hints_must_be_a_list(tmp_path):
    text = VALID.replace('    title: "Шаг"', '    title: "  "').replace(
        '        hints: ["Подсказка.", "Ответ: c"]', '        hints: "Подсказка."'
    )
    lesson = load_lesson(write_lesson(tmp_path, text), "module-1/01-lesson")
    assert problems(lesson) == [
        (12, "step 'one': field 'title' must be a non-empty string"),
        (17, "checkpoint 'q' needs at least two hints"),
    ]


# --------------------------------------------------------------------------------------------
# Robustness and speed


def _check_never_raises(tmp_path: Path, content: str | bytes) -> None:
    path = write_lesson(tmp_path, content)
    lesson = load_lesson(path, "module-1/01-lesson")
    assert isinstance(lesson, (Lesson, BrokenLesson))
    if isinstance(lesson, BrokenLesson):
        assert lesson.problems
        assert all(p.path == path and p.line >= 0 for p in lesson.problems)


_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_SETTINGS
@given(st.text())
def test_arbitrary_text_never_raises(tmp_path, text):
    _check_never_raises(tmp_path, text)


@_SETTINGS
@given(st.text(), st.text())
def test_arbitrary_frontmatter_and_body_never_raise(tmp_path, frontmatter, body):
    _check_never_raises(tmp_path, f"---\n{frontmatter}\n---\n{body}")


_YAMLISH = st.lists(
    st.sampled_from(
        [
            "format: 1",
            "title: x",
            "steps:",
            "  - id: a",
            "    checkpoints:",
            "      - id: q",
            "        kind: answer",
            "        hints: [a, b]",
            "        answers: [c]",
            "    solution: s",
            "  - x",
            "- y",
            "order: 1",
            "&a [*a]",
            "a: &b {c: *b}",
            "<<: *b",
            "? [1]",
            ": 2",
            "[",
            "]",
            "{",
            "}",
            "'",
            '"',
            "!!binary x",
            "!tag y",
            "\t",
            "key: value: other",
            "...",
            "%YAML 1.1",
            "<!-- step: a -->",
            "```",
            "~~~",
            "",
        ]
    ),
    max_size=25,
)


@_SETTINGS
@given(_YAMLISH, _YAMLISH)
def test_lesson_like_garbage_never_raises(tmp_path, frontmatter_lines, body_lines):
    text = "---\n" + "\n".join(frontmatter_lines) + "\n---\n" + "\n".join(body_lines)
    _check_never_raises(tmp_path, text)


@_SETTINGS
@given(st.binary())
def test_arbitrary_bytes_never_raise(tmp_path, data):
    _check_never_raises(tmp_path, data)


def test_recursive_yaml_never_raises(tmp_path):
    text = VALID.replace("topics: [cdc]", "topics: &t [cdc, *t]")
    lesson = load_lesson(write_lesson(tmp_path, text), "module-1/01-lesson")
    assert problems(lesson) == [(8, "topic #2 must be a non-empty string")]


def test_ten_lessons_load_fast(tmp_path):
    # The loader is on the tutor's start-up path (target: < 20 ms for 10 lessons); the bound here
    # is loose so a busy machine does not fail it, but it catches accidental quadratic work.
    source = (COURSE / "module-1" / "01-first-events" / "lesson.md").read_text(encoding="utf-8")
    for module in range(2):
        module_dir = tmp_path / f"module-{module}"
        module_dir.mkdir()
        (module_dir / "module.yaml").write_text(f'title: "M"\norder: {module}\n', encoding="utf-8")
        for index in range(5):
            lesson_dir = module_dir / f"0{index}-lesson"
            lesson_dir.mkdir()
            (lesson_dir / "lesson.md").write_text(source.replace("order: 1", f"order: {index}"), encoding="utf-8")
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        course = load_course(tmp_path)
        best = min(best, time.perf_counter() - start)
    assert len(course.lessons()) == 10
    assert course.all_problems() == []
    assert best < 0.1
