"""The progress export document: its format, building it, and strict validation on import."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from cdc_tutor import strings
from cdc_tutor.course.progress_file import COLUMNS

EXPORT_FORMAT = "cdc-tutor-progress"
EXPORT_VERSION = 1  # a document of records only; what older tutors read, written when there is no code
CODE_VERSION = 2  # version 1 plus "code": the student's exercise files
READ_VERSIONS = (EXPORT_VERSION, CODE_VERSION)
MAX_COUNT = 1_000_000  # upper bound accepted on import for failures and hint levels
MAX_ANSWER_CHARS = 100_000
# One exercise cell, in UTF-8 bytes: practice.exercise_files.MAX_CELL_BYTES (the course layer must not
# import the practice layer, so the command passes that one and a test keeps the two equal).
MAX_CODE_BYTES = 400_000
CODE_FIELDS = ("lesson_id", "exercise_id", "text")

# Ids that become paths under <data dir>/work on import: "<module folder>/<lesson folder>" with no
# hidden or dot module folder, no separators or control characters; exercise ids as lessons write them.
_LESSON_ID = re.compile(r"^(?![._])[^/\\\s\x00-\x1f\x7f]+/\d{2}-[a-z0-9]+(-[a-z0-9]+)*$")
_EXERCISE_ID = re.compile(r"^[a-z0-9-]+$")
MAX_ID_CHARS = 200


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


def export_document(
    rows: list[tuple[Any, ...]], exported_at: str, code: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """The document for `rows` (one tuple of COLUMNS per record), as `validate_export` accepts.

    With `code` (the student's saved cells: {"lesson_id", "exercise_id", "text"}) it is version 2;
    without any, version 1, which every tutor reads."""
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": exported_at,
        "records": [dict(zip(COLUMNS, row)) for row in rows],
    }
    return with_code(document, code or [])


def with_code(document: dict[str, Any], code: list[dict[str, str]]) -> dict[str, Any]:
    """`document` (version 1) carrying the student's cells: version 2 when there are any."""
    if not code:
        return document
    cells = [{field: cell[field] for field in CODE_FIELDS} for cell in code]
    return {**document, "version": CODE_VERSION, "code": cells}


def validate_export(data: Any) -> list[dict[str, Any]]:
    """The records of a progress document, checked strictly (its code too); raises ProgressImportError."""
    records, _ = validate_document(data)
    return records


def validate_document(
    data: Any, max_code_bytes: int = MAX_CODE_BYTES
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The records and the code cells of a progress document (version 1 has none), all checked
    strictly before anything is written; raises ProgressImportError."""
    if not isinstance(data, dict):
        raise ProgressImportError("", "the document must be a JSON object", strings.PROGRESS_IMPORT_NOT_OBJECT)
    expected = {"format", "version", "exported_at", "records"}
    has_code = _is_int(data.get("version")) and data.get("version") == CODE_VERSION
    _exact_keys(data, expected | {"code"} if has_code else expected, "")
    if data["format"] != EXPORT_FORMAT:
        raise ProgressImportError(
            "format",
            f"must be {EXPORT_FORMAT!r}, got {data['format']!r}",
            strings.PROGRESS_IMPORT_FORMAT.format(expected=EXPORT_FORMAT, got=data["format"]),
        )
    if not _is_int(data["version"]) or data["version"] not in READ_VERSIONS:
        readable = ", ".join(str(version) for version in READ_VERSIONS)
        raise ProgressImportError(
            "version",
            f"unsupported version {data['version']!r} (this tutor reads {readable})",
            strings.PROGRESS_IMPORT_VERSION.format(got=data["version"], expected=readable),
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
    code = _validate_code(data["code"], max_code_bytes) if has_code else []
    return checked, code


def _validate_code(cells: Any, max_bytes: int) -> list[dict[str, str]]:
    if not isinstance(cells, list):
        raise ProgressImportError("code", "must be a list", strings.PROGRESS_IMPORT_LIST)
    seen: set[tuple[str, str]] = set()
    checked: list[dict[str, str]] = []
    for index, cell in enumerate(cells):
        where = f"code[{index}]"
        if not isinstance(cell, dict):
            raise ProgressImportError(where, "must be an object", strings.PROGRESS_IMPORT_RECORD)
        _exact_keys(cell, set(CODE_FIELDS), where)
        lesson_id, exercise_id, text = cell["lesson_id"], cell["exercise_id"], cell["text"]
        if not _is_id(lesson_id, _LESSON_ID):
            raise ProgressImportError(
                f"{where}.lesson_id",
                "must be a lesson id like module-5/01-advanced-python-consumer",
                strings.PROGRESS_IMPORT_LESSON_ID,
            )
        if not _is_id(exercise_id, _EXERCISE_ID):
            raise ProgressImportError(
                f"{where}.exercise_id",
                "must be an exercise id: lowercase letters, digits and hyphens",
                strings.PROGRESS_IMPORT_EXERCISE_ID,
            )
        try:
            size = len(text.encode("utf-8")) if isinstance(text, str) and "\x00" not in text else -1
        except UnicodeEncodeError:  # a lone surrogate ("\\ud800" in the JSON): no file can hold it
            size = -1
        if size < 0:
            raise ProgressImportError(
                f"{where}.text", "must be UTF-8 text without NUL characters", strings.PROGRESS_IMPORT_CODE_TEXT
            )
        if size > max_bytes:
            raise ProgressImportError(
                f"{where}.text",
                f"must be at most {max_bytes} bytes in UTF-8, got {size}",
                strings.PROGRESS_IMPORT_CODE_SIZE.format(maximum=max_bytes, got=size),
            )
        key = (lesson_id, exercise_id)
        if key in seen:
            raise ProgressImportError(
                where,
                f"duplicate code for {lesson_id} {exercise_id}",
                strings.PROGRESS_IMPORT_CODE_DUPLICATE.format(lesson=lesson_id, exercise=exercise_id),
            )
        seen.add(key)
        checked.append({"lesson_id": lesson_id, "exercise_id": exercise_id, "text": text})
    return checked


def _is_id(value: Any, shape: re.Pattern[str]) -> bool:
    return isinstance(value, str) and len(value) <= MAX_ID_CHARS and shape.fullmatch(value) is not None


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
