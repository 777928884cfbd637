"""Changelogs (+I, -U, +U, -D) as Flink and Spark emit them, and the table they produce.

A kernel publishes a changelog as a display of mimetype CHANGELOG_MIME (`tutor.show_changelog`):

    {"version": 1, "name": "changelog", "key": ["window_start", "op"],
     "columns": ["window_start", "window_end", "op", "count"], "reset": true,
     "rows": [{"op": "+I", "values": {"window_start": "...", "op": "c", "count": 3}}, ...]}

Each row's `op` is the change kind and `values` its columns, kept apart because CDC tables have
a column named `op` too. A flat row (`{"op": "+I", "id": 1}`, every field but `op` a column) is
accepted as well. Pure Python, no Textual.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

CHANGELOG_MIME = "application/vnd.cdc-tutor.changelog+json"
OPS = ("+I", "-U", "+U", "-D")
"""insert, update-before (retract the old row), update-after (the new row), delete."""
# Flink's RowKind names (and str(RowKind.INSERT) == "+I" already), accepted as spellings.
OP_ALIASES = {"INSERT": "+I", "UPDATE_BEFORE": "-U", "UPDATE_AFTER": "+U", "DELETE": "-D"}


class ChangelogError(ValueError):
    """A changelog (or one of its rows) that cannot be applied; the message says why (English)."""


@dataclass(frozen=True)
class Change:
    """One changelog row: its change kind and its column values."""

    op: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class ChangelogPayload:
    """One published changelog (a display of CHANGELOG_MIME), parsed."""

    rows: tuple[Any, ...]
    """As published: {"op", "values"} objects or flat rows; `ChangelogTable` validates each."""
    key: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    reset: bool = True
    """Start a new table (the default); False continues the previous changelog of `name`."""
    name: str = "changelog"


def normalise_op(op: Any) -> str:
    """ "+I" for "+I", "INSERT", "RowKind.INSERT"; ChangelogError for anything else."""
    text = str(op).strip()
    text = text.rsplit(".", 1)[-1] if text.startswith("RowKind.") else text
    text = OP_ALIASES.get(text.upper(), text.upper())
    if text not in OPS:
        raise ChangelogError(f"unknown op {op!r}: expected one of {', '.join(OPS)}")
    return text


def to_change(row: Any) -> Change:
    """A published row as a Change; ChangelogError when it is neither shape."""
    if not isinstance(row, Mapping):
        raise ChangelogError(f"a changelog row must be an object, not {type(row).__name__}")
    if "values" in row and isinstance(row["values"], Mapping):
        return Change(normalise_op(row.get("op", "+I")), dict(row["values"]))
    return Change(normalise_op(row.get("op", "+I")), {k: v for k, v in row.items() if k != "op"})


def parse_payload(data: Any) -> ChangelogPayload:
    """The payload of a CHANGELOG_MIME display; ChangelogError when it is malformed."""
    if not isinstance(data, Mapping):
        raise ChangelogError("a changelog must be a JSON object with 'rows'")
    rows = data.get("rows", [])
    if not isinstance(rows, list):
        raise ChangelogError("'rows' must be a list of changelog rows")
    key, columns = data.get("key") or [], data.get("columns") or []
    for name, value in (("key", key), ("columns", columns)):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ChangelogError(f"'{name}' must be a list of column names")
    return ChangelogPayload(
        tuple(rows), tuple(key), tuple(columns), bool(data.get("reset", True)), str(data.get("name") or "changelog")
    )


def payload_from_bundle(bundle: Mapping[str, Any]) -> ChangelogPayload | None:
    """The changelog in a display's mime bundle; None when there is none or it is malformed."""
    if CHANGELOG_MIME not in bundle:
        return None
    try:
        return parse_payload(bundle[CHANGELOG_MIME])
    except ChangelogError:
        return None


@dataclass
class ChangelogTable:
    """The table a changelog produces, applied change by change.

    With a `key`, rows are identified by their key columns: +I and +U upsert, -U and -D remove
    (retracting a key that is not in the table is an error). Without a key the table is a
    multiset: +I and +U add a row, -U and -D remove one equal row.
    """

    key: tuple[str, ...] = ()
    columns: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    """The applied changes in order (what the changelog pane lists), the last `max_changes`."""
    changes_dropped: int = 0
    """Applied changes no longer in `changes` (state it: "N earlier changes not shown")."""
    errors: list[str] = field(default_factory=list)
    """Why rows given to `apply_all` could not be applied."""
    max_changes: int = 10_000
    _rows: dict[Any, dict[str, Any]] = field(default_factory=dict, repr=False)
    _next: int = field(default=0, repr=False)

    @classmethod
    def from_payload(cls, payload: ChangelogPayload | Mapping[str, Any]) -> ChangelogTable:
        """A table with the payload's rows applied (rows that cannot be go to `errors`)."""
        if not isinstance(payload, ChangelogPayload):
            payload = parse_payload(payload)
        table = cls(key=tuple(payload.key), columns=list(payload.columns))
        table.apply_all(payload.rows)
        return table

    def extend(self, payload: ChangelogPayload) -> ChangelogTable:
        """This table continued by `payload`, or a new table when the payload resets."""
        if payload.reset:
            return ChangelogTable.from_payload(payload)
        for column in payload.columns:
            if column not in self.columns:
                self.columns.append(column)
        self.apply_all(payload.rows)
        return self

    def apply(self, op: str, values: Mapping[str, Any]) -> None:
        """Apply one change; ChangelogError (and the table unchanged) when it cannot be."""
        op = normalise_op(op)
        values = dict(values)
        missing = [name for name in self.key if name not in values]
        if missing:
            raise ChangelogError(f"{op} {values!r} has no key column {', '.join(missing)}")
        if self.key:
            identity: Any = tuple(_hashable(values[name]) for name in self.key)
        else:
            identity = tuple((name, _hashable(values[name])) for name in sorted(values))
        if op in ("-U", "-D"):
            target = identity if self.key else next((k for k in self._rows if k[0] == identity), None)
            if target is None or target not in self._rows:
                raise ChangelogError(f"{op} retracts a row that is not in the table: {values!r}")
            del self._rows[target]
        elif self.key:
            self._rows[identity] = values  # upsert: +U without -U is how upsert streams update
        else:
            self._rows[(identity, self._next)] = values
            self._next += 1
        for name in values:
            if name not in self.columns:
                self.columns.append(name)
        self.changes.append(Change(op, values))
        if len(self.changes) > self.max_changes:
            excess = len(self.changes) - self.max_changes
            del self.changes[:excess]
            self.changes_dropped += excess

    def apply_row(self, row: Any) -> None:
        """Apply a published row ({"op", "values"} or flat)."""
        change = to_change(row)
        self.apply(change.op, change.values)

    def apply_all(self, rows: Iterable[Any]) -> list[str]:
        """Apply every row that can be; returns (and keeps in `errors`) why the others could not."""
        found = []
        for number, row in enumerate(rows, start=1):
            try:
                self.apply_row(row)
            except ChangelogError as error:
                found.append(f"row {number}: {error}")
        self.errors.extend(found)
        return found

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The current table in insertion order (an upsert keeps its place; -U then +U moves it last)."""
        return [dict(row) for row in self._rows.values()]

    def records(self, columns: Sequence[str] | None = None) -> list[tuple[Any, ...]]:
        """The current rows as tuples of `columns` (default: every column; missing values None)."""
        names = list(columns or self.columns)
        return [tuple(row.get(name) for name in names) for row in self._rows.values()]

    def __len__(self) -> int:
        return len(self._rows)


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _hashable(v)) for k, v in value.items()))
    return value
