"""`cdc-tutor progress export/import` carry the student's exercise code (document version 2).

Real data directories in tmp, the bundled lessons, the CLI through cdc_tutor.cli.main (and once
through `python -m cdc_tutor` in a subprocess).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cdc_tutor.cli import main
from cdc_tutor.course.progress import ProgressStore
from cdc_tutor.course.progress_export import (
    MAX_CODE_BYTES,
    ProgressImportError,
    export_document,
    validate_document,
    with_code,
)
from cdc_tutor.practice.exercise_files import MAX_CELL_BYTES, ExerciseFiles

ROOT = Path(__file__).resolve().parents[2]
LESSON = "module-5/01-advanced-python-consumer"
EXERCISE = "next-offsets"
CODE = 'offsets = {"orders": 42}\nprint("готово", offsets)\n'


@pytest.fixture
def env(tmp_path, monkeypatch):
    """The bundled lessons, no user config; the data dir is chosen per call with CDC_TUTOR_DATA_DIR."""
    monkeypatch.delenv("CDC_TUTOR_LESSONS", raising=False)
    monkeypatch.setenv("CDC_TUTOR_CONFIG", str(tmp_path / "no-config.toml"))
    return monkeypatch


@pytest.fixture
def cli(env, capsys):
    """Run `cdc-tutor progress ...` with CDC_TUTOR_DATA_DIR=data_dir; returns (code, out, err)."""

    def run(data_dir: Path, *args: str):
        env.setenv("CDC_TUTOR_DATA_DIR", str(data_dir))
        code = main(["progress", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def cell_path(data_dir: Path, lesson_id: str = LESSON, exercise: str = EXERCISE) -> Path:
    return ExerciseFiles(data_dir, lesson_id).path(exercise)


def records(data_dir: Path) -> list[dict]:
    with ProgressStore.open(data_dir / "progress.sqlite3") as store:
        return store.export()["records"]


def files_under(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()}


def stray_code(root: Path, data_dir: Path) -> list[Path]:
    """.py files under `root` outside the data dir's work folder (where a path traversal would land)."""
    return sorted(p for p in root.rglob("*.py") if data_dir / "work" not in p.parents)


def document(code: list[dict] | None) -> dict:
    """A valid document with one record; version 2 when `code` is given (even empty), else version 1."""
    store = ProgressStore.in_memory()
    store.record_pass(LESSON, "intro", "first")
    exported = store.export()
    if code is None:
        return exported
    return {**exported, "version": 2, "code": code}


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_code_limit_matches_the_practice_layer():
    assert MAX_CODE_BYTES == MAX_CELL_BYTES


# --------------------------------------------------------------------------------------- export


def test_export_without_saved_code_stays_version_1(cli, tmp_path):
    code, out, err = cli(tmp_path / "data", "export", "-")
    assert code == 0 and err == ""
    exported = json.loads(out)
    assert exported["version"] == 1 and "code" not in exported


def test_export_contains_saved_exercise_code(cli, tmp_path):
    data = tmp_path / "data"
    assert ExerciseFiles(data, LESSON).save(EXERCISE, CODE) == ""
    # Not exported: a file that is no exercise of the lesson, and a lesson the course does not have.
    assert ExerciseFiles(data, LESSON).save("not-an-exercise", "x = 1\n") == ""
    assert ExerciseFiles(data, "module-9/01-gone").save(EXERCISE, "y = 2\n") == ""
    with ProgressStore.open(data / "progress.sqlite3") as store:
        store.record_pass(LESSON, "intro", "first")

    code, out, err = cli(data, "export", "-")
    assert code == 0 and err == ""
    exported = json.loads(out)
    assert exported["version"] == 2
    assert exported["code"] == [{"lesson_id": LESSON, "exercise_id": EXERCISE, "text": CODE}]
    assert [r["checkpoint_id"] for r in exported["records"]] == ["first"]

    target = tmp_path / "backup.json"
    code, out, _ = cli(data, "export", str(target))
    assert code == 0 and "Код упражнений в файле: 1" in out
    assert json.loads(target.read_text(encoding="utf-8")) | {"exported_at": None} == exported | {"exported_at": None}
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_export_reports_an_unreadable_cell_and_goes_on(cli, tmp_path):
    data = tmp_path / "data"
    assert ExerciseFiles(data, LESSON).save(EXERCISE, CODE) == ""
    broken = cell_path(data, exercise="classify")
    broken.write_bytes(b"\xff\xfe not utf-8")
    code, out, err = cli(data, "export", "-")
    assert code == 0
    assert "Код не выгружен" in err and "classify.py" in err
    assert [cell["exercise_id"] for cell in json.loads(out)["code"]] == [EXERCISE]


# --------------------------------------------------------------------------------------- import


def test_round_trip_through_python_m_writes_a_private_file(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert ExerciseFiles(one, LESSON).save(EXERCISE, CODE) == ""
    with ProgressStore.open(one / "progress.sqlite3") as store:
        store.record_pass(LESSON, "intro", "first")
    backup = tmp_path / "backup.json"

    def tutor(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
        environ = {key: value for key, value in os.environ.items() if key != "CDC_TUTOR_LESSONS"}
        environ.update(
            CDC_TUTOR_DATA_DIR=str(data_dir),
            CDC_TUTOR_CONFIG=str(tmp_path / "no-config.toml"),
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")])),
        )
        return subprocess.run(
            [sys.executable, "-m", "cdc_tutor", "progress", *args],
            capture_output=True,
            text=True,
            env=environ,
            cwd=tmp_path,
            timeout=120,
        )

    exported = tutor(one, "export", str(backup))
    assert exported.returncode == 0, exported.stderr
    imported = tutor(two, "import", str(backup))
    assert imported.returncode == 0, imported.stderr
    assert "Импортировано записей: 1" in imported.stdout
    assert "импортировано 1, оставлено ваших (отличаются от импорта) 0" in imported.stdout

    written = cell_path(two)
    assert written.read_text(encoding="utf-8") == CODE
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(written.parent).st_mode) == 0o700
    assert records(two) == records(one)


def test_import_into_a_fresh_data_dir(cli, tmp_path):
    source = write_json(tmp_path / "doc.json", document([{"lesson_id": LESSON, "exercise_id": EXERCISE, "text": CODE}]))
    data = tmp_path / "fresh"
    code, out, err = cli(data, "import", str(source))
    assert code == 0, err
    assert "импортировано 1" in out
    assert cell_path(data).read_text(encoding="utf-8") == CODE
    assert stat.S_IMODE(os.stat(cell_path(data)).st_mode) == 0o600
    assert [r["checkpoint_id"] for r in records(data)] == ["first"]


def test_merge_keeps_a_differing_local_file_and_replace_overwrites_it(cli, tmp_path):
    data = tmp_path / "data"
    files = ExerciseFiles(data, LESSON)
    assert files.save(EXERCISE, "mine = True\n") == ""
    assert files.save("classify", "same = 1\n") == ""
    source = write_json(
        tmp_path / "doc.json",
        document(
            [
                {"lesson_id": LESSON, "exercise_id": EXERCISE, "text": CODE},
                {"lesson_id": LESSON, "exercise_id": "classify", "text": "same = 1\n"},  # identical: imported
                {"lesson_id": LESSON, "exercise_id": "audit", "text": "new = 2\n"},  # no local file: written
            ]
        ),
    )

    code, out, err = cli(data, "import", str(source))
    assert code == 0, err
    assert "Код упражнений: импортировано 2, оставлено ваших (отличаются от импорта) 1." in out
    assert "--replace" in out
    assert cell_path(data).read_text(encoding="utf-8") == "mine = True\n"
    assert cell_path(data, exercise="classify").read_text(encoding="utf-8") == "same = 1\n"
    assert cell_path(data, exercise="audit").read_text(encoding="utf-8") == "new = 2\n"

    code, out, err = cli(data, "import", str(source), "--replace")
    assert code == 0, err
    assert "импортировано 3, оставлено ваших (отличаются от импорта) 0" in out
    assert cell_path(data).read_text(encoding="utf-8") == CODE
    assert stat.S_IMODE(os.stat(cell_path(data)).st_mode) == 0o600


def test_replace_leaves_cells_the_document_does_not_hold(cli, tmp_path):
    data = tmp_path / "data"
    assert ExerciseFiles(data, LESSON).save("classify", "keep me\n") == ""
    source = write_json(tmp_path / "doc.json", document([{"lesson_id": LESSON, "exercise_id": EXERCISE, "text": CODE}]))
    assert cli(data, "import", str(source), "--replace")[0] == 0
    assert cell_path(data, exercise="classify").read_text(encoding="utf-8") == "keep me\n"


def test_cells_of_lessons_not_in_the_course_are_still_written(cli, tmp_path):
    data = tmp_path / "data"
    gone = "module-9/01-gone-for-now"
    source = write_json(tmp_path / "doc.json", document([{"lesson_id": gone, "exercise_id": "later", "text": "z\n"}]))
    code, _, err = cli(data, "import", str(source))
    assert code == 0, err
    assert cell_path(data, gone, "later").read_text(encoding="utf-8") == "z\n"
    assert cell_path(data, gone, "later") == data / "work" / "module-9" / "01-gone-for-now" / "later.py"


def test_a_version_1_document_still_imports(cli, tmp_path):
    data = tmp_path / "data"
    old = export_document([(LESSON, "intro", "first", "2024-01-01T00:00:00Z", 0, 1, None)], "2024-01-01T00:00:00Z")
    assert old["version"] == 1 and "code" not in old
    code, out, err = cli(data, "import", str(write_json(tmp_path / "v1.json", old)))
    assert code == 0, err
    assert "Импортировано записей: 1" in out and "Код упражнений" not in out
    assert [(r["checkpoint_id"], r["hint_level"]) for r in records(data)] == [("first", 1)]
    assert not (data / "work").exists()


def test_an_empty_code_list_imports(cli, tmp_path):
    code, out, err = cli(tmp_path / "data", "import", str(write_json(tmp_path / "doc.json", document([]))))
    assert code == 0, err
    assert "импортировано 0, оставлено ваших (отличаются от импорта) 0" in out


def test_a_cell_that_cannot_be_written_exits_1(cli, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "work").write_text("a file where the work folder should be")
    source = write_json(tmp_path / "doc.json", document([{"lesson_id": LESSON, "exercise_id": EXERCISE, "text": CODE}]))
    code, out, err = cli(data, "import", str(source))
    assert code == 1
    assert f"Код упражнения {EXERCISE} урока {LESSON} не записан" in err
    assert "импортировано 0" in out


# ---------------------------------------------------------------------------------- bad documents


def _cell(**change: object) -> dict:
    return {"lesson_id": LESSON, "exercise_id": EXERCISE, "text": CODE, **change}


GOOD = _cell(exercise_id="audit", text="good = 1\n")  # a valid cell beside the bad one: it must not be written

BAD_CODE = {
    "traversal exercise id": [GOOD, _cell(exercise_id="../x")],
    "dot-dot exercise id": [GOOD, _cell(exercise_id="..")],
    "slash in exercise id": [GOOD, _cell(exercise_id="a/b")],
    "exercise id with .py": [GOOD, _cell(exercise_id="x.py")],
    "empty exercise id": [GOOD, _cell(exercise_id="")],
    "numeric exercise id": [GOOD, _cell(exercise_id=7)],
    "traversal lesson id": [GOOD, _cell(lesson_id="../01-escape")],
    "lesson id with a dot-dot inside": [GOOD, _cell(lesson_id="module-5/../01-x")],
    "hidden module": [GOOD, _cell(lesson_id=".hidden/01-x")],
    "absolute lesson id": [GOOD, _cell(lesson_id="/etc/01-x")],
    "lesson id without a module": [GOOD, _cell(lesson_id="01-advanced-python-consumer")],
    "NUL in text": [GOOD, _cell(text="print(1)\x00")],
    "lone surrogate in text": [GOOD, _cell(text="x = '\ud800'\n")],
    "text not a string": [GOOD, _cell(text=None)],
    "too big text": [GOOD, _cell(text="я" * (MAX_CODE_BYTES // 2 + 1))],  # fewer characters than bytes
    "duplicate entries": [GOOD, _cell(), _cell(text="other\n")],
    "unknown key": [GOOD, _cell(stars=5)],
    "missing key": [GOOD, {"lesson_id": LESSON, "exercise_id": EXERCISE}],
    "entry not an object": [GOOD, "print(1)"],
}


def _bad_documents() -> dict[str, object]:
    found: dict[str, object] = {name: document(cells) for name, cells in BAD_CODE.items()}
    found["code not a list"] = {**document([]), "code": {"a": 1}}
    without_code = document([GOOD])
    del without_code["code"]
    found["version 2 without code"] = without_code
    found["version 1 with code"] = {**document([GOOD]), "version": 1}
    found["version 3"] = {**document([GOOD]), "version": 3}
    return found


BAD_DOCUMENTS = _bad_documents()


@pytest.mark.parametrize("name", sorted(BAD_DOCUMENTS))
@pytest.mark.parametrize("replace", [False, True])
def test_bad_documents_exit_2_and_change_nothing(cli, tmp_path, name, replace):
    data = tmp_path / "data"
    with ProgressStore.open(data / "progress.sqlite3") as store:
        store.record_pass("module-5/00-debezium-envelope", "mine", "kept")
    assert ExerciseFiles(data, LESSON).save(EXERCISE, "mine = True\n") == ""
    before_records, before_files = records(data), files_under(data / "work")

    source = write_json(tmp_path / "bad.json", BAD_DOCUMENTS[name])
    code, out, err = cli(data, "import", str(source), *(["--replace"] if replace else []))
    assert code == 2
    assert "Invalid progress document" in err and "Некорректный файл прогресса" in err
    assert "Импортировано" not in out
    assert records(data) == before_records
    assert files_under(data / "work") == before_files
    assert stray_code(tmp_path, data) == []


@pytest.mark.parametrize("name", ["traversal exercise id", "NUL in text", "duplicate entries", "unknown key"])
def test_bad_documents_write_nothing_into_a_fresh_data_dir(cli, tmp_path, name):
    data = tmp_path / "fresh"
    code, _, err = cli(data, "import", str(write_json(tmp_path / "bad.json", BAD_DOCUMENTS[name])))
    assert code == 2 and "code[" in err
    assert records(data) == []
    assert not (data / "work").exists()
    assert stray_code(tmp_path, data) == []


def test_validation_names_the_bad_field_in_both_languages():
    with pytest.raises(ProgressImportError) as raised:
        validate_document(document([GOOD, _cell(exercise_id="../x")]))
    assert raised.value.where == "code[1].exercise_id"
    assert "идентификатором упражнения" in raised.value.russian

    with pytest.raises(ProgressImportError, match=r"code\[2\]: duplicate code"):
        validate_document(document([GOOD, _cell(), _cell()]))


def test_validate_document_returns_the_cells_and_honours_the_size_limit():
    cells = [GOOD, _cell()]
    found_records, found_code = validate_document(document(cells))
    assert found_code == cells and [r["checkpoint_id"] for r in found_records] == ["first"]
    assert validate_document(document(None))[1] == []

    exactly = _cell(text="a" * 10)
    assert validate_document(document([exactly]), max_code_bytes=10)[1] == [exactly]
    with pytest.raises(ProgressImportError, match=r"code\[0\]\.text: must be at most 10 bytes"):
        validate_document(document([_cell(text="a" * 9 + "я")]), max_code_bytes=10)


def test_with_code_builds_version_2_only_when_there_is_code():
    base = document(None)
    assert with_code(base, []) is base
    combined = with_code(base, [_cell()])
    assert combined["version"] == 2 and combined["code"] == [_cell()]
    assert validate_document(json.loads(json.dumps(combined)))[1] == [_cell()]
