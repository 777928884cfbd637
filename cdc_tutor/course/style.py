"""Banned spellings in the Russian prose of a lesson file: one term, one spelling (lessons/STYLE.md).

Only prose is read: the Markdown body outside fenced code, and in the frontmatter the values of
`title`, `description`, `prompt`, `message`, `hints` and `solution` (outside the solution's code
fences). Inline code (`...`) is skipped, so identifiers such as `store_offsets` or `offsets` in
backticks never count; neither do `answers` (they list what a student may type, in any spelling).
`lint_path` adds these problems to the lesson's; they never make a lesson broken.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cdc_tutor.course.model import Problem

__all__ = ["BANNED", "Banned", "style_problems"]


@dataclass(frozen=True)
class Banned:
    """A spelling the course does not use, and what STYLE.md uses instead."""

    pattern: str  # a regular expression, matched case-insensitively on whole words
    use: str  # the spelling to write instead (Russian, shown in the lint message)


# The one list: lessons/STYLE.md's terminology table explains each row.
BANNED: tuple[Banned, ...] = (
    Banned(r"offsets", "offset'ы / offset'ов"),
    Banned(r"partitions", "partition'ы / partition'ов"),
    Banned(r"topics", "topic'и / topic'ов"),
    Banned(r"tombstones", "tombstone'ы / tombstone'ов"),
    Banned(r"commits", "commit'ы / commit'ов"),
    Banned(r"consumers", "consumer'ы / consumer'ов"),
    Banned(r"смещени\w*", "offset"),
    Banned(r"партици\w*", "partition"),
    Banned(r"топик\w*", "topic"),
    Banned(r"коммит(?:а|у|ом|е|ы|ов|ам|ами|ах)?", "commit (существительное); глагол — «коммитить»"),
    Banned(r"снапшот\w*", "snapshot"),
    Banned(r"снэпшот\w*", "snapshot"),
    Banned(r"батч\w*", "batch"),
    Banned(r"томбстоун\w*", "tombstone"),
    Banned(r"kernel(?:'\w+)?", "ядро (как в интерфейсе тьютора)"),
    Banned(r"стенд\w*", "лаборатория (тьютора) или tutorial-образ Debezium"),
    Banned(r"лабораторн\w*", "практика (шаг) или лаборатория (брокер и источник тьютора)"),
    # calques (STYLE.md, "Calques to avoid")
    Banned(r"имплементир\w*", "реализовать"),
    Banned(r"консьюм\w*", "consumer; глагол — «читать» (consumer читает topic)"),
    Banned(r"поллит\w*|поллинг\w*", "вызывать poll()"),
    Banned(r"ретра\w*", "повторять (вызов, попытку)"),
    Banned(r"задеплои\w*|деплои\w*", "развернуть, запустить"),
    Banned(r"запуш\w*", "записать, отправить"),
    Banned(r"дефолтн\w*", "по умолчанию"),
    Banned(r"в терминах", "«X называет это …», «с точки зрения»"),
)

# Whole words only: not part of an identifier, a config key (tombstones.on.delete) or a quoted key.
_COMPILED = tuple(
    (re.compile(rf"(?<![\w'.\[\"\\])(?:{b.pattern})(?![\w'\\\"]|\.\w)", re.IGNORECASE), b) for b in BANNED
)
_INLINE_CODE = re.compile(r"`[^`]*`")
_FENCE = re.compile(r"^\s*(```|~~~)")
_KEY = re.compile(r"^(?P<indent>\s*)(?:- )?(?P<key>[A-Za-z]+):(?P<rest>.*)$")
_PROSE_KEYS = {"title", "description", "prompt", "message", "solution"}


def style_problems(path: Path, text: str) -> list[Problem]:
    """One problem per banned spelling in the prose of a lesson file's `text`."""
    problems = []
    for line_no, prose in _prose_lines(text):
        prose = _INLINE_CODE.sub(" ", prose)
        found = [(match, banned) for regex, banned in _COMPILED for match in regex.finditer(prose)]
        for match, banned in sorted(found, key=lambda item: item[0].start()):  # in reading order
            if match.group(0).isupper():
                continue  # a constant's name (TOPICS), not prose
            message = f"style: «{match.group(0)}» is not used, write {banned.use} (lessons/STYLE.md)"
            problems.append(Problem(path, line_no, message))
    return problems


def _prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, text) of every line of prose in a lesson file."""
    lines = text.split("\n")
    body_start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), len(lines))
        yield from _frontmatter_prose(lines, 1, end)
        body_start = end + 1
    in_fence = False
    for index in range(body_start, len(lines)):
        line = lines[index]
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield index + 1, line


def _frontmatter_prose(lines: list[str], start: int, end: int) -> Iterator[tuple[int, str]]:
    block_key, block_indent = "", -1  # the key whose indented block (list or `|` scalar) we are in
    in_fence = False
    for index in range(start, end):
        line = lines[index]
        indent = len(line) - len(line.lstrip())
        if block_key and line.strip() and indent <= block_indent:
            block_key, in_fence = "", False
        if block_key:
            if block_key == "solution":
                if _FENCE.match(line):
                    in_fence = not in_fence
                elif not in_fence:
                    yield index + 1, line
            elif block_key == "hints" and line.lstrip().startswith("- "):
                yield index + 1, _unquoted(line.lstrip()[2:])
            continue
        match = _KEY.match(line)
        if not match:
            continue
        key, rest = match.group("key"), match.group("rest").strip()
        if key in ("hints", "solution") and rest in ("", "|", "|-", ">"):
            block_key, block_indent = key, len(match.group("indent")) + (2 if line.lstrip().startswith("- ") else 0)
        elif key in _PROSE_KEYS:
            yield index + 1, _unquoted(rest)


def _unquoted(value: str) -> str:
    """A one-line YAML scalar without its quotes, so that its first word counts as a word."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value
