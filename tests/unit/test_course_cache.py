"""The parsed-course cache: a warm start reads one private file and never imports PyYAML; any edit
under the lessons folder is a miss; a corrupt, foreign, loose or planted cache file is ignored."""

from __future__ import annotations

import os
import pickle
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cdc_tutor.course.cache import cache_path, load_course_cached, read_cache
from cdc_tutor.course.loader import load_course

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "course"
LESSON = "module-1/01-first-events"


@pytest.fixture
def course_dir(tmp_path) -> Path:
    copy = tmp_path / "course"
    shutil.copytree(FIXTURE, copy)
    return copy


def titles(course) -> list[str]:
    return [lesson.title for lesson in course.lessons()]


def test_a_warm_start_reads_the_private_cache_without_pyyaml(course_dir, tmp_path):
    cache_dir = tmp_path / "data" / "cache"
    cold = load_course_cached(course_dir, cache_dir)
    assert cold == load_course(course_dir)
    path = cache_path(course_dir, cache_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    probe = (
        "import sys; from pathlib import Path; from cdc_tutor.course.cache import load_course_cached; "
        "import cdc_tutor.commands.run, cdc_tutor.ui.app, cdc_tutor.course.progress; "  # what a start imports
        f"c = load_course_cached(Path({str(course_dir)!r}), Path({str(cache_dir)!r})); "
        "print(len(c.lessons()), 'yaml' in sys.modules, 'cdc_tutor.course.loader' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == [str(len(cold.lessons())), "False", "False"], done.stdout + done.stderr


def test_an_edit_an_addition_or_a_removal_is_a_miss(course_dir, tmp_path):
    cache_dir = tmp_path / "cache"
    load_course_cached(course_dir, cache_dir)
    lesson_file = course_dir / LESSON / "lesson.md"
    text = lesson_file.read_text(encoding="utf-8")
    old_title = load_course(course_dir).find(LESSON).title
    lesson_file.write_text(text.replace(old_title, "Новое название"), encoding="utf-8")
    assert load_course_cached(course_dir, cache_dir).find(LESSON).title == "Новое название"

    extra = course_dir / "module-1" / "09-extra"
    shutil.copytree(course_dir / LESSON, extra)
    (extra / "lesson.md").write_text(
        (extra / "lesson.md").read_text(encoding="utf-8").replace("order: 1", "order: 9"), encoding="utf-8"
    )
    assert load_course_cached(course_dir, cache_dir) == load_course(course_dir)
    shutil.rmtree(extra)
    assert load_course_cached(course_dir, cache_dir) == load_course(course_dir)


@pytest.mark.parametrize(
    "content",
    [b"", b"not a pickle at all", b"\x80\x05\x95", None],  # None: a valid pickle cut in half
    ids=["empty", "garbage", "truncated-header", "truncated"],
)
def test_a_corrupt_cache_is_ignored_and_rewritten(course_dir, tmp_path, content):
    cache_dir = tmp_path / "cache"
    expected = load_course_cached(course_dir, cache_dir)
    path = cache_path(course_dir, cache_dir)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2] if content is None else content)
    assert load_course_cached(course_dir, cache_dir) == expected
    assert path.read_bytes() != (content or b"")  # rewritten whole
    assert load_course_cached(course_dir, cache_dir) == expected


class Planted:
    def __reduce__(self):
        return (os.system, ("touch planted-ran",))


def test_a_planted_pickle_runs_nothing(course_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cache_dir = tmp_path / "cache"
    load_course_cached(course_dir, cache_dir)
    path = cache_path(course_dir, cache_dir)
    key, course = pickle.loads(path.read_bytes())
    path.write_bytes(pickle.dumps((key, Planted())))
    assert read_cache(path, key) is None
    assert load_course_cached(course_dir, cache_dir) == course
    assert not (tmp_path / "planted-ran").exists()


def test_a_loose_or_linked_cache_file_is_not_read(course_dir, tmp_path):
    cache_dir = tmp_path / "cache"
    course = load_course_cached(course_dir, cache_dir)
    path = cache_path(course_dir, cache_dir)
    key = pickle.loads(path.read_bytes())[0]
    assert read_cache(path, key) == course
    path.chmod(0o644)  # others could have written it
    assert read_cache(path, key) is None
    path.chmod(0o600)
    target = tmp_path / "elsewhere.pickle"
    path.rename(target)
    path.symlink_to(target)
    assert read_cache(path, key) is None
    assert load_course_cached(course_dir, cache_dir) == course  # parsed, and the link replaced by a file
    assert not path.is_symlink()


def test_an_unwritable_cache_folder_costs_only_the_cache(course_dir, tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be")
    assert titles(load_course_cached(course_dir, blocker)) == titles(load_course(course_dir))


def test_a_bare_start_parses_its_command_line_without_the_other_commands():
    """`cdc-tutor` (the TUI) imports only the `run` command; each other command keeps its options."""
    probe = (
        "import sys; from cdc_tutor.cli import build_parser; "
        "args = build_parser([]).parse_args(['run', '--no-lab']); "
        "print(args.no_lab, sorted(m for m in sys.modules if m.startswith('cdc_tutor.commands.')))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True ['cdc_tutor.commands.run']", done.stdout + done.stderr
    lab = subprocess.run([sys.executable, "-m", "cdc_tutor", "lab", "--help"], capture_output=True, text=True)
    assert lab.returncode == 0 and "--no-workload" in lab.stdout
