"""`cdc-tutor instructor`: the workshop's room, live from the progress topic students publish to
(`workshop_topic` in their settings; lab mode only)."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from typing import Any

from cdc_tutor import strings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topic", help=strings.INSTRUCTOR_HELP_TOPIC)


def run(args: argparse.Namespace, settings: Any) -> int:
    topic = args.topic or settings.workshop_topic
    if not (settings.bootstrap_servers and topic):
        print(strings.INSTRUCTOR_NEEDS_LAB, file=sys.stderr)
        return 2
    from cdc_tutor.kafka.progress_topic import ensure_topic, follow

    try:
        ensure_topic(settings.bootstrap_servers, topic)
    except Exception as error:  # noqa: BLE001 - a broker that is not there: say so, no traceback
        print(strings.INSTRUCTOR_NO_TOPIC.format(error=error), file=sys.stderr)
        return 1
    from cdc_tutor.ui.instructor import InstructorApp

    InstructorApp(partial(follow, settings.bootstrap_servers, topic), topic).run()
    return 0
