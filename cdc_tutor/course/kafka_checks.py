"""The `kafka` checkpoint kind: a consumer group's committed offsets, or a topic holding matches.

Judged in the tutor process through `CheckContext.kafka` (cdc_tutor.kafka.state.KafkaState),
not in the kernel, so it sees what the broker really holds whatever the student's code claims.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cdc_tutor import strings
from cdc_tutor.course.check_types import CheckpointKind, FieldSpec, Verdict
from cdc_tutor.course.context import CheckContext
from cdc_tutor.course.values import nonempty_str

CHECKS = ("committed", "topic-has")
ISOLATIONS = ("read_committed", "read_uncommitted")
KEY_ROOT = "$key"  # a match path starting here looks into the message key instead of the value


def _validate_kafka(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    problems = []
    check = spec["check"]
    if check not in CHECKS:
        return [("check", f"must be one of: {', '.join(CHECKS)}")]
    if not nonempty_str(spec["topic"]):
        problems.append(("topic", "must be a topic name (may contain {user})"))
    if check == "committed":
        if not nonempty_str(spec.get("group")):
            problems.append(("group", "is required for check: committed (may contain {user})"))
        for name in ("match", "isolation"):
            if name in spec:
                problems.append((name, "applies to check: topic-has only"))
    elif "group" in spec:
        problems.append(("group", "applies to check: committed only"))
    if "atLeast" in spec and spec["atLeast"] < 1:
        problems.append(("atLeast", "must be 1 or more"))
    if "isolation" in spec and spec["isolation"] not in ISOLATIONS:
        problems.append(("isolation", f"must be one of: {', '.join(ISOLATIONS)}"))
    match = spec.get("match", {})
    if not all(isinstance(path, str) and path.strip() for path in match):
        problems.append(("match", "keys must be paths like payload.op"))
    return problems


def lookup(message: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    """(found, value) of a dotted path in a message's decoded value ($key.… in its key)."""
    parts = path.split(".")
    node: Any = message.get("value")
    if parts[0] == KEY_ROOT:
        node, parts = message.get("key"), parts[1:]
    for part in parts:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return float(actual) == float(expected)
    same: bool = actual == expected  # parsed JSON and YAML values: == gives a bool
    return same


def matcher(match: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool]:
    """A predicate over read messages: every path of `match` holds its value."""

    def matches(message: Mapping[str, Any]) -> bool:
        for path, expected in match.items():
            found, value = lookup(message, path)
            if not found or not _same(value, expected):
                return False
        return True

    return matches


def _evaluate_kafka(spec: Mapping[str, Any], submission: Any, context: CheckContext | None = None) -> Verdict:
    if context is None or context.kafka is None:
        return Verdict(False, strings.CHECK_NEEDS_LAB)
    probe = context.kafka
    topic = context.names(spec["topic"])
    at_least = spec.get("atLeast", 1)
    try:
        if spec["check"] == "committed":
            group = context.names(spec["group"])
            offsets = probe.committed(group, topic)
            if not offsets:
                return Verdict(False, strings.KAFKA_NO_COMMIT.format(group=group, topic=topic))
            total = sum(offsets.values())
            if total < at_least:
                return Verdict(
                    False, strings.KAFKA_COMMIT_LOW.format(group=group, topic=topic, total=total, at_least=at_least)
                )
            return Verdict(True)
        found = probe.count(
            topic, matcher(spec.get("match", {})), isolation=spec.get("isolation", "read_committed"), limit=at_least
        )
    except Exception as error:  # noqa: BLE001 - a broker problem is a failed check, not a crash
        return Verdict(False, strings.KAFKA_ERROR.format(error=f"{type(error).__name__}: {error}"))
    if found < at_least:
        return Verdict(False, strings.KAFKA_NO_MATCH.format(topic=topic, found=found, at_least=at_least))
    return Verdict(True)


KAFKA = CheckpointKind(
    name="kafka",
    fields={
        "check": FieldSpec(str, True, "committed (a group's committed offsets) or topic-has (matching messages)"),
        "topic": FieldSpec(str, True, "the topic; {user} is replaced by the student's prefix"),
        "group": FieldSpec(str, False, "committed: the consumer group; {user} is replaced"),
        "atLeast": FieldSpec(
            int, False, "committed: sum of committed offsets; topic-has: matching messages (default 1)"
        ),
        "match": FieldSpec(dict, False, "topic-has: JSON paths in the value ($key.… in the key) -> expected value"),
        "isolation": FieldSpec(str, False, "topic-has: read_committed (default) or read_uncommitted"),
    },
    validate=_validate_kafka,
    evaluate=_evaluate_kafka,
    needs_input=False,
    needs_context=True,
    settle_seconds=10.0,
)
