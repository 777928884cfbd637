"""Runnable cells: the ```python fences of a step's section (given snippets, exercises and their
solutions), code fields, and their syntax checks for lint."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cdc_tutor.course.model import Snippet
from cdc_tutor.course.values import nonempty_str

if TYPE_CHECKING:  # at run time only the lesson parser passes these in: checks need no PyYAML
    from cdc_tutor.course.frontmatter import Checker, FieldNodes, YamlMapping

SNIPPET_INFO = "python"
"""The info string that makes a fence runnable; show code that must not run as `text`."""

EXERCISE_ROLES = ("exercise", "solution")
_EXERCISE_ID = re.compile(r"^[a-z0-9-]+$")
_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
# IPython syntax a snippet may use: line magics, cell magics, shell escapes.
_IPYTHON_LINE = re.compile(r"^(?P<indent>\s*)(%|!)")
_COMPILE_FLAGS = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT  # IPython runs top-level `await`


@dataclass(frozen=True)
class PythonFence:
    """One ```python fence of a step's section, as written."""

    role: str  # "snippet" (given code), "exercise" (a starter) or "solution"
    name: str  # the exercise id for exercise and solution fences, "" for a snippet
    code: str
    open_index: int  # 0-based line index of the opening fence
    close_index: int  # 0-based index of the closing fence (`stop` when unclosed)


def python_fences(lines: list[str], start: int, stop: int) -> tuple[list[PythonFence], list[tuple[int, str]]]:
    """The python fences among `lines[start:stop]` (0-based indexes), and (file line, problem) for
    fences whose attributes are wrong.

    Fences follow CommonMark: up to three spaces of indentation (removed from the code lines
    too), a closing fence of the same character at least as long, and an unclosed fence runs to
    `stop`. A backtick fence's info string cannot contain a backtick. After `python`, one
    attribute may follow: `exercise=ID` or `solution=ID`.
    """
    fences: list[PythonFence] = []
    problems: list[tuple[int, str]] = []
    index = start
    while index < stop:
        opened = _OPEN.match(lines[index])
        if opened is None or (opened["fence"][0] == "`" and "`" in opened["info"]):
            index += 1
            continue
        fence, indent = opened["fence"], len(opened["indent"])
        words = opened["info"].split()
        end = index + 1
        while end < stop and not _closes(lines[end], fence):
            end += 1
        if words and words[0] == SNIPPET_INFO:
            body = [_dedent(line, indent) for line in lines[index + 1 : end]]
            code = "\n".join(body).strip("\n") + "\n"
            role, name, problem = _fence_role(words[1:])
            if problem:
                problems.append((index + 1, problem))
            else:
                fences.append(PythonFence(role, name, code, index, end))
        index = end + 1
    return fences, problems


def _fence_role(attributes: list[str]) -> tuple[str, str, str]:
    """(role, exercise id, problem) from the words after `python` in a fence's info string.

    Plain words (a title) are allowed; a `key=value` word must be exercise= or solution=, so a
    misspelt `exercize=` is reported instead of silently becoming a given snippet.
    """
    pairs = [word.partition("=") for word in attributes if "=" in word]
    if not pairs:
        return "snippet", "", ""
    role, _, name = pairs[0]
    if len(pairs) > 1 or role not in EXERCISE_ROLES:
        written = " ".join(f"{key}={value}" for key, _, value in pairs)
        return (
            "",
            "",
            (
                f"python fence: unknown attribute {written!r} "
                "(write ```python, ```python exercise=ID or ```python solution=ID)"
            ),
        )
    if not _EXERCISE_ID.match(name):
        return "", "", f"python fence: {role} id {name!r} must match [a-z0-9-]+, e.g. {role}=next-offsets"
    return role, name, ""


def extract_snippets(lines: list[str], start: int, stop: int) -> list[Snippet]:
    """The runnable cells among `lines[start:stop]`, numbered 1.. in order; exercise cells get
    their solution fence's code when the section has one."""
    fences, _problems = python_fences(lines, start, stop)
    return cells_of(fences)


def cells_of(fences: Sequence[PythonFence]) -> list[Snippet]:
    solutions = {fence.name: fence.code for fence in fences if fence.role == "solution"}
    cells = [fence for fence in fences if fence.role != "solution"]
    return [
        Snippet(number, fence.code, fence.open_index + 1, fence.name, solutions.get(fence.name, ""))
        for number, fence in enumerate(cells, start=1)
    ]


def _closes(line: str, fence: str) -> bool:
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3:
        return False
    run = len(stripped) - len(stripped.lstrip(fence[0]))
    return run >= len(fence) and not stripped[run:].strip()


def _dedent(line: str, indent: int) -> str:
    removable = len(line) - len(line.lstrip(" "))
    return line[min(indent, removable) :]


def syntax_problem(code: str) -> tuple[int, str] | None:
    """(1-based line within `code`, message) of its first syntax error, or None when it compiles.

    IPython-only lines (`%magic`, `%%cell`, `!shell`) are accepted: they are replaced by `pass`
    before compiling, keeping the line numbers.
    """
    lines = code.split("\n")
    if lines and lines[0].lstrip().startswith("%%"):
        return None  # a cell magic: the rest of the cell is not Python
    source = "\n".join(_IPYTHON_LINE.sub(r"\g<indent>pass #", line) for line in lines)
    try:
        compile(source, "<snippet>", "exec", flags=_COMPILE_FLAGS, dont_inherit=True)
    except SyntaxError as error:
        message = error.msg or "invalid syntax"
        return max(1, error.lineno or 1), f"{message}"
    except ValueError as error:  # e.g. NUL bytes in the source
        return 1, str(error)
    return None


def expression_problem(expression: str) -> str | None:
    """Why `expression` is not a Python expression (for `predicate`'s `expr`), or None."""
    try:
        compile(expression, "<expr>", "eval", flags=_COMPILE_FLAGS, dont_inherit=True)
    except SyntaxError as error:
        return f"is not a Python expression: {error.msg or 'invalid syntax'}"
    except ValueError as error:
        return f"is not a Python expression: {error}"
    return None


def snippet_problems(step_id: str, snippets: Sequence[Snippet]) -> list[tuple[int, str]]:
    """(file line, message) for every snippet of a step that does not compile."""
    found = []
    for snippet in snippets:
        problem = syntax_problem(snippet.code)
        if problem is not None:
            what = (
                f"the starter of exercise '{snippet.exercise}' (cell {snippet.index})"
                if snippet.exercise
                else f"python snippet {snippet.index}"
            )
            found.append(
                (
                    snippet.line + problem[0],
                    f"step '{step_id}': {what}: syntax error: {problem[1]} "
                    "(code that must not run belongs in a `text` fence)",
                )
            )
    return found


def read_code_field(
    check: Checker, raw: YamlMapping, entries: FieldNodes, name: str, step_line: int, prefix: str
) -> str:
    """A step's Python code field (`setupCode`): "" when absent; problems to `check`."""
    if name not in raw:
        return ""
    value = raw[name]
    line = check.value_line(entries, name, step_line)
    if not nonempty_str(value):
        check.add(line, f"{prefix}field '{name}' must be a non-empty string of Python code")
        return ""
    found = syntax_problem(value)
    if found is not None:
        # A block scalar (`|`, `>`) starts on the line after its indicator.
        block = name in entries and getattr(entries[name][1], "style", None) in ("|", ">")
        check.add(line + found[0] if block else line, f"{prefix}field '{name}': Python syntax error: {found[1]}")
    code: str = value.strip("\n") + "\n"  # a str: nonempty_str passed it
    return code
