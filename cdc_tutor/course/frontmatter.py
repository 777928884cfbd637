"""Splits a lesson file's frontmatter off and composes its YAML keeping every node's file line."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import yaml

from cdc_tutor.course.model import Problem
from cdc_tutor.course.values import suggest

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

YamlMapping: TypeAlias = dict[Any, Any]
"""A mapping as parsed YAML gives it: keys need not be strings (Checker.fields reports those)."""
FieldNodes: TypeAlias = Mapping[str, tuple[yaml.Node, yaml.Node]]
"""Field name -> (key node, value node), as Checker.fields returns it, for looking up lines."""

_DELIMITER = re.compile(r"^-{3,}[ \t]*$")  # the frontmatter fence, as python-frontmatter accepts it
# Characters YAML refuses to read (YAML 1.1 printable set, as PyYAML and libyaml enforce it).
_NOT_YAML_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def split_frontmatter(check: Checker, lines: list[str]) -> tuple[int, int] | None:
    """The 0-based indexes of the opening and closing '---' lines, or None (and a problem).

    Sets `check.first_line` to the file line of the frontmatter's first YAML line.
    """
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None or not _DELIMITER.match(lines[start]):
        check.add(1, "missing frontmatter: the file must start with a '---' line, then YAML, then '---'")
        return None
    end = next((i for i in range(start + 1, len(lines)) if _DELIMITER.match(lines[i])), None)
    if end is None:
        check.add(start + 1, "the frontmatter is not closed: add a '---' line after the YAML")
        return None
    check.first_line = start + 2  # file line of the frontmatter's first YAML line
    return start, end


class Checker:
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
        yaml_line: int = node.start_mark.line  # 0-based, within the YAML text
        return yaml_line + self.first_line

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

    def fields(
        self,
        data: YamlMapping,
        node: yaml.Node | None,
        allowed: Sequence[str] | None,
        required: Iterable[str],
        prefix: str,
        missing_line: int,
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
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
                    self.add(
                        self.line(key_node),
                        f"{prefix}duplicate field '{name}' (first at line {self.line(entries[name][0])})",
                    )
                entries[name] = (key_node, value_node)
        if allowed is not None:
            for key in data:
                if not isinstance(key, str) or key not in allowed:
                    shown = str(key)
                    line = self.line(entries[shown][0]) if shown in entries else missing_line
                    self.add(line, f"{prefix}unknown field '{shown}'" + suggest(shown, allowed))
        for name in required:
            if name not in data:
                self.add(missing_line, f"{prefix}missing required field '{name}'")
        return entries

    def value_line(self, entries: FieldNodes, name: str, default: int) -> int:
        if name in entries:
            return self.line(entries[name][1])
        return default


_PLAIN_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "bool", "null", "float"))
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


def sequence_items(node: yaml.Node) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []
