"""Typing code into the editor key by key, as a student does (the editor auto-indents after Enter)."""

from __future__ import annotations

from cdc_tutor.ui.widgets.code_editor import INDENT, next_line_indent

# Pilot.press takes key names; these characters have names of their own.
KEY_NAMES = {" ": "space", "\t": "tab"}


async def type_code(pilot, code: str) -> None:
    """Type `code` at the cursor: characters one key each, Enter between lines, and the
    indentation the editor did not add typed (spaces) or taken back (Backspace), as a person would."""
    lines = code.rstrip("\n").split("\n")
    previous = None
    for line in lines:
        wanted = len(line) - len(line.lstrip(" "))
        if previous is not None:
            await pilot.press("enter")
            auto = len(next_line_indent(previous))
            if not line.strip():
                auto_blank = auto
                for _ in range((auto_blank + INDENT - 1) // INDENT):
                    await pilot.press("backspace")
                previous = ""
                continue
            for _ in range(max(0, auto - wanted) // INDENT):
                await pilot.press("backspace")
            for _ in range(max(0, wanted - auto)):
                await pilot.press("space")
        else:
            for _ in range(wanted):
                await pilot.press("space")
        for character in line.lstrip(" "):
            await pilot.press(KEY_NAMES.get(character, character))
        previous = line
    await pilot.pause()
