"""Banned spellings (lessons/STYLE.md): which prose of a lesson file is read, and `cdc-tutor lint` reports them."""

from __future__ import annotations

import shutil
from pathlib import Path

from cdc_tutor.cli import main
from cdc_tutor.course.lint import lint_path
from cdc_tutor.course.style import BANNED, style_problems
from cdc_tutor.settings import bundled_lessons_dir

COURSE = Path(__file__).resolve().parent.parent / "fixtures" / "course"

LESSON = """---
format: 2
title: "Снапшот и offsets"
description: "Все topics"
order: 1
difficulty: beginner
estimatedTime: 5
topics: [partitions, offsets]
prerequisites: []
steps:
  - id: one
    title: "Шаг"
    setupCode: |
      offsets = {}  # code: never prose
      print("партиция")
    checkpoints:
      - id: a
        kind: predicate
        expr: "len(offsets) == 0"
        message: "Где committed offsets?"
        prompt: "Посчитайте tombstone'ы (tombstones.on.delete=true) и `tombstones`."
        hints:
          - "Смотрите на смещение."
          - "Второй намёк без ошибок."
      - id: b
        kind: answer
        prompt: "Как называется запись с value null?"
        answers: ["tombstone", "томбстоун"]
        hints:
          - "Первый."
          - "Второй."
    solution: |
      Прочитайте батч.

      ```python
      offsets = {}
      ```

      Конец решения про consumers.
---

Введение: стенд и TOPICS.

<!-- step: one -->
## Шаг

```python
offsets = {}  # партиция
```

Текст про `offsets` и про offsets; коммитим, но не коммиты.
"""


def found(text: str) -> list[tuple[int, str]]:
    return [(p.line, p.message.split("«")[1].split("»")[0]) for p in style_problems(Path("lesson.md"), text)]


def test_prose_is_read_and_code_identifiers_and_answers_are_not():
    assert found(LESSON) == [
        (3, "Снапшот"),
        (3, "offsets"),
        (4, "topics"),
        (20, "offsets"),
        (23, "смещение"),
        (33, "батч"),
        (39, "consumers"),
        (42, "стенд"),
        (51, "offsets"),
        (51, "коммиты"),
    ]


def test_the_message_names_the_spelling_to_use():
    problem = style_problems(Path("lesson.md"), "---\ntitle: x\n---\n\nВсе partitions тут.\n")[0]
    assert problem.line == 5
    assert "«partitions»" in problem.message
    assert "partition'ы" in problem.message
    assert "lessons/STYLE.md" in problem.message


def test_every_banned_pattern_is_caught_in_a_sentence():
    samples = {
        "offsets": "offsets",
        "partitions": "partitions",
        "topics": "topics",
        "tombstones": "tombstones",
        "commits": "commits",
        "consumers": "consumers",
        r"смещени\w*": "смещения",
        r"партици\w*": "партиции",
        r"топик\w*": "топика",
        r"коммит(?:а|у|ом|е|ы|ов|ам|ами|ах)?": "коммита",
        r"снапшот\w*": "снапшоте",
        r"снэпшот\w*": "снэпшот",
        r"батч\w*": "батчами",
        r"томбстоун\w*": "томбстоуны",
        r"kernel(?:'\w+)?": "kernel'е",
        r"стенд\w*": "стенде",
        r"лабораторн\w*": "лабораторная",
        r"имплементир\w*": "имплементировать",
        r"консьюм\w*": "консьюмеры",
        r"поллит\w*|поллинг\w*": "поллинг",
        r"ретра\w*": "ретраить",
        r"задеплои\w*|деплои\w*": "задеплоить",
        r"запуш\w*": "запушить",
        r"дефолтн\w*": "дефолтное",
        r"в терминах": "в терминах",
    }
    assert {b.pattern for b in BANNED} == set(samples)
    for pattern, word in samples.items():
        assert found(f"---\ntitle: x\n---\n\nСлово {word} в тексте.\n") == [(5, word)], pattern


def test_verbs_and_declined_english_terms_pass():
    text = "---\ntitle: x\n---\n\nConsumer коммитит offset'ы, закоммитил commit'ы; partition'ов и topic'ов.\n"
    assert found(text) == []


def test_lint_reports_a_banned_spelling_with_its_line(tmp_path: Path):
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    lesson = course / "module-1" / "01-first-events" / "lesson.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nЗдесь стоят offsets.\n", encoding="utf-8")
    line = len(lesson.read_text(encoding="utf-8").split("\n")) - 1
    problems = lint_path(lesson)
    assert [(p.path, p.line) for p in problems] == [(lesson, line)]
    assert "«offsets»" in problems[0].message
    assert main(["lint", str(lesson)]) == 1


def test_the_bundled_lessons_follow_the_style():
    assert [str(p) for p in lint_path(bundled_lessons_dir())] == []
