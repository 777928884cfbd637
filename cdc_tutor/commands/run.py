"""`cdc-tutor run`: start the TUI on the course and the user's progress."""

from __future__ import annotations

import argparse
from functools import partial

from cdc_tutor import strings
from cdc_tutor.settings import Settings

HELP = "start the tutor"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-lab", action="store_true", help=strings.RUN_HELP_NO_LAB)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from cdc_tutor.course.cache import load_course_cached
    from cdc_tutor.course.progress import ProgressStore
    from cdc_tutor.ui.app import CdcTutorApp

    # A warm start reads the parsed course from one private file (no PyYAML, no parsing).
    course = load_course_cached(settings.lessons_dir, settings.data_dir / "cache")
    store = ProgressStore.open(settings.progress_path)
    try:
        factory = None if getattr(args, "no_lab", False) else lab_factory(settings)
        from cdc_tutor.lab import lab_key

        CdcTutorApp(course, store, factory, settings, lab_key=partial(lab_key, settings)).run()
    finally:
        store.close()
    return 0


def lab_factory(settings: Settings):
    """What the app opens in the background: the lab a lesson asks for (cdc_tutor.lab.open_lab)."""
    from cdc_tutor.lab import open_lab

    return partial(open_lab, settings)
