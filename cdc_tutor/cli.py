"""Entry point of `cdc-tutor`: parses flags and dispatches to a subcommand module, lazily."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from cdc_tutor import __version__

# name -> (module under cdc_tutor.commands, one-line help); modules are imported only when run,
# so `cdc-tutor` with no subcommand pays for nothing but the TUI.
SUBCOMMANDS = {
    "run": ("run", "запустить тьютор (по умолчанию) / start the tutor (default)"),
    "lint": ("lint", "проверить уроки / validate lesson files"),
    "progress": ("progress", "прогресс: показать, экспорт, импорт / list, export, import progress"),
    "lab": ("lab", "встроенный брокер и источник CDC без тьютора / run the embedded broker and CDC source"),
    "decode": ("decode", "декодировать сообщения Debezium / decode Debezium message values"),
    "setup": ("setup", "создать окружения Flink и Spark для уроков / set up the Flink and Spark environments"),
    "verify": ("verify", "проверить решения уроков / run every lesson's solutions and checkpoints headlessly"),
    "doctor": ("doctor", "проверить, что всё нужное установлено / check everything the tutor depends on"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cdc-tutor",
        description="Терминальный тьютор по Change Data Capture (Debezium, Kafka, pandas, PyFlink, PySpark).",
    )
    parser.add_argument("--version", action="version", version=f"cdc-tutor {__version__}")
    _add_common(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _add_common(sub, suppress_defaults=True)
        _command_module(module_name).add_arguments(sub)
    return parser


def _add_common(parser: argparse.ArgumentParser, suppress_defaults: bool = False) -> None:
    # Common flags work before or after the subcommand; SUPPRESS keeps a subparser from
    # overwriting a value given before it.
    default = argparse.SUPPRESS if suppress_defaults else None
    parser.add_argument("--lessons", type=Path, default=default, metavar="DIR",
                        help="каталог уроков / lessons directory (env CDC_TUTOR_LESSONS)")
    parser.add_argument("--data-dir", type=Path, default=default, metavar="DIR",
                        help="каталог данных пользователя / per-user data directory (env CDC_TUTOR_DATA_DIR)")
    parser.add_argument("--bootstrap-servers", default=default, metavar="HOST:PORT",
                        help="настоящий брокер вместо встроенного / a real broker instead of the embedded lab "
                             "(env CDC_TUTOR_BOOTSTRAP_SERVERS)")


def _command_module(module_name: str):
    return importlib.import_module(f"cdc_tutor.commands.{module_name}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    from cdc_tutor.settings import Settings

    settings = Settings.load(lessons_dir=args.lessons, data_dir=args.data_dir,
                             bootstrap_servers=args.bootstrap_servers)
    if args.command is None:  # bare `cdc-tutor` means `cdc-tutor run`, with run's defaults
        args = parser.parse_args(["run", *argv])
    return int(_command_module(SUBCOMMANDS[args.command][0]).run(args, settings) or 0)
