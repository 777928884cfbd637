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
        factory = None if getattr(args, "no_lab", False) else lab_factory(settings)
        CdcTutorApp(course, store, factory, settings).run()
    finally:
        store.close()
    return 0


def lab_factory(settings: Settings):
    """What the app starts in the background: the embedded lab, or the configured real broker."""

    def start():
        if settings.bootstrap_servers:
            from cdc_tutor.lab import ExternalLab
            from cdc_tutor.stack.outage import native_outage_for

            outage = native_outage_for(settings.data_dir, settings.bootstrap_servers)
            return ExternalLab(settings.bootstrap_servers, settings.postgres_dsn, outage).start()
        from cdc_tutor.lab import EmbeddedLab
        from cdc_tutor.lab_options import LabOptions

        return EmbeddedLab(LabOptions()).start()

    return start
