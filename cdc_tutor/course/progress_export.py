"""The progress export document: its format, building it, and strict validation on import."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from cdc_tutor import strings
from cdc_tutor.course.progress_file import COLUMNS

EXPORT_FORMAT = "cdc-tutor-progress"
EXPORT_VERSION = 1
MAX_COUNT = 1_000_000  # upper bound accepted on import for failures and hint levels
MAX_ANSWER_CHARS = 100_000


class ProgressImportError(ValueError):
    """A progress document that cannot be imported; the message is English, then Russian."""

    def __init__(self, where: str, english: str, russian: str):
        self.where = where
        self.english = english
        self.russian = russian
        location = f"{where}: " if where else ""
        super().__init__(
            f"Invalid progress document: {location}{english}. / "
            + strings.PROGRESS_IMPORT_INVALID.format(location=location, reason=russian)
        )


def export_document(rows: list[tuple[Any, ...]], exported_at: str) -> dict[str, Any]:
    """The document for `rows` (one tuple of COLUMNS per record), as `validate_export` accepts."""
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": exported_at,
        "records": [dict(zip(COLUMNS, row)) for row in rows],
    }


def validate_export(data: Any) -> list[dict[str, Any]]:
    """The records of a progress document, checked strictly; raises ProgressImportError."""
    if not isinstance(data, dict):
        raise ProgressImportError("", "the document must be a JSON object", strings.PROGRESS_IMPORT_NOT_OBJECT)
    expected = {"format", "version", "exported_at", "records"}
    _exact_keys(data, expected, "")
    if data["format"] != EXPORT_FORMAT:
        raise ProgressImportError(
            "format",
            f"must be {EXPORT_FORMAT!r}, got {data['format']!r}",
            strings.PROGRESS_IMPORT_FORMAT.format(expected=EXPORT_FORMAT, got=data["format"]),
        )
    if not _is_int(data["version"]) or data["version"] != EXPORT_VERSION:
        raise ProgressImportError(
            "version",
            f"unsupported version {data['version']!r} (this tutor reads {EXPORT_VERSION})",
            strings.PROGRESS_IMPORT_VERSION.format(got=data["version"], expected=EXPORT_VERSION),
        )
    if not _is_timestamp(data["exported_at"]):
        raise ProgressImportError("exported_at", "must be an ISO 8601 timestamp", strings.PROGRESS_IMPORT_TIMESTAMP)
    records = data["records"]
    if not isinstance(records, list):
        raise ProgressImportError("records", "must be a list", strings.PROGRESS_IMPORT_LIST)
    seen: set[tuple[str, str, str]] = set()
    checked: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        where = f"records[{index}]"
        if not isinstance(record, dict):
            raise ProgressImportError(where, "must be an object", strings.PROGRESS_IMPORT_RECORD)
        _exact_keys(record, set(COLUMNS), where)
        for column in ("lesson_id", "step_id", "checkpoint_id"):
            value = record[column]
            if not isinstance(value, str) or not value.strip() or len(value) > 500:
                raise ProgressImportError(
                    f"{where}.{column}", "must be a non-empty string", strings.PROGRESS_IMPORT_NONEMPTY
                )
        if record["passed_at"] is not None and not _is_timestamp(record["passed_at"]):
            raise ProgressImportError(
                f"{where}.passed_at",
                "must be null or an ISO 8601 timestamp",
                strings.PROGRESS_IMPORT_NULL_OR_TIMESTAMP,
            )
        for column in ("failures", "hint_level"):
            value = record[column]
            if not _is_int(value) or not 0 <= value <= MAX_COUNT:
                raise ProgressImportError(
                    f"{where}.{column}",
                    f"must be an integer from 0 to {MAX_COUNT}",
                    strings.PROGRESS_IMPORT_COUNT.format(maximum=MAX_COUNT),
                )
        answer = record["last_answer"]
        if answer is not None and (not isinstance(answer, str) or len(answer) > MAX_ANSWER_CHARS):
            raise ProgressImportError(
                f"{where}.last_answer",
                f"must be null or a string of at most {MAX_ANSWER_CHARS} characters",
                strings.PROGRESS_IMPORT_ANSWER.format(maximum=MAX_ANSWER_CHARS),
            )
        key = (record["lesson_id"], record["step_id"], record["checkpoint_id"])
        if key in seen:
            raise ProgressImportError(
                where,
                f"duplicate record for {'/'.join(key)}",
                strings.PROGRESS_IMPORT_DUPLICATE.format(key="/".join(key)),
            )
        seen.add(key)
        checked.append({column: record[column] for column in COLUMNS})
    return checked


def _exact_keys(obj: dict[Any, Any], expected: set[str], where: str) -> None:
    missing = sorted(expected - obj.keys())
    unknown = sorted(str(key) for key in obj.keys() - expected)
    if missing:
        raise ProgressImportError(
            where,
            f"missing field(s) {', '.join(missing)}",
            strings.PROGRESS_IMPORT_MISSING.format(fields=", ".join(missing)),
        )
    if unknown:
        raise ProgressImportError(
            where,
            f"unknown field(s) {', '.join(unknown)}",
            strings.PROGRESS_IMPORT_UNKNOWN.format(fields=", ".join(unknown)),
        )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_timestamp(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 64:
        return False
    try:
        _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
