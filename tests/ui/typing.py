"""Typing code into the editor key by key, as a student does (the editor auto-indents after Enter)."""

from __future__ import annotations

# Pilot.press takes key names; these characters have names of their own.
KEY_NAMES = {" ": "space", "\t": "tab"}


async def type_code(pilot, code: str) -> None:
    """Type `code` into the focused editor: one key per character, Enter between lines, and the
    indentation fixed up as a person does after Enter: Backspace while the cursor is right of where
    the line starts (the editor takes one level per press), spaces while it is left of it."""
    editor = pilot.app.focused
    for number, line in enumerate(code.rstrip("\n").split("\n")):
        if number:
            await pilot.press("enter")
        wanted = len(line) - len(line.lstrip(" ")) if line.strip() else 0
        while editor.cursor_location[1] > wanted:
            await pilot.press("backspace")
        while editor.cursor_location[1] < wanted:
            await pilot.press("space")
        for character in line.lstrip(" "):
            await pilot.press(KEY_NAMES.get(character, character))
    await pilot.pause()
