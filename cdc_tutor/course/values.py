"""Small value checks and message helpers shared by the lesson and module validators."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def os_reason(error: OSError) -> str:
    return error.strerror or error.__class__.__name__


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def has_type(value: Any, expected: type | tuple[type, ...]) -> bool:
    types = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool) and bool not in types:
        return False  # YAML's yes/no are not numbers
    return isinstance(value, types)


def type_name(expected: type | tuple[type, ...]) -> str:
    names = {
        list: "a list",
        dict: "a mapping",
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
    }
    types = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(names.get(t, t.__name__) for t in types)


def show(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def enum_message(name: str, allowed: Sequence[str], value: Any) -> str:
    return f"field '{name}' must be one of: {', '.join(allowed)} (got {show(value)})"


def suggest(name: str, known: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest known name, ignoring case, dashes and underscores."""

    def squash(text: str) -> str:
        return text.lower().replace("_", "").replace("-", "")

    import difflib  # lazily: only a misspelt name pays for it (the loader is on the start-up path)

    known = list(known)
    by_squashed = {squash(k): k for k in known}
    match = difflib.get_close_matches(squash(name), list(by_squashed), n=1, cutoff=0.6)
    return f" (did you mean '{by_squashed[match[0]]}'?)" if match else ""
