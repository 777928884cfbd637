"""`cdc-tutor verify [LESSON...]`: prove every checkpoint can fail and that the solutions pass.

Argument parsing and printing only: the algorithm is cdc_tutor.practice.verify, run through the
same Practice the TUI uses. One line per checkpoint; exit 1 on any failure, 2 when a LESSON is
unknown.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field

from cdc_tutor import strings

HELP = strings.VERIFY_HELP
DEFAULT_TIMEOUT = 600.0  # seconds per piece of code (a Spark job's first run takes a while)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "lesson_ids",
        nargs="*",
        metavar="LESSON",
        help=strings.VERIFY_HELP_LESSON,
    )
    parser.add_argument(
        "--step",
        default=None,
        metavar="ID",
        help=strings.VERIFY_HELP_STEP,
    )
    parser.add_argument(
        "--keep-going",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=strings.VERIFY_HELP_KEEP_GOING,
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=strings.VERIFY_HELP_TIMEOUT.format(timeout=DEFAULT_TIMEOUT),
    )
    parser.add_argument("-v", "--verbose", action="store_true", help=strings.VERIFY_HELP_VERBOSE)


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0
    lines: list[str] = field(default_factory=list)

    def line(self, ok: bool, where: str, reason: str = "") -> None:
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        text = f"PASS {where}" if ok else f"FAIL {where}: {reason}"
        self.lines.append(text)
        print(text, flush=True)


def select_lessons(course, wanted: list[str]):
    """The lessons named (all when none), or raise LookupError naming the unknown one."""
    from pathlib import Path

    everything = course.all_lessons()
    if not wanted:
        return everything
    chosen = []
    for name in wanted:
        path = Path(name).resolve() if Path(name).exists() else None
        found = [
            lesson
            for lesson in everything
            if lesson.id == name
            or lesson.id.split("/")[-1] == name
            or (path is not None and (lesson.path.resolve() == path or lesson.path.resolve().parent == path))
        ]
        if not found:
            raise LookupError(name)
        chosen.extend(lesson for lesson in found if lesson not in chosen)
    return chosen


def _echo(event) -> None:
    from cdc_tutor.kernel import ErrorOutput, StreamChunk

    if isinstance(event, StreamChunk):
        print(event.text, end="", flush=True)
    elif isinstance(event, ErrorOutput):
        print(event.traceback_plain, flush=True)


def run(args: argparse.Namespace, settings) -> int:
    from cdc_tutor.course.loader import load_course
    from cdc_tutor.practice.verify import verify_lesson

    started = time.monotonic()
    course = load_course(settings.lessons_dir)
    try:
        lessons = select_lessons(course, list(args.lesson_ids))
    except LookupError as unknown:
        print(f"cdc-tutor verify: no lesson {unknown.args[0]!r} in {settings.lessons_dir}", file=sys.stderr)
        return 2
    if not lessons:
        print(f"cdc-tutor verify: no lessons in {settings.lessons_dir}", file=sys.stderr)
        return 2
    if args.step is not None:
        lessons = [lesson for lesson in lessons if any(step.id == args.step for step in getattr(lesson, "steps", ()))]
        if not lessons:
            print(f"cdc-tutor verify: no selected lesson has a step {args.step!r}", file=sys.stderr)
            return 2
    tally = Tally()
    for lesson in lessons:
        verify_lesson(
            lesson,
            settings,
            tally.line,
            only_step=args.step,
            timeout=args.timeout,
            echo=_echo if args.verbose else None,
        )
        if tally.failed and not args.keep_going:
            break
    seconds = time.monotonic() - started
    verdict = "OK" if not tally.failed else "FAILED"
    print(
        f"verify {verdict}: {tally.passed} passed, {tally.failed} failed, {len(lessons)} lesson(s) in {seconds:.1f} s"
    )
    return 1 if tally.failed else 0
