"""`cdc-tutor setup ENGINE... [--force]`: create the Flink / Spark environments lessons run in.

Each engine gets a venv with its pinned packages, ipykernel and confluent-kafka, and the official
Kafka connector jars, under <data dir>/engines/<engine>/. Re-running is a quick no-op when the
environment is complete. Exit codes: 0 every engine ready; 1 a step failed (the message says
which and what to do).
"""

from __future__ import annotations

import argparse
import os
import sys

from cdc_tutor import strings
from cdc_tutor.course.model import ENGINES

HELP = strings.SETUP_HELP

_ENGINE_NAMES = tuple(engine for engine in ENGINES if engine != "python")  # the JVM ones need a set-up


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "engines",
        nargs="+",
        choices=(*_ENGINE_NAMES, "kafka", "all"),
        metavar="ENGINE",
        help=strings.SETUP_HELP_ENGINES,
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help=strings.SETUP_HELP_FORCE,
    )
    parser.add_argument(
        "--maven",
        choices=("auto", "maven", "direct"),
        default=None,
        help=strings.SETUP_HELP_MAVEN,
    )


def run(args: argparse.Namespace, settings) -> int:
    from cdc_tutor.engines.setup import SetupError, setup_engine  # lazy: keep --help cheap
    from cdc_tutor.lab.jvm_broker import BrokerUnavailable, setup_kafka_lab

    names = list(_ENGINE_NAMES) if "all" in args.engines else list(dict.fromkeys(args.engines))
    maven = args.maven or os.environ.get("CDC_TUTOR_MAVEN") or "auto"
    failed = []
    report = lambda line: print(line, flush=True)  # noqa: E731
    # Every engine lesson runs on the real broker lab: set it up with the first engine.
    for name in [*(n for n in names if n != "kafka"), *(["kafka"] if names else [])]:
        try:
            if name == "kafka":
                setup_kafka_lab(settings.data_dir, report=report, force=args.force)
                report(strings.SETUP_KAFKA_READY)
                continue
            setup_engine(name, settings.data_dir, force=args.force, maven=maven, report=report)
        except (SetupError, BrokerUnavailable) as error:
            print(strings.SETUP_FAILED.format(name=name, error=error), file=sys.stderr, flush=True)
            failed.append(name)
        except KeyboardInterrupt:
            print(strings.SETUP_INTERRUPTED.format(name=name), file=sys.stderr)
            return 1
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    """Standalone entry (`python -m cdc_tutor.commands.setup`), same flags as the subcommand."""
    from pathlib import Path

    from cdc_tutor.settings import Settings

    parser = argparse.ArgumentParser(prog="cdc-tutor setup", description=HELP)
    parser.add_argument("--data-dir", type=Path, default=None, metavar="DIR")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args, Settings.load(data_dir=args.data_dir))


if __name__ == "__main__":
    sys.exit(main())
