"""`cdc-tutor decode [FILE...] [--scale COL=N ...]`: decode Debezium message values, one JSON line each.

Each FILE (stdin when none, or `-`) holds Kafka message values as JSON documents: one per line,
one pretty-printed document, or several concatenated; a literal `null` is a tombstone. Every
message prints as one compact JSON object on stdout; a malformed one prints
`FILE:LINE:COL: problem` on stderr and the rest still decode. A transaction metadata event (BEGIN/END
of `provide.transaction.metadata`) prints as status, id, tx_id, event_count, data_collections, ts_ms.
Exit status: 0 all decoded, 1 some message failed, 2 a file could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys

from cdc_tutor import strings
from cdc_tutor.paths import read_input

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
_TRANSACTION_FIELDS = ("status", "id", "tx_id", "event_count", "data_collections", "ts_ms")
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


MAX_INPUT_BYTES = 256 * 1024 * 1024
"""Largest input decoded (a file or stdin): more is refused with a message, never read."""


def run(args: argparse.Namespace, settings) -> int:
    from cdc_tutor.cdc.scales import ScaleMap

    scales = ScaleMap(dict(getattr(args, "scale", None) or []))
    status = 0
    for name in args.files or ["-"]:
        try:
            text = _read_input(name)
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            print(f"cdc-tutor decode: {name}: {reason}", file=sys.stderr)
            status = 2
            continue
        if not decode_text(text, "<stdin>" if name == "-" else name, scales, sys.stdout, sys.stderr):
            status = max(status, 1)
    return status


def _read_input(name: str) -> str:
    """The input as text, by one rule for files and stdin: strict UTF-8, at most MAX_INPUT_BYTES,
    and a named file must be a regular file (not a FIFO, a device or a link to one)."""
    return read_input(name, MAX_INPUT_BYTES).decode("utf-8")


def documents(text: str):
    """The JSON documents of `text` in linear time: ("doc", line, column, raw, value) for each
    document and ("error", line, column, message) for a broken one, after which reading resumes
    on the line after the one it began on. Each line is parsed on its own; a document that runs
    past its line (pretty-printed) is parsed in a window of the text that doubles as needed. So
    no error costs more than its own neighbourhood (json's errors count lines from the start of
    the string they are given)."""
    decoder = json.JSONDecoder(parse_constant=_no_constant)
    start, number, position = 0, 1, 0  # current line: its offset in text, its number; offset in it
    while start < len(text):
        end_of_line = text.find("\n", start)
        end_of_line = len(text) if end_of_line < 0 else end_of_line
        line = text[start:end_of_line]
        moved = False
        while not moved:
            position = _skip_whitespace(line, position)
            if position >= len(line):
                break
            try:
                value, end = decoder.raw_decode(line, position)
            except json.JSONDecodeError as error:
                if error.pos < len(line.rstrip()) or end_of_line >= len(text):
                    yield "error", number, error.colno, error.msg
                    break
                found = _decode_across_lines(decoder, text, start + position)
                if isinstance(found, BaseException):  # named where the document began, as before
                    problem = _problem(found)
                    if isinstance(found, json.JSONDecodeError):
                        column = found.colno if found.lineno > 1 else position + found.colno
                        problem += f" (line {number + found.lineno - 1} column {column})"
                    yield "error", number, position + 1, problem
                    break
                value, absolute_end = found
                yield "doc", number, position + 1, text[start + position : absolute_end], value
                # Go on where the document ended: that line, from just after it.
                line_start = text.rfind("\n", start, absolute_end) + 1
                number += text.count("\n", start, line_start)
                start, position, moved = line_start, absolute_end - line_start, True
            except (ValueError, RecursionError) as error:  # e.g. an integer of 5000 digits
                yield "error", number, position + 1, _problem(error)
                break
            else:
                yield "doc", number, position + 1, line[position:end], value
                position = end
        if not moved:
            start, number, position = end_of_line + 1, number + 1, 0


def _decode_across_lines(decoder: json.JSONDecoder, text: str, at: int):
    """(value, end offset) of the document at `text[at:]`, or the error: parsed in a window that
    doubles while the document runs past it."""
    window = 64 * 1024
    while True:
        chunk = text[at : at + window]
        try:
            value, end = decoder.raw_decode(chunk, 0)
            return value, at + end
        except json.JSONDecodeError as error:
            if error.pos >= len(chunk.rstrip()) and at + window < len(text):
                window *= 2
                continue
            return error
        except (ValueError, RecursionError) as error:
            return error


def _problem(error: BaseException) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply to decode"
    if isinstance(error, json.JSONDecodeError):
        return error.msg
    return str(error)


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def decode_text(text: str, name: str, scales, out, err) -> bool:
    """Decode every JSON document of `text`; print results to `out`, problems to `err`. All ok?"""
    from cdc_tutor.cdc.decode import DecodeError, decode_record
    from cdc_tutor.cdc.event import TransactionEvent
    from cdc_tutor.cdc.summary import json_default

    ok = True
    for found in documents(text):
        if found[0] == "error":
            _kind, line, column, message = found
            err.write(f"{name}:{line}:{column}: not valid JSON: {message}\n")
            ok = False
            continue
        _kind, line, column, raw, value = found
        where = f"{name}:{line}:{column}"
        try:
            event = decode_record(None, None if value is None else raw, scales=scales)
        except DecodeError as error:
            err.write(f"{where}: {error}\n")
            ok = False
            continue
        fields = _TRANSACTION_FIELDS if isinstance(event, TransactionEvent) else _FIELDS
        record = {field: getattr(event, field) for field in fields}
        try:  # strict JSON out (no Infinity or NaN), and text that UTF-8 can carry (no lone surrogate)
            printed = json.dumps(
                record, ensure_ascii=False, separators=(",", ":"), default=json_default, allow_nan=False
            )
            printed.encode("utf-8")
        except (RecursionError, TypeError, ValueError, UnicodeEncodeError) as error:
            err.write(f"{where}: cannot print as JSON: {error}\n")
            ok = False
            continue
        out.write(printed + "\n")
    return ok


def _skip_whitespace(text: str, position: int) -> int:
    while position < len(text) and text[position] in _WHITESPACE:
        position += 1
    return position
