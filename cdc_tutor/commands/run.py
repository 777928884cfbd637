"""`cdc-tutor run`: start the TUI on the course and the user's progress."""

from __future__ import annotations

import argparse

from cdc_tutor.settings import Settings

HELP = "start the tutor"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-lab", action="store_true",
                        help="не запускать встроенную лабораторию / do not start the embedded lab")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from cdc_tutor.course.loader import load_course
    from cdc_tutor.course.progress import ProgressStore
    from cdc_tutor.ui.app import CdcTutorApp

    course = load_course(settings.lessons_dir)
    store = ProgressStore.open(settings.progress_path)
    try:
        lab_options = None
        if not getattr(args, "no_lab", False):
            from cdc_tutor.lab_options import LabOptions

            lab_options = LabOptions()
        CdcTutorApp(course, store, lab_options).run()
    finally:
        store.close()
    return 0
