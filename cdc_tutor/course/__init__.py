"""Textual-free course core: lesson model, loader, lint, checkpoints, progress and unlocks."""
