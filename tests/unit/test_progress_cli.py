"""`cdc-tutor progress`: list, export, import, driven through cdc_tutor.cli.main."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest

from cdc_tutor.cli import main
from cdc_tutor.course.progress import ProgressStore

COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "course"
FIRST = "module-1/01-first-events"
SECOND = "module-1/02-second"
LATER = "module-2/01-later"
FIRST_ALL = [("create-event", "op-insert"), ("update-delete", "op-update"), ("update-delete", "op-delete")]


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def cli(data_dir, capsys):
    """Run `cdc-tutor --data-dir DATA --lessons COURSE progress ...`; returns (code, out, err)."""

    def run(*args: str):
        code = main(["--data-dir", str(data_dir), "--lessons", str(COURSE), "progress", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def open_store(data_dir: Path) -> ProgressStore:
    return ProgressStore.open(data_dir / "progress.sqlite3")


def lines_by_lesson(out: str) -> dict[str, str]:
    return {line.split()[0]: line for line in out.splitlines() if line.strip()}


def test_fixture_course_exists():
    assert (COURSE / "module-1" / "01-first-events" / "lesson.md").is_file()


def test_list_fresh(cli, data_dir):
    code, out, err = cli()
    assert code == 0 and err == ""
    rows = lines_by_lesson(out)
    assert set(rows) == {FIRST, SECOND, LATER}
    assert "Первые события" in rows[FIRST] and "открыт" in rows[FIRST] and rows[FIRST].endswith("0/3")
    assert "закрыт" in rows[SECOND] and rows[SECOND].endswith("0/1")
    assert "закрыт" in rows[LATER]
    # The data directory is created private even by a read-only command.
    assert stat.S_IMODE(os.stat(data_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(data_dir / "progress.sqlite3").st_mode) == 0o600


def test_list_shows_statuses_and_counts(cli, data_dir):
    with open_store(data_dir) as store:
        for step_id, checkpoint_id in FIRST_ALL:
            store.record_pass(FIRST, step_id, checkpoint_id)
        store.record_pass(FIRST, "removed-step", "stale")  # no longer in the lesson: ignored
    code, out, _ = cli("list")
    assert code == 0
    rows = lines_by_lesson(out)
    assert "пройден" in rows[FIRST] and rows[FIRST].endswith("3/3")
    assert "открыт" in rows[SECOND]
    assert "закрыт" in rows[LATER]

    with open_store(data_dir) as store:
        store.reset_step(FIRST, "update-delete")
        store.record_pass(FIRST, "update-delete", "op-update")
    rows = lines_by_lesson(cli()[1])
    assert "в процессе" in rows[FIRST] and rows[FIRST].endswith("2/3")
    assert "закрыт" in rows[SECOND]


def test_list_with_missing_lessons_dir(data_dir, tmp_path, capsys):
    code = main(["--data-dir", str(data_dir), "--lessons", str(tmp_path / "nowhere"), "progress"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Уроки не найдены" in err and "nowhere" in err


def test_list_flags_after_the_action(data_dir, capsys):
    code = main(["progress", "list", "--data-dir", str(data_dir), "--lessons", str(COURSE)])
    assert code == 0
    assert FIRST in capsys.readouterr().out
    assert (data_dir / "progress.sqlite3").exists()


def test_corrupt_store_notice_goes_to_stderr(cli, data_dir):
    data_dir.mkdir(mode=0o700)
    (data_dir / "progress.sqlite3").write_bytes(b"definitely not sqlite" * 100)
    code, out, err = cli()
    assert code == 0
    assert "повреждён" in err and "corrupt-" in err
    assert "повреждён" not in out
    assert len(list(data_dir.glob("progress.sqlite3.corrupt-*"))) == 1


def test_export_to_stdout(cli, data_dir):
    with open_store(data_dir) as store:
        store.record_pass(FIRST, "create-event", "op-insert")
        store.set_last_answer(FIRST, "create-event", "op-insert", "c — создание")
    for args in ((), ("-",)):
        code, out, err = cli("export", *args)
        assert code == 0 and err == ""
        document = json.loads(out)
        assert document["format"] == "cdc-tutor-progress" and document["version"] == 1
        assert [r["checkpoint_id"] for r in document["records"]] == ["op-insert"]
        assert document["records"][0]["last_answer"] == "c — создание"


def test_export_to_file_is_private(cli, data_dir, tmp_path):
    with open_store(data_dir) as store:
        store.record_pass(FIRST, "create-event", "op-insert")
    target = tmp_path / "backup.json"
    target.write_text("old")
    os.chmod(target, 0o644)
    old_umask = os.umask(0)
    try:
        code, out, _ = cli("export", str(target))
    finally:
        os.umask(old_umask)
    assert code == 0
    assert str(target) in out
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    document = json.loads(target.read_text(encoding="utf-8"))
    assert len(document["records"]) == 1

    fresh = tmp_path / "fresh.json"
    old_umask = os.umask(0)
    try:
        assert cli("export", str(fresh))[0] == 0
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o600


def test_export_to_unwritable_place(cli, tmp_path):
    (tmp_path / "file").write_text("")
    code, _, err = cli("export", str(tmp_path / "file" / "out.json"))
    assert code == 1
    assert "Не удалось записать" in err


def test_export_import_round_trip_between_data_dirs(tmp_path, capsys):
    one, two = tmp_path / "one", tmp_path / "two"
    with open_store(one) as store:
        for step_id, checkpoint_id in FIRST_ALL:
            store.record_pass(FIRST, step_id, checkpoint_id)
        store.record_failure(SECOND, "key", "key-value")
        store.set_hint_level(SECOND, "key", "key-value", 2)
    backup = tmp_path / "backup.json"
    assert main(["--data-dir", str(one), "progress", "export", str(backup)]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(two), "progress", "import", str(backup)]) == 0
    out = capsys.readouterr().out
    assert "Импортировано записей: 4" in out
    with open_store(one) as a, open_store(two) as b:
        assert a.export()["records"] == b.export()["records"]
    assert main(["--data-dir", str(two), "--lessons", str(COURSE), "progress"]) == 0
    rows = lines_by_lesson(capsys.readouterr().out)
    assert "пройден" in rows[FIRST] and "открыт" in rows[SECOND]


def test_import_merges_by_default_and_replaces_on_request(cli, data_dir, tmp_path):
    other = ProgressStore.in_memory()
    other.record_pass(SECOND, "key", "key-value")
    document = tmp_path / "other.json"
    document.write_text(json.dumps(other.export()), encoding="utf-8")

    with open_store(data_dir) as store:
        store.record_pass(FIRST, "create-event", "op-insert")
    code, out, _ = cli("import", str(document))
    assert code == 0 and "Импортировано записей: 1" in out
    with open_store(data_dir) as store:
        assert store.all_passed() == {FIRST: {("create-event", "op-insert")}, SECOND: {("key", "key-value")}}

    code, out, _ = cli("import", str(document), "--replace")
    assert code == 0 and "заменён" in out
    with open_store(data_dir) as store:
        assert store.all_passed() == {SECOND: {("key", "key-value")}}


def test_import_from_stdin(cli, data_dir, monkeypatch):
    other = ProgressStore.in_memory()
    other.record_pass(FIRST, "create-event", "op-insert")
    document = json.dumps(other.export()).encode("utf-8")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(document), encoding="utf-8"))
    code, out, _ = cli("import", "-")
    assert code == 0 and "Импортировано записей: 1" in out
    with open_store(data_dir) as store:
        assert store.passed(FIRST) == {("create-event", "op-insert")}


@pytest.mark.parametrize(
    "content, expected",
    [
        ("{not json", "не является корректным JSON"),
        ("", "не является корректным JSON"),
        ("[1, 2]", "Invalid progress document"),
        (
            json.dumps(
                {"format": "cdc-tutor-progress", "version": 7, "exported_at": "2024-01-01T00:00:00Z", "records": []}
            ),
            "version",
        ),
        (
            json.dumps(
                {
                    "format": "cdc-tutor-progress",
                    "version": 1,
                    "exported_at": "2024-01-01T00:00:00Z",
                    "records": [{"lesson_id": FIRST}],
                }
            ),
            "records[0]",
        ),
    ],
)
@pytest.mark.parametrize("replace", [False, True])
def test_bad_import_exits_2_and_leaves_store_untouched(cli, data_dir, tmp_path, content, expected, replace):
    with open_store(data_dir) as store:
        store.record_pass(FIRST, "create-event", "op-insert")
        before = store.export()["records"]
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    code, out, err = cli("import", str(bad), *(["--replace"] if replace else []))
    assert code == 2
    assert expected in err
    assert "Импортировано" not in out
    with open_store(data_dir) as store:
        assert store.export()["records"] == before


def test_import_missing_file(cli, tmp_path):
    code, _, err = cli("import", str(tmp_path / "absent.json"))
    assert code == 2
    assert "Не удалось прочитать" in err and "absent.json" in err


def test_import_into_unwritable_data_dir_reports_not_saved(tmp_path, capsys):
    (tmp_path / "blocker").write_text("")
    document = tmp_path / "doc.json"
    document.write_text(json.dumps(ProgressStore.in_memory().export()), encoding="utf-8")
    code = main(["--data-dir", str(tmp_path / "blocker" / "data"), "progress", "import", str(document)])
    err = capsys.readouterr().err
    assert code == 1
    assert "НЕ будет сохраняться" in err and "НЕ сохранён" in err


@pytest.mark.parametrize("kind", ["huge", "fifo", "stdin-huge"])
def test_an_oversized_or_irregular_import_is_refused_before_it_is_read(cli, data_dir, tmp_path, monkeypatch, kind):
    """A document over the cap (a 1 GB one used to take 3 GB of memory) or a FIFO (it blocked) is a
    clear error, exit 2, and nothing changes."""
    from cdc_tutor.commands.progress import MAX_IMPORT_BYTES

    with open_store(data_dir) as store:
        store.record_pass(FIRST, "create-event", "op-insert")
        before = store.export()["records"]
    source = tmp_path / "import.json"
    if kind == "huge":
        with open(source, "wb") as sparse:
            sparse.truncate(MAX_IMPORT_BYTES + 1)  # sparse: no disk used
    elif kind == "fifo":
        os.mkfifo(source)
    else:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b" " * (MAX_IMPORT_BYTES + 1))))
        source = "-"
    code, out, err = cli("import", str(source))
    assert code == 2 and "Импортировано" not in out
    assert ("not a regular file" if kind == "fifo" else "larger than 64 MiB") in err
    with open_store(data_dir) as store:
        assert store.export()["records"] == before


def test_export_and_list_fail_when_the_progress_file_cannot_be_read(cli, data_dir):
    """A progress "file" that is a folder cannot be read: export and list exit 1 and say so,
    instead of exporting zero records as if the student had none."""
    data_dir.mkdir(mode=0o700)
    (data_dir / "progress.sqlite3").mkdir()
    for action in ("export", "list"):
        code, out, err = cli(action)
        assert code == 1, (action, out, err)
        assert "Не удалось прочитать прогресс" in err and "Cannot read" in err
        assert '"records"' not in out
    assert (data_dir / "progress.sqlite3").is_dir()  # left as found
