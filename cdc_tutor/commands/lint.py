"""`cdc-tutor lint [PATH]`: validate lesson files, print `file:line: message` per problem.

Exit status: 0 when clean, 1 when any problem is found, 2 when PATH does not exist.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cdc_tutor import strings

HELP = "validate lesson files"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=None,
        metavar="PATH",
        help=strings.LINT_HELP_PATH,
    )


def run(args: argparse.Namespace, settings) -> int:
    path: Path = args.path if getattr(args, "path", None) is not None else settings.lessons_dir
    if not path.exists():
        print(f"cdc-tutor lint: {path}: no such file or directory", file=sys.stderr)
        return 2
    from cdc_tutor.course.lint import lint_report  # lazy: keep `cdc-tutor --help` cheap

    report = lint_report(path)
    for problem in report.problems:
        print(problem)
    if report.problems:
        files = len({problem.path for problem in report.problems})
        print(f"{len(report.problems)} problem(s) in {files} file(s)")
        return 1
    print(f"OK: {report.lessons} lessons, no problems")
    return 0
