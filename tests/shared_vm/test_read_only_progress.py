"""Progress on a read-only file system (a lab VM's home mounted read-only, a full quota): the past
progress is still read, shown and exported, and the student is told that new marks won't be kept.
Needs a mount namespace, so root (CI); the mount exists only inside the child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from cdc_tutor.course.progress import ProgressStore

LESSON = "module-5/00-debezium-envelope"


def read_only(data_dir, *command: str) -> subprocess.CompletedProcess[str]:
    """`command` run with `data_dir` bind-mounted read-only over itself, in a mount namespace of its own."""
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    return subprocess.run(
        ["unshare", "--mount", "sh", "-c", script, "sh", str(data_dir), *command],
        env={**os.environ, "CDC_TUTOR_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def data_dir(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root (CI runs as root)")
    data = tmp_path / "data"
    store = ProgressStore.open(data / "progress.sqlite3")
    store.record_pass(LESSON, "envelope", "op-insert")
    store.close()
    return data


def test_a_read_only_progress_file_is_shown_and_exported(data_dir):
    exported = read_only(data_dir, sys.executable, "-m", "cdc_tutor", "progress", "export", "-")
    assert exported.returncode == 0, exported.stderr
    assert [r["checkpoint_id"] for r in json.loads(exported.stdout)["records"]] == ["op-insert"]
    assert "только для чтения" in exported.stderr and "readonly database" in exported.stderr


def test_the_store_on_a_read_only_file_keeps_the_past_and_takes_new_marks_for_the_session(data_dir):
    probe = (
        "import json, sys; from cdc_tutor.course.progress import ProgressStore;"
        "s = ProgressStore.open(sys.argv[1]); s.record_pass('m/l', 's', 'new');"
        "print(json.dumps([sorted(map(list, v)) for v in s.all_passed().values()] + [s.persistent, s.notices]))"
    )
    opened = read_only(data_dir, sys.executable, "-c", probe, str(data_dir / "progress.sqlite3"))
    assert opened.returncode == 0, opened.stderr
    *passed, persistent, notices = json.loads(opened.stdout)
    assert sorted(passed) == [[["envelope", "op-insert"]], [["s", "new"]]]
    assert persistent is False and "НЕ сохранятся" in notices[0]
    # Nothing reached the file: it still holds only the past.
    store = ProgressStore.open(data_dir / "progress.sqlite3")
    try:
        assert store.all_passed() == {LESSON: {("envelope", "op-insert")}}
    finally:
        store.close()
