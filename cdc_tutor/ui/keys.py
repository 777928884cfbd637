"""Key names as the help screen and palette show them (e.g. "f2,ctrl+k" -> "F2 / Ctrl+K")."""

from __future__ import annotations

from textual.binding import Binding


def key_label(keys: str) -> str:
    labels = []
    for key in keys.split(","):
        parts = [
            part.upper() if len(part) <= 3 and part.startswith("f") else part.capitalize()
            for part in key.strip().split("+")
        ]
        labels.append("+".join(parts))
    return " / ".join(labels)


def bindings_table(bindings: list[Binding]) -> str:
    """Markdown table rows for every binding that has a description."""
    return "\n".join(f"| {key_label(b.key)} | {b.description} |" for b in bindings if b.description)
