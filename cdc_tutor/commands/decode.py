"""`cdc-tutor decode [FILE...] [--scale COL=N ...]`: decode Debezium message values, one JSON line each.

Each FILE (stdin when none, or `-`) holds Kafka message values as JSON documents: one per line,
one pretty-printed document, or several concatenated; a literal `null` is a tombstone. Every
message prints as one compact JSON object on stdout; a malformed one prints
`FILE:LINE:COL: problem` on stderr and the rest still decode.
Exit status: 0 all decoded, 1 some message failed, 2 a file could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cdc_tutor import strings

HELP = "decode Debezium message values to typed JSON"
_FIELDS = (
    "op",
    "table",
    "schema",
    "key",
    "before",
    "after",
    "source",
    "ts_ms",
    "ts_us",
    "ts_ns",
    "transaction",
    "message",
)
_WHITESPACE = " \t\n\r\ufeff"  # a BOM may open a file saved on Windows


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help=strings.DECODE_HELP_FILES,
    )
    parser.add_argument(
        "--scale",
        action="append",
        type=_scale,
        default=[],
        metavar="COL=N",
        help=strings.DECODE_HELP_SCALE,
    )


def _scale(text: str) -> tuple[str, int]:
    from cdc_tutor.cdc.scales import ScaleMap

    reference, equals, number = text.partition("=")
    try:
        scale = int(number.strip()) if equals else None
        if scale is None:
            raise ValueError("expected COL=N, e.g. orders.total=2")
        ScaleMap({reference.strip(): scale})  # validates the reference and the range
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from None
    return reference.strip(), scale


def run(args: argparse.Namespace, settings) -> int:
    from cdc_tutor.cdc.scales import ScaleMap

    scales = ScaleMap(dict(getattr(args, "scale", None) or []))
    status = 0
    for name in args.files or ["-"]:
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            print(f"cdc-tutor decode: {name}: {reason}", file=sys.stderr)
            status = 2
            continue
        if not decode_text(text, "<stdin>" if name == "-" else name, scales, sys.stdout, sys.stderr):
            status = max(status, 1)
    return status


def decode_text(text: str, name: str, scales, out, err) -> bool:
    """Decode every JSON document of `text`; print results to `out`, problems to `err`. All ok?"""
    from cdc_tutor.cdc.decode import DecodeError, decode_message
    from cdc_tutor.cdc.summary import json_default

    decoder = json.JSONDecoder()
    ok, position, line, line_start = True, 0, 1, 0
    while True:
        position = _skip_whitespace(text, position)
        if position >= len(text):
            return ok
        line += text.count("\n", line_start, position)  # positions -> line numbers, incrementally
        line_start = text.rfind("\n", 0, position) + 1
        where = f"{name}:{line}:{position - line_start + 1}"
        try:
            document, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            if error.lineno == line:  # name the spot; else the line the broken document began on
                where = f"{name}:{line}:{error.colno}"
            else:
                error.msg += f" (line {error.lineno} column {error.colno})"
            err.write(f"{where}: not valid JSON: {error.msg}\n")
            # Resume on the line after the one where this document began (JSON lines).
            ok, position = False, _next_line(text, position)
            continue
        except RecursionError:
            err.write(f"{where}: nested too deeply to decode\n")
            ok, position = False, _next_line(text, position)
            continue
        try:
            event = decode_message(None, None if document is None else text[position:end], scales=scales)
        except DecodeError as error:
            err.write(f"{where}: {error}\n")
            ok = False
        else:
            record = {field: getattr(event, field) for field in _FIELDS}
            try:
                out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=json_default) + "\n")
            except (RecursionError, TypeError, ValueError) as error:
                err.write(f"{where}: cannot print as JSON: {error}\n")
                ok = False
        position = end


def _skip_whitespace(text: str, position: int) -> int:
    while position < len(text) and text[position] in _WHITESPACE:
        position += 1
    return position


def _next_line(text: str, position: int) -> int:
    following = text.find("\n", position)
    return len(text) if following < 0 else following + 1
