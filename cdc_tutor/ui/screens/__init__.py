"""Textual screens of the tutor."""
