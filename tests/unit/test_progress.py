"""The progress store: file safety (modes, damage, unwritable places), the API, export/import."""

from __future__ import annotations

import copy
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdc_tutor.course import progress as progress_module
from cdc_tutor.course.progress import ProgressImportError, ProgressStore

LESSON = "module-1/01-intro"
OTHER = "module-1/02-next"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def corrupt_copies(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".corrupt-*"))


@pytest.fixture
def store():
    s = ProgressStore.in_memory()
    yield s
    s.close()


@pytest.fixture
def clock(monkeypatch):
    """A controllable utc_now: set clock.now to change the time."""

    class Clock:
        now = "2024-01-01T00:00:00Z"

    c = Clock()
    monkeypatch.setattr(progress_module, "utc_now", lambda: c.now)
    return c


# ------------------------------------------------------------------------ file modes


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_open_creates_private_dirs_and_file(tmp_path, umask):
    path = tmp_path / "a" / "b" / "progress.sqlite3"
    old = os.umask(umask)
    try:
        store = ProgressStore.open(path)
    finally:
        os.umask(old)
    store.record_pass(LESSON, "s1", "c1")
    store.close()
    assert store.notices == []
    assert mode(tmp_path / "a") == 0o700
    assert mode(tmp_path / "a" / "b") == 0o700
    assert mode(path) == 0o600
    assert stat.S_ISREG(os.stat(path).st_mode)


def test_existing_directory_is_left_alone(tmp_path):
    data = tmp_path / "shared"
    data.mkdir()
    os.chmod(data, 0o755)
    ProgressStore.open(data / "progress.sqlite3").close()
    assert mode(data) == 0o755
    assert mode(data / "progress.sqlite3") == 0o600


def test_existing_file_with_wide_bits_is_tightened(tmp_path):
    path = tmp_path / "progress.sqlite3"
    ProgressStore.open(path).close()
    os.chmod(path, 0o666)
    store = ProgressStore.open(path)
    store.record_pass(LESSON, "s1", "c1")
    store.close()
    assert mode(path) == 0o600


def test_owner_only_modes_are_not_widened(tmp_path):
    path = tmp_path / "progress.sqlite3"
    ProgressStore.open(path).close()
    os.chmod(path, 0o400)
    ProgressStore.open(path).close()
    assert mode(path) == 0o400


def test_journal_side_file_is_private(tmp_path):
    path = tmp_path / "progress.sqlite3"
    old = os.umask(0o000)  # the most permissive umask: side files must still be private
    try:
        store = ProgressStore.open(path)
        conn = store._conn
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO checkpoint_state (lesson_id, step_id, checkpoint_id) VALUES ('l', 's', 'c')")
        journal = tmp_path / "progress.sqlite3-journal"
        assert journal.exists()
        assert mode(journal) & 0o077 == 0
        conn.execute("ROLLBACK")
        store.close()
    finally:
        os.umask(old)
    assert [p.name for p in tmp_path.iterdir()] == ["progress.sqlite3"]


def test_journal_mode_is_delete(tmp_path):
    store = ProgressStore.open(tmp_path / "p.sqlite3")
    assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    store.close()


# --------------------------------------------------------------------- damaged files


def test_garbage_file_is_moved_aside_and_fresh_store_works(tmp_path):
    path = tmp_path / "progress.sqlite3"
    garbage = b"this is not sqlite at all\x00\xff" * 200
    path.write_bytes(garbage)
    store = ProgressStore.open(path)
    moved = corrupt_copies(path)
    assert len(moved) == 1
    assert moved[0].read_bytes() == garbage  # never deleted
    assert moved[0].name.startswith("progress.sqlite3.corrupt-")
    assert len(store.notices) == 1
    assert "повреждён" in store.notices[0] and str(moved[0]) in store.notices[0]
    assert "начат новый прогресс" in store.notices[0]
    assert store.persistent and store.path == path
    store.record_pass(LESSON, "s1", "c1")
    store.close()
    assert mode(path) == 0o600
    reopened = ProgressStore.open(path)
    assert reopened.notices == []
    assert reopened.passed(LESSON) == {("s1", "c1")}
    reopened.close()


def test_corrupt_name_carries_a_utc_timestamp(tmp_path):
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"x" * 1000)
    ProgressStore.open(path).close()
    (moved,) = corrupt_copies(path)
    stamp = moved.name.removeprefix("progress.sqlite3.corrupt-")
    assert len(stamp) == 16 and stamp[8] == "T" and stamp.endswith("Z")


def test_truncated_database_is_moved_aside(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = ProgressStore.open(path)
    for i in range(300):
        store.set_last_answer(LESSON, f"s{i}", "c", "x" * 200)
    store.close()
    original = path.read_bytes()
    with open(path, "r+b") as f:
        f.truncate(len(original) // 2)
    store = ProgressStore.open(path)
    (moved,) = corrupt_copies(path)
    assert moved.read_bytes() == original[: len(original) // 2]
    assert len(store.notices) == 1 and "повреждён" in store.notices[0]
    assert store.export()["records"] == []
    store.record_failure(LESSON, "s1", "c1")
    store.close()
    with ProgressStore.open(path) as again:
        assert again.failures(LESSON, "s1") == 1


def test_other_sqlite_database_is_moved_aside(tmp_path):
    path = tmp_path / "progress.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    store = ProgressStore.open(path)
    (moved,) = corrupt_copies(path)
    assert sqlite3.connect(moved).execute("SELECT text FROM notes").fetchall() == [("keep me",)]
    assert "повреждён" in store.notices[0]
    store.record_pass(LESSON, "s", "c")
    assert store.passed(LESSON) == {("s", "c")}
    store.close()


def test_our_schema_version_with_wrong_columns_is_moved_aside(tmp_path):
    path = tmp_path / "progress.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE checkpoint_state (lesson_id TEXT)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    store = ProgressStore.open(path)
    assert len(corrupt_copies(path)) == 1
    assert store.persistent
    store.record_pass(LESSON, "s", "c")
    store.close()


def test_newer_schema_is_left_untouched_and_progress_is_not_saved(tmp_path):
    path = tmp_path / "progress.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    store = ProgressStore.open(path)
    assert not store.persistent
    assert corrupt_copies(path) == []
    assert "НЕ будет сохраняться" in store.notices[0] and "99" in store.notices[0]
    store.record_pass(LESSON, "s", "c")
    assert store.passed(LESSON) == {("s", "c")}
    store.close()
    assert path.read_bytes() == before


def test_stale_journal_of_a_damaged_file_does_not_reach_the_fresh_store(tmp_path):
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"garbage" * 100)
    journal = tmp_path / "progress.sqlite3-journal"
    journal.write_bytes(b"old journal" * 50)
    store = ProgressStore.open(path)
    assert len(corrupt_copies(path)) == 1
    # SQLite discards an invalid journal itself; any survivor goes aside with the damaged file.
    assert not journal.exists() or journal.read_bytes() != b"old journal" * 50
    store.record_pass(LESSON, "s", "c")
    store.close()
    with ProgressStore.open(path) as again:
        assert again.notices == [] and again.passed(LESSON) == {("s", "c")}


def test_repeated_damage_never_overwrites_an_earlier_copy(tmp_path):
    path = tmp_path / "progress.sqlite3"
    for n in range(3):
        path.write_bytes(f"garbage {n}".encode() * 100)
        ProgressStore.open(path).close()
    copies = corrupt_copies(path)
    assert len(copies) == 3
    assert {c.read_bytes() for c in copies} == {f"garbage {n}".encode() * 100 for n in range(3)}


def test_empty_file_is_a_fresh_store(tmp_path):
    path = tmp_path / "progress.sqlite3"
    path.touch()
    store = ProgressStore.open(path)
    assert store.notices == [] and store.persistent
    store.record_pass(LESSON, "s", "c")
    store.close()
    assert corrupt_copies(path) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    prefix=st.sampled_from([b"", b"SQLite format 3\x00"]),
    body=st.binary(min_size=1, max_size=3000),
)
def test_any_bytes_never_raise(tmp_path, prefix, body):
    folder = Path(os.path.join(tmp_path, os.urandom(6).hex()))
    folder.mkdir()
    path = folder / "progress.sqlite3"
    path.write_bytes(prefix + body)
    store = ProgressStore.open(path)
    store.record_pass(LESSON, "s", "c")
    assert store.passed(LESSON) == {("s", "c")}
    store.close()
    kept = corrupt_copies(path)
    if store.notices:
        assert len(kept) == 1 and kept[0].read_bytes() == prefix + body


def test_file_damaged_during_the_session_falls_back_without_raising(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = ProgressStore.open(path)
    store.record_pass(LESSON, "s1", "c1")
    path.write_bytes(b"overwritten by something else" * 300)
    store.record_pass(LESSON, "s2", "c1")  # must not raise
    assert ("s2", "c1") in store.passed(LESSON)
    assert not store.persistent
    assert any("НЕ сохраняется" in notice for notice in store.notices)
    store.close()


# ---------------------------------------------------------------- unwritable places


def assert_memory_fallback(store: ProgressStore, path: Path) -> None:
    assert not store.persistent and store.path is None
    assert len(store.notices) == 1
    notice = store.notices[0]
    assert "НЕ будет сохраняться" in notice and str(path) in notice
    store.record_pass(LESSON, "s1", "c1")
    assert store.record_failure(LESSON, "s1", "c2") == 1
    assert store.passed(LESSON) == {("s1", "c1")}


def test_data_dir_under_a_regular_file_falls_back_to_memory(tmp_path):
    # Fails even for root: a path component is a regular file (NotADirectoryError).
    blocker = tmp_path / "blocker"
    blocker.write_text("i am a file")
    path = blocker / "data" / "progress.sqlite3"
    store = ProgressStore.open(path)
    assert_memory_fallback(store, path)
    assert "Not a directory" in store.notices[0]
    store.close()
    assert blocker.read_text() == "i am a file"


def test_progress_path_that_is_a_directory_falls_back_to_memory(tmp_path):
    path = tmp_path / "progress.sqlite3"
    path.mkdir()
    store = ProgressStore.open(path)
    assert_memory_fallback(store, path)
    store.close()
    assert path.is_dir() and corrupt_copies(path) == []


def test_permission_error_creating_the_file_falls_back_to_memory(tmp_path, monkeypatch):
    path = tmp_path / "progress.sqlite3"
    real_open = os.open

    def refuse(file, *args, **kwargs):
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    store = ProgressStore.open(path)
    assert_memory_fallback(store, path)
    assert "Permission denied" in store.notices[0]
    store.close()


def test_unwritable_database_is_read_into_memory_and_said_so(tmp_path, monkeypatch):
    # As root, file permissions do not stop writes; make SQLite itself open the file read-only.
    path = tmp_path / "progress.sqlite3"
    first = ProgressStore.open(path)
    first.record_pass("m/l", "s", "c")
    first.close()
    real_connect = sqlite3.connect

    def read_only(database, *args, **kwargs):
        if database == str(path):
            return real_connect(f"file:{database}?mode=ro", *args, uri=True, **kwargs)
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", read_only)
    store = ProgressStore.open(path)
    assert not store.persistent and store.unreadable is None
    assert store.all_passed() == {"m/l": {("s", "c")}}  # the past still shows
    (notice,) = store.notices
    assert "только для чтения" in notice and "НЕ сохранятся" in notice and str(path) in notice
    store.close()
    assert corrupt_copies(path) == []  # unwritable is not damaged


def test_read_only_data_directory_falls_back_to_memory(tmp_path):
    """chmod 0500 for a normal user; root ignores that, so as root the directory sits under a file."""
    if os.geteuid() != 0:
        data = tmp_path / "data"
        data.mkdir()
        os.chmod(data, 0o500)
    else:
        (tmp_path / "not-a-dir").write_text("")
        data = tmp_path / "not-a-dir" / "data"
    path = data / "progress.sqlite3"
    try:
        store = ProgressStore.open(path)
        assert_memory_fallback(store, path)
        store.close()
    finally:
        if data.is_dir():
            os.chmod(data, 0o700)
    assert not path.exists()


# -------------------------------------------------------------------------- the API


def test_fresh_store_is_empty(store):
    assert store.passed(LESSON) == set()
    assert store.all_passed() == {}
    assert store.failures(LESSON, "s1") == 0
    assert store.hint_level(LESSON, "s1", "c1") == 0
    assert store.last_answer(LESSON, "s1", "c1") is None
    assert store.passed_at(LESSON, "s1", "c1") is None


def test_record_pass_keeps_the_first_time(store, clock):
    clock.now = "2024-01-01T10:00:00Z"
    store.record_pass(LESSON, "s1", "c1")
    clock.now = "2024-02-01T10:00:00Z"
    store.record_pass(LESSON, "s1", "c1")
    store.record_pass(LESSON, "s2", "c1")
    store.record_pass(OTHER, "s1", "c1")
    assert store.passed(LESSON) == {("s1", "c1"), ("s2", "c1")}
    assert store.passed_at(LESSON, "s1", "c1") == "2024-01-01T10:00:00Z"
    assert store.all_passed() == {LESSON: {("s1", "c1"), ("s2", "c1")}, OTHER: {("s1", "c1")}}


def test_failures_count_per_checkpoint_and_sum_per_step(store):
    assert store.record_failure(LESSON, "s1", "c1") == 1
    assert store.record_failure(LESSON, "s1", "c1") == 2
    assert store.record_failure(LESSON, "s1", "c2") == 1
    assert store.record_failure(LESSON, "s2", "c1") == 1
    assert store.failures(LESSON, "s1") == 3
    assert store.failures(LESSON, "s2") == 1
    assert store.checkpoint_failures(LESSON, "s1", "c1") == 2
    assert store.passed(LESSON) == set()  # failing is not passing


def test_hints_and_last_answer(store):
    store.set_hint_level(LESSON, "s1", "c1", 2)
    store.set_last_answer(LESSON, "s1", "c1", "op = 'c'")
    store.set_last_answer(LESSON, "s1", "c1", "op = 'u'")
    assert store.hint_level(LESSON, "s1", "c1") == 2
    assert store.hint_level(LESSON, "s1", "c2") == 0
    assert store.last_answer(LESSON, "s1", "c1") == "op = 'u'"
    store.set_last_answer(LESSON, "s1", "c1", None)
    assert store.last_answer(LESSON, "s1", "c1") is None
    with pytest.raises(ValueError):
        store.set_hint_level(LESSON, "s1", "c1", -1)


def test_reset_step_and_lesson(store):
    for lesson in (LESSON, OTHER):
        for step in ("s1", "s2"):
            store.record_pass(lesson, step, "c1")
            store.record_failure(lesson, step, "c2")
            store.set_hint_level(lesson, step, "c2", 1)
            store.set_last_answer(lesson, step, "c2", "answer")
    store.reset_step(LESSON, "s1")
    assert store.passed(LESSON) == {("s2", "c1")}
    assert store.failures(LESSON, "s1") == 0 and store.failures(LESSON, "s2") == 1
    assert store.hint_level(LESSON, "s1", "c2") == 0 and store.last_answer(LESSON, "s1", "c2") is None
    assert store.hint_level(LESSON, "s2", "c2") == 1
    assert store.passed(OTHER) == {("s1", "c1"), ("s2", "c1")}
    store.reset_lesson(LESSON)
    assert store.passed(LESSON) == set()
    assert store.failures(LESSON, "s2") == 0
    assert store.all_passed() == {OTHER: {("s1", "c1"), ("s2", "c1")}}
    assert store.failures(OTHER, "s1") == 1


def test_progress_survives_reopening(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with ProgressStore.open(path) as store:
        store.record_pass(LESSON, "s1", "c1")
        store.record_failure(LESSON, "s1", "c2")
        store.set_hint_level(LESSON, "s1", "c2", 1)
        store.set_last_answer(LESSON, "s1", "c2", "ответ")
    with ProgressStore.open(path) as store:
        assert store.passed(LESSON) == {("s1", "c1")}
        assert store.failures(LESSON, "s1") == 1
        assert store.hint_level(LESSON, "s1", "c2") == 1
        assert store.last_answer(LESSON, "s1", "c2") == "ответ"


def test_a_failed_write_changes_nothing(tmp_path):
    path = tmp_path / "progress.sqlite3"
    store = ProgressStore.open(path)
    store.record_pass(LESSON, "s1", "c1")

    def half_then_fail(conn):
        conn.execute("DELETE FROM checkpoint_state")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store._write(half_then_fail)
    assert store.passed(LESSON) == {("s1", "c1")}
    store.close()
    with ProgressStore.open(path) as again:
        assert again.passed(LESSON) == {("s1", "c1")}


def test_a_second_connection_sees_committed_writes(tmp_path):
    path = tmp_path / "progress.sqlite3"
    writer = ProgressStore.open(path)
    reader = ProgressStore.open(path)
    writer.record_pass(LESSON, "s1", "c1")
    assert reader.passed(LESSON) == {("s1", "c1")}
    writer.close()
    reader.close()


# ------------------------------------------------------------------- export / import


def fill(store: ProgressStore) -> None:
    store.record_pass(LESSON, "s1", "c1")
    store.record_failure(LESSON, "s1", "c2")
    store.record_failure(LESSON, "s1", "c2")
    store.set_hint_level(LESSON, "s1", "c2", 2)
    store.set_last_answer(LESSON, "s1", "c2", "SELECT *")
    store.record_pass(OTHER, "intro", "q")


def test_export_document_shape(store, clock):
    fill(store)
    document = store.export()
    assert document["format"] == "cdc-tutor-progress"
    assert document["version"] == 1
    assert document["exported_at"] == clock.now
    assert json.loads(json.dumps(document)) == document
    assert {(r["lesson_id"], r["step_id"], r["checkpoint_id"]) for r in document["records"]} == {
        (LESSON, "s1", "c1"),
        (LESSON, "s1", "c2"),
        (OTHER, "intro", "q"),
    }
    c2 = next(r for r in document["records"] if r["checkpoint_id"] == "c2")
    assert c2 == {
        "lesson_id": LESSON,
        "step_id": "s1",
        "checkpoint_id": "c2",
        "passed_at": None,
        "failures": 2,
        "hint_level": 2,
        "last_answer": "SELECT *",
    }


def test_round_trip_between_two_file_stores(tmp_path):
    source = ProgressStore.open(tmp_path / "one" / "progress.sqlite3")
    fill(source)
    document = json.loads(json.dumps(source.export()))
    target = ProgressStore.open(tmp_path / "two" / "progress.sqlite3")
    assert target.import_(document) == 3
    assert target.export()["records"] == source.export()["records"]
    target.close()
    with ProgressStore.open(tmp_path / "two" / "progress.sqlite3") as reopened:
        assert reopened.export()["records"] == document["records"]
    source.close()


def test_merge_keeps_union_of_passes_and_max_of_counts(clock):
    local = ProgressStore.in_memory()
    clock.now = "2024-03-01T00:00:00Z"
    local.record_pass(LESSON, "s1", "c1")
    local.record_failure(LESSON, "s1", "c2")
    local.set_hint_level(LESSON, "s1", "c2", 1)
    local.set_last_answer(LESSON, "s1", "c2", "local answer")
    local.record_failure(LESSON, "s2", "c1")
    local.record_failure(LESSON, "s2", "c1")
    local.record_failure(LESSON, "s2", "c1")

    remote = ProgressStore.in_memory()
    clock.now = "2024-01-01T00:00:00Z"
    remote.record_pass(LESSON, "s1", "c1")  # earlier pass
    remote.record_pass(LESSON, "s1", "c2")
    remote.record_failure(LESSON, "s1", "c2")
    remote.record_failure(LESSON, "s1", "c2")
    remote.set_hint_level(LESSON, "s1", "c2", 3)
    remote.set_last_answer(LESSON, "s1", "c2", "remote answer")
    remote.record_failure(LESSON, "s2", "c1")
    remote.set_last_answer(LESSON, "s2", "c1", "only remote")
    remote.record_pass(OTHER, "x", "y")

    assert local.import_(remote.export()) == 4
    assert local.all_passed() == {LESSON: {("s1", "c1"), ("s1", "c2")}, OTHER: {("x", "y")}}
    assert local.passed_at(LESSON, "s1", "c1") == "2024-01-01T00:00:00Z"
    assert local.checkpoint_failures(LESSON, "s1", "c2") == 2
    assert local.checkpoint_failures(LESSON, "s2", "c1") == 3
    assert local.hint_level(LESSON, "s1", "c2") == 3
    assert local.last_answer(LESSON, "s1", "c2") == "local answer"
    assert local.last_answer(LESSON, "s2", "c1") == "only remote"

    # Importing the same document again changes nothing.
    before = local.export()["records"]
    local.import_(remote.export())
    assert local.export()["records"] == before


def test_replace_drops_local_progress():
    local = ProgressStore.in_memory()
    local.record_pass(LESSON, "s1", "c1")
    local.record_failure(OTHER, "s", "c")
    remote = ProgressStore.in_memory()
    remote.record_pass(LESSON, "s2", "c1")
    assert local.import_(remote.export(), replace=True) == 1
    assert local.all_passed() == {LESSON: {("s2", "c1")}}
    assert local.failures(OTHER, "s") == 0
    assert local.export()["records"] == remote.export()["records"]


def test_replace_with_an_empty_document_clears_everything(store):
    fill(store)
    empty = ProgressStore.in_memory().export()
    assert store.import_(empty, replace=True) == 0
    assert store.export()["records"] == []


def _good_document() -> dict:
    s = ProgressStore.in_memory()
    fill(s)
    return s.export()


def _mutate(change):
    def make():
        document = _good_document()
        change(document)
        return document

    return make


BAD_DOCUMENTS = {
    "not an object": lambda: [1, 2, 3],
    "string": lambda: "cdc-tutor-progress",
    "wrong format": _mutate(lambda d: d.update(format="something-else")),
    "future version": _mutate(lambda d: d.update(version=2)),
    "bool version": _mutate(lambda d: d.update(version=True)),
    "string version": _mutate(lambda d: d.update(version="1")),
    "missing records": _mutate(lambda d: d.pop("records")),
    "missing exported_at": _mutate(lambda d: d.pop("exported_at")),
    "bad exported_at": _mutate(lambda d: d.update(exported_at="yesterday")),
    "unknown top-level key": _mutate(lambda d: d.update(extra=1)),
    "records not a list": _mutate(lambda d: d.update(records={"a": 1})),
    "record not an object": _mutate(lambda d: d["records"].append("row")),
    "record missing field": _mutate(lambda d: d["records"][1].pop("failures")),
    "record unknown field": _mutate(lambda d: d["records"][1].update(stars=5)),
    "negative failures": _mutate(lambda d: d["records"][1].update(failures=-1)),
    "float failures": _mutate(lambda d: d["records"][1].update(failures=1.5)),
    "bool hint level": _mutate(lambda d: d["records"][1].update(hint_level=True)),
    "huge hint level": _mutate(lambda d: d["records"][1].update(hint_level=10**30)),
    "empty lesson id": _mutate(lambda d: d["records"][0].update(lesson_id="")),
    "numeric step id": _mutate(lambda d: d["records"][0].update(step_id=3)),
    "bad passed_at": _mutate(lambda d: d["records"][0].update(passed_at="not a time")),
    "numeric answer": _mutate(lambda d: d["records"][1].update(last_answer=42)),
    "duplicate record": _mutate(lambda d: d["records"].append(copy.deepcopy(d["records"][0]))),
}


@pytest.mark.parametrize("name", sorted(BAD_DOCUMENTS))
@pytest.mark.parametrize("replace", [False, True])
def test_bad_documents_are_rejected_and_change_nothing(tmp_path, name, replace):
    path = tmp_path / "progress.sqlite3"
    store = ProgressStore.open(path)
    store.record_pass(LESSON, "mine", "kept")
    store.record_failure(LESSON, "mine", "other")
    before = store.export()["records"]
    with pytest.raises(ProgressImportError) as raised:
        store.import_(BAD_DOCUMENTS[name](), replace=replace)
    message = str(raised.value)
    assert "Invalid progress document" in message and "Некорректный файл прогресса" in message
    assert store.export()["records"] == before
    store.close()
    with ProgressStore.open(path) as again:
        assert again.export()["records"] == before


def test_import_error_names_the_bad_field():
    document = _good_document()
    document["records"][1]["failures"] = -3
    with pytest.raises(ProgressImportError, match=r"records\[1\]\.failures"):
        ProgressStore.in_memory().import_(document)


def test_a_busy_file_is_waited_for_not_given_up(tmp_path):
    """Another process holding the write lock longer than SQLite's busy timeout (a long `progress
    import`) makes the store wait and retry; it keeps the file instead of going memory-only."""
    import threading
    import time

    path = tmp_path / "progress.sqlite3"
    store = ProgressStore.open(path)
    store._conn.execute("PRAGMA busy_timeout = 100")  # one attempt waits 0.1 s here, not 5 s
    holder = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(1.5, lambda: holder.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    store.record_pass("m/01", "s", "c")
    assert time.monotonic() - started >= 1.0  # it really waited for the lock
    release.join()
    holder.close()
    assert store.persistent and not store.notices
    store.close()
    with ProgressStore.open(path) as again:
        assert again.passed("m/01") == {("s", "c")}


def test_a_full_disk_is_named_in_the_notice():
    import errno

    from cdc_tutor import strings
    from cdc_tutor.course.progress_file import describe

    assert strings.DISK_FULL in describe(OSError(errno.ENOSPC, "No space left on device", "/data/progress"))
    assert strings.DISK_FULL in describe(sqlite3.OperationalError("database or disk is full"))
    assert strings.DISK_FULL not in describe(OSError(errno.EACCES, "Permission denied", "/data/progress"))
