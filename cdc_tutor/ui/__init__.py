"""The Textual UI: a thin shell over the course core."""
