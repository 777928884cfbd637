"""The `cdc-tutor decode` command: files, JSON lines, stdin, errors with positions, --scale."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cdc_tutor.cli import SUBCOMMANDS
from cdc_tutor.commands import decode

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "debezium"
FIXTURE_FILES = sorted(FIXTURES.glob("*.json"))
SCHEMALESS_DECIMAL = {
    "op": "c",
    "source": {"schema": "inventory", "table": "orders"},
    "after": {"id": 1, "total": "AdTA"},
}


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cdc-tutor decode")
    decode.add_arguments(parser)
    return parser.parse_args(list(argv))


def run(capsys, *argv: str) -> tuple[int, list[dict], list[str]]:
    status = decode.run(parse(*argv), settings=None)
    captured = capsys.readouterr()
    return status, [json.loads(line) for line in captured.out.splitlines()], captured.err.splitlines()


def test_every_fixture_file(capsys) -> None:
    status, records, errors = run(capsys, *map(str, FIXTURE_FILES))
    assert (status, errors) == (0, [])
    assert len(records) == len(FIXTURE_FILES)
    for path, record in zip(FIXTURE_FILES, records):
        document = json.loads(path.read_text("utf-8"))
        payload = document.get("payload", document)
        assert list(record) == [
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
        ]
        assert record["op"] == payload["op"] and record["table"] == payload["source"]["table"]
        assert (record["before"], record["after"]) == (payload["before"], payload["after"])
        assert record["ts_ns"] == payload.get("ts_ns")


def test_json_lines_with_a_bad_line_in_the_middle(tmp_path: Path, capsys) -> None:
    lines = [json.dumps(json.loads(path.read_text("utf-8"))) for path in FIXTURE_FILES[:4]]
    lines.insert(2, '{"op": "c", "after": ')  # line 3: cut short
    lines.insert(4, '{"op": "q"}')  # line 5: not an op
    target = tmp_path / "events.jsonl"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, records, errors = run(capsys, str(target))
    assert status == 1
    assert [record["op"] for record in records] == [json.loads(lines[index])["op"] for index in (0, 1, 3, 5)]
    assert len(errors) == 2
    assert errors[0].startswith(f"{target}:3:") and "not valid JSON" in errors[0]
    assert errors[1] == f"{target}:5:1: value is not a Debezium envelope: unknown op 'q'"


def test_concatenated_pretty_documents_and_null_tombstone(tmp_path: Path, capsys) -> None:
    target = tmp_path / "two.json"
    target.write_text(FIXTURE_FILES[0].read_text("utf-8") + "null\n" + FIXTURE_FILES[1].read_text("utf-8"))
    status, records, errors = run(capsys, str(target))
    assert (status, errors) == (0, [])
    assert [record["op"] for record in records] == ["c", "tombstone", "d"]


def test_stdin(monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", stdin(json.dumps(SCHEMALESS_DECIMAL) + "\n[]\n"))
    status, records, errors = run(capsys)
    assert status == 1 and records[0]["after"] == {"id": 1, "total": "AdTA"}
    assert errors == ["<stdin>:2:1: value is not a Debezium envelope: a JSON array, not an object"]
    monkeypatch.setattr(sys, "stdin", stdin("null"))
    assert run(capsys, "-")[:2] == (0, [run_record_tombstone()])


def stdin(text: str | bytes) -> io.TextIOWrapper:
    """A stand-in for sys.stdin with the byte stream under it, as a real one has."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")


def run_record_tombstone() -> dict:
    return {
        "op": "tombstone",
        "table": None,
        "schema": None,
        "key": None,
        "before": None,
        "after": None,
        "source": {},
        "ts_ms": None,
        "ts_us": None,
        "ts_ns": None,
        "transaction": None,
        "message": None,
    }


def test_missing_file_exits_2_and_the_others_still_decode(tmp_path: Path, capsys) -> None:
    status, records, errors = run(capsys, str(tmp_path / "nope.json"), str(FIXTURE_FILES[0]))
    assert status == 2 and len(records) == 1
    assert errors == [f"cdc-tutor decode: {tmp_path / 'nope.json'}: No such file or directory"]


def test_scale_decodes_a_schemaless_decimal(tmp_path: Path, capsys) -> None:
    target = tmp_path / "orders.json"
    target.write_text(json.dumps(SCHEMALESS_DECIMAL))
    assert run(capsys, str(target))[1][0]["after"]["total"] == "AdTA"
    for reference in ("total", "orders.total", "inventory.orders.total"):
        assert run(capsys, str(target), "--scale", f"{reference}=2")[1][0]["after"]["total"] == "1200.00"
    assert run(capsys, str(target), "--scale", "customers.total=2")[1][0]["after"]["total"] == "AdTA"


@pytest.mark.parametrize("bad", ["total", "total=x", "a.b.c.d=2", "total=5000", "=2"])
def test_bad_scale_is_an_argparse_error(bad: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse("--scale", bad)
    assert exit_info.value.code == 2 and "--scale" in capsys.readouterr().err


def test_typed_values_print_as_json_strings(tmp_path: Path, capsys) -> None:
    schema = {
        "type": "struct",
        "fields": [
            {
                "type": "struct",
                "optional": True,
                "field": "after",
                "fields": [
                    {
                        "type": "bytes",
                        "name": "org.apache.kafka.connect.data.Decimal",
                        "parameters": {"scale": "2"},
                        "field": "total",
                    },
                    {"type": "int32", "name": "io.debezium.time.Date", "field": "day"},
                    {"type": "int64", "name": "io.debezium.time.MicroTimestamp", "field": "at"},
                ],
            },
            {"type": "string", "field": "op"},
        ],
    }
    document = {"schema": schema, "payload": {"op": "c", "after": {"total": "CfY=", "day": 16816, "at": 1_000_001}}}
    target = tmp_path / "typed.json"
    target.write_text(json.dumps(document, separators=(",", ":")))
    assert run(capsys, str(target))[1][0]["after"] == {
        "total": "25.50",
        "day": "2016-01-16",
        "at": "1970-01-01T00:00:01.000001",
    }


@pytest.mark.skipif("decode" not in SUBCOMMANDS, reason="not yet registered in cli.SUBCOMMANDS")
def test_subprocess(tmp_path: Path) -> None:
    target = tmp_path / "lines.jsonl"
    target.write_text(json.dumps(SCHEMALESS_DECIMAL) + "\nnot json\n")
    result = subprocess.run(
        [sys.executable, "-m", "cdc_tutor", "decode", str(target), "--scale", "total=2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["after"]["total"] == "1200.00"
    assert result.stderr.startswith(f"{target}:2:1: not valid JSON")


# --- bad input: linear time, strict JSON out, one rule for files and stdin (issue 14) ---------------


def strict(line: str):
    return json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))


@pytest.mark.timeout(60)  # the first edition took 9.5 s for a quarter of this and never ended for 2 MB
def test_a_long_line_of_concatenated_documents_decodes_in_linear_time(monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", stdin("null " * 400_000))
    status, records, errors = run(capsys)
    assert (status, errors, len(records)) == (0, [], 400_000)


@pytest.mark.timeout(60)  # 400k such lines took the first edition 85 s
def test_many_broken_lines_are_reported_in_linear_time(monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", stdin("x\n" * 200_000 + json.dumps(SCHEMALESS_DECIMAL)))
    status, records, errors = run(capsys)
    assert status == 1 and len(errors) == 200_000 and len(records) == 1
    assert errors[-1] == "<stdin>:200000:1: not valid JSON: Expecting value"


def test_huge_numbers_and_non_json_constants_are_errors_not_tracebacks_or_infinity(tmp_path, capsys) -> None:
    envelope = json.dumps(SCHEMALESS_DECIMAL)
    lines = [
        envelope.replace('"id": 1', '"id": ' + "9" * 5000),  # past Python's int digit limit
        envelope.replace('"id": 1', '"id": 1e400'),  # a float JSON allows but cannot hold
        envelope.replace('"id": 1', '"id": NaN'),  # not JSON at all
        envelope,
    ]
    target = tmp_path / "numbers.jsonl"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, records, errors = run(capsys, str(target))
    assert status == 1 and len(records) == 1 and records[0]["after"]["id"] == 1
    assert [error.split(":")[1] for error in errors] == ["1", "2", "3"]
    assert "cannot print as JSON" in errors[1] and "NaN is not JSON" in errors[2]
    captured = decode_stdout(tmp_path, lines)
    assert all(strict(line) for line in captured.splitlines())  # never Infinity in the output


def decode_stdout(tmp_path: Path, lines: list[str]) -> str:
    target = tmp_path / "again.jsonl"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "cdc_tutor", "decode", str(target)], capture_output=True, text=True)
    assert "Traceback" not in done.stderr
    return done.stdout


def test_a_lone_surrogate_is_reported_not_a_traceback(tmp_path, capsys) -> None:
    document = dict(SCHEMALESS_DECIMAL, after={"id": 1, "total": "\ud800"})
    target = tmp_path / "surrogate.json"
    target.write_text(json.dumps(document), encoding="utf-8")  # ensure_ascii: the escape \ud800
    status, records, errors = run(capsys, str(target))
    assert (status, records) == (1, []) and "cannot print as JSON" in errors[0]


def test_invalid_utf8_is_refused_the_same_from_stdin_and_from_a_file(tmp_path, monkeypatch, capsys) -> None:
    data = json.dumps(SCHEMALESS_DECIMAL).encode().replace(b"AdTA", b"Ad\xffA")
    target = tmp_path / "latin.json"
    target.write_bytes(data)
    from_file = run(capsys, str(target))
    monkeypatch.setattr(sys, "stdin", stdin(data))
    from_stdin = run(capsys)
    assert from_file[0] == from_stdin[0] == 2
    assert "invalid start byte" in from_file[2][0] and "invalid start byte" in from_stdin[2][0]


@pytest.mark.timeout(30)
def test_only_regular_files_are_read(tmp_path, capsys) -> None:
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)  # opening it would wait for a writer forever
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")  # reading it would never end
    status, records, errors = run(capsys, str(fifo), str(zero))
    assert (status, records) == (2, [])
    assert errors == [f"cdc-tutor decode: {fifo}: not a regular file", f"cdc-tutor decode: {zero}: not a regular file"]
