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

HELP = "создать окружения Flink/Spark для уроков / set up the Flink and Spark environments"

_ENGINE_NAMES = ("flink", "spark")  # literal so `--help` does not import the catalog


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "engines", nargs="+", choices=(*_ENGINE_NAMES, "all"), metavar="ENGINE",
        help="flink, spark или all / flink, spark or all",
    )
    parser.add_argument(
        "--force", action="store_true",
        help="пересоздать окружение с нуля / rebuild the environment from scratch",
    )
    parser.add_argument(
        "--maven", choices=("auto", "maven", "direct"), default=None,
        help="как получать jar: auto (Maven, если есть mvn), maven, direct (HTTPS с Maven Central) / "
             "how to fetch connector jars (env CDC_TUTOR_MAVEN)",
    )


def run(args: argparse.Namespace, settings) -> int:
    from cdc_tutor.engines.setup import SetupError, setup_engine  # lazy: keep --help cheap

    names = list(_ENGINE_NAMES) if "all" in args.engines else list(dict.fromkeys(args.engines))
    maven = args.maven or os.environ.get("CDC_TUTOR_MAVEN") or "auto"
    failed = []
    for name in names:
        try:
            setup_engine(name, settings.data_dir, force=args.force, maven=maven,
                         report=lambda line: print(line, flush=True))
        except SetupError as error:
            print(f"Ошибка: окружение {name} не создано.\n{error}", file=sys.stderr, flush=True)
            failed.append(name)
        except KeyboardInterrupt:
            print(f"\nПрервано. Повторите `cdc-tutor setup {name}`: готовое не скачается заново.",
                  file=sys.stderr)
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
