"""Entry point of `cdc-tutor`: parses flags and dispatches to a subcommand module, lazily."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from cdc_tutor import __version__, strings

# name -> (module under cdc_tutor.commands, one-line help); modules are imported only when run,
# so `cdc-tutor` with no subcommand pays for nothing but the TUI.
SUBCOMMANDS = {
    "run": ("run", strings.CLI_HELP_RUN),
    "lint": ("lint", strings.CLI_HELP_LINT),
    "progress": ("progress", strings.PROGRESS_HELP),
    "lab": ("lab", strings.CLI_HELP_LAB),
    "decode": ("decode", strings.CLI_HELP_DECODE),
    "setup": ("setup", strings.CLI_HELP_SETUP),
    "verify": ("verify", strings.VERIFY_HELP),
    "doctor": ("doctor", strings.DOCTOR_HELP),
    "serve": ("serve", strings.SERVE_HELP),
    "instructor": ("instructor", strings.INSTRUCTOR_HELP),
    "workshop": ("workshop", strings.WORKSHOP_HELP),
}


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole CLI; with `argv`, only the subcommands named in it get their own arguments (the
    others are listed with their help): importing every command module cost the TUI's start-up
    about 50 ms before the first paint."""
    wanted = None if argv is None else {"run", *(word for word in argv if word in SUBCOMMANDS)}
    parser = argparse.ArgumentParser(
        prog="cdc-tutor",
        description=strings.CLI_DESCRIPTION,
    )
    parser.add_argument("--version", action="version", version=f"cdc-tutor {__version__}")
    _add_common(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _add_common(sub, suppress_defaults=True)
        if wanted is None or name in wanted:
            _command_module(module_name).add_arguments(sub)
    return parser


def _add_common(parser: argparse.ArgumentParser, suppress_defaults: bool = False) -> None:
    # Common flags work before or after the subcommand; SUPPRESS keeps a subparser from
    # overwriting a value given before it.
    default = argparse.SUPPRESS if suppress_defaults else None
    parser.add_argument(
        "--lessons",
        type=Path,
        default=default,
        metavar="DIR",
        help=strings.CLI_HELP_LESSONS,
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default,
        metavar="DIR",
        help=strings.CLI_HELP_DATA_DIR,
    )
    parser.add_argument(
        "--bootstrap-servers",
        default=default,
        metavar="HOST:PORT",
        help=strings.CLI_HELP_BOOTSTRAP_SERVERS,
    )


def _command_module(module_name: str):
    return importlib.import_module(f"cdc_tutor.commands.{module_name}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    from cdc_tutor.settings import Settings

    settings = Settings.load(lessons_dir=args.lessons, data_dir=args.data_dir, bootstrap_servers=args.bootstrap_servers)
    settings.export_credentials()
    if args.command is None:  # bare `cdc-tutor` means `cdc-tutor run`, with run's defaults
        args = parser.parse_args(["run", *argv])
    return int(_command_module(SUBCOMMANDS[args.command][0]).run(args, settings) or 0)
