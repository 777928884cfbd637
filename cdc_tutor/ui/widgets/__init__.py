"""Textual widgets of the tutor, one per module."""
