"""A workshop's roster: who the students are, and the settings each one's tutor gets.

A student's name is their `user` setting: the prefix of their consumer groups, output topics and
Redis keys on the shared stack, and their row in the instructor's view.
"""

from __future__ import annotations

import json
import re

from cdc_tutor.settings import CREDENTIALS, FILE_AND_ENV

NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}\Z")
MAX_STUDENTS = 200
_CREDENTIALS = {FILE_AND_ENV[name] for name in CREDENTIALS}


class RosterError(ValueError):
    """A roster the workshop cannot use; the message says which line and why."""


def numbered(count: int, prefix: str = "student") -> list[str]:
    """student01, student02, ...: names for a workshop that has no list of its own."""
    if not 1 <= count <= MAX_STUDENTS:
        raise RosterError(f"--students must be between 1 and {MAX_STUDENTS}, not {count}")
    width = max(2, len(str(count)))
    return [f"{prefix}{number:0{width}d}" for number in range(1, count + 1)]


def read_roster(text: str) -> list[str]:
    """One student per line; blank lines and `#` comments are skipped. Names are lower-case
    letters, digits, `-` and `_`, start with a letter and are at most 32 long (they become Kafka
    topic and group prefixes); each appears once."""
    names: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        name = line.split("#", 1)[0].strip()
        if not name:
            continue
        if not NAME.match(name):
            raise RosterError(
                f"line {number}: {name!r} is not a student name (a-z first, then a-z 0-9 - _, at most 32)"
            )
        if name in names:
            raise RosterError(f"line {number}: {name!r} is listed twice")
        names.append(name)
    if not names:
        raise RosterError("the roster names no student")
    if len(names) > MAX_STUDENTS:
        raise RosterError(f"the roster names {len(names)} students; at most {MAX_STUDENTS}")
    return names


def student_settings(
    student: str, stack: dict[str, str], topic: str, share_answers: bool, kafka_password: str | None = None
) -> dict[str, str]:
    """One student's settings as environment variables: the stack's, the workshop's topic, their
    name, and on a secure stack their own Kafka user (never the stack's admin)."""
    settings = {
        **{key: value for key, value in stack.items() if key not in _CREDENTIALS},
        FILE_AND_ENV["workshop_topic"]: topic,
        FILE_AND_ENV["user"]: student,
    }
    if kafka_password:
        settings[FILE_AND_ENV["kafka_username"]] = student
        settings[FILE_AND_ENV["kafka_password"]] = kafka_password
    if share_answers:
        settings[FILE_AND_ENV["workshop_share_answers"]] = "yes"
    return settings


def as_config_toml(settings: dict[str, str]) -> str:
    """The same settings as a student's config.toml (~/.config/cdc-tutor/config.toml)."""
    keys = {variable: key for key, variable in FILE_AND_ENV.items()}
    # JSON strings are valid TOML basic strings: quotes and backslashes come out escaped.
    return "".join(f"{keys[variable]} = {json.dumps(value)}\n" for variable, value in settings.items())
