"""DataFrames as the kernel describes them: the frame mimetype parsed into a FrameView."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FRAME_MIME = "application/vnd.cdc-tutor.frame+json"
"""Produced in the kernel for pandas DataFrame and Series (see kernel_side.py)."""


@dataclass(frozen=True)
class FrameView:
    """A snapshot of a pandas object: its shape and dtypes, and its first rows as display strings."""

    kind: str
    """"frame" or "series" (a Series shows as one column)."""
    shape: tuple[int, ...]
    columns: list[str]
    dtypes: list[str]
    """As pandas prints them, e.g. "int64", "str" (pandas 3), "object", "datetime64[ns]"."""
    rows: list[list[str]]
    index: list[str]
    """Index labels of `rows`."""
    total_rows: int
    total_columns: int
    truncated: bool
    """True when rows or columns were left out: say so, with `total_rows`/`total_columns`."""
    name: str | None = None
    """A Series' name."""
    index_name: str | None = None

    @property
    def shown_rows(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[str]:
        """One column's shown values."""
        position = self.columns.index(name)
        return [row[position] for row in self.rows]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FrameView:
        columns = [str(c) for c in data.get("columns", [])]
        return cls(
            kind=str(data.get("kind", "frame")),
            shape=tuple(int(n) for n in data.get("shape", ())),
            columns=columns,
            dtypes=[str(d) for d in data.get("dtypes", [])],
            rows=[[str(v) for v in row] for row in data.get("rows", [])],
            index=[str(i) for i in data.get("index", [])],
            total_rows=int(data.get("total_rows", 0)),
            total_columns=int(data.get("total_columns", len(columns))),
            truncated=bool(data.get("truncated", False)),
            name=data.get("name"),
            index_name=data.get("index_name"),
        )


def frame_from_bundle(data: dict[str, Any]) -> FrameView | None:
    """The FrameView in a display bundle, if the kernel sent one (and it parses)."""
    payload = data.get(FRAME_MIME)
    if not isinstance(payload, dict):
        return None
    try:
        return FrameView.from_json(payload)
    except (TypeError, ValueError):
        return None
