"""A plain (non-editable) install carries the lessons and the stylesheet, and finds them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_wheel_ships_every_module_and_lesson(tmp_path):
    # Build from a clean copy: a stale build/ folder in the checkout would leak old files in.
    source = tmp_path / "source"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis", "tests"
        ),
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(tmp_path / "dist")], check=True
    )
    wheel = next((tmp_path / "dist").glob("cdc_tutor-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())

    source_modules = {p.relative_to(REPO).as_posix() for p in (REPO / "cdc_tutor").rglob("*.py")}
    assert source_modules <= names, f"missing from the wheel: {sorted(source_modules - names)}"
    lessons = {
        f"cdc_tutor/lessons/{p.relative_to(REPO / 'lessons').as_posix()}"
        for p in (REPO / "lessons").rglob("*")
        if p.suffix in (".md", ".yaml")
    }
    assert lessons and lessons <= names, f"missing from the wheel: {sorted(lessons - names)}"
    assert "cdc_tutor/ui/app.tcss" in names

    # Installed on its own (not the checkout), the tutor finds its bundled lessons.
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], check=True
    )
    probe = (
        "import cdc_tutor, sys; from cdc_tutor.settings import bundled_lessons_dir;"
        "from cdc_tutor.course.loader import load_course;"
        "c = load_course(bundled_lessons_dir());"
        "print(cdc_tutor.__file__); print(len(c.lessons()), len(c.all_problems()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    module_file, counts = result.stdout.strip().splitlines()
    assert module_file.startswith(str(target))
    lesson_count, problem_count = map(int, counts.split())
    assert lesson_count == len(list((REPO / "lessons").glob("*/*/lesson.md"))) and problem_count == 0
