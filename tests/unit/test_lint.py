"""`lint_path` and the `cdc-tutor lint` command: which problems a PATH reports, and the CLI contract."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cdc_tutor.cli import main
from cdc_tutor.course.lint import course_root_for, lint_path, lint_report

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
COURSE = FIXTURES / "course"
BROKEN = FIXTURES / "broken"
PREREQUISITES = BROKEN / "prerequisites"
CYCLE_B = PREREQUISITES / "module-1" / "02-cycle-b"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    monkeypatch.delenv("CDC_TUTOR_LESSONS", raising=False)
    monkeypatch.setenv("CDC_TUTOR_DATA_DIR", str(tmp_path / "data"))


def listing(found, root: Path) -> list[tuple[str, int, str]]:
    return [(p.path.relative_to(root).as_posix(), p.line, p.message) for p in found]


# --------------------------------------------------------------------------------------------
# lint_path


def test_valid_course_has_no_problems():
    assert lint_path(COURSE) == []
    assert lint_report(COURSE).lessons == 3


def test_course_root_reports_everything_sorted_by_file_then_line():
    assert listing(lint_path(PREREQUISITES), PREREQUISITES) == [
        (
            "module-1/01-unknown/lesson.md",
            9,
            "unknown prerequisite 'module-1/03-cycle-k' (did you mean 'module-1/03-cycle-c'?)",
        ),
        (
            "module-1/02-cycle-b/lesson.md",
            11,
            "cyclic prerequisite: module-1/02-cycle-b -> module-1/03-cycle-c -> module-1/02-cycle-b",
        ),
        (
            "module-1/03-cycle-c/lesson.md",
            9,
            "cyclic prerequisite: module-1/03-cycle-c -> module-1/02-cycle-b -> module-1/03-cycle-c",
        ),
        ("module-1/04-self/lesson.md", 9, "cyclic prerequisite: module-1/04-self -> module-1/04-self"),
    ]
    assert lint_report(PREREQUISITES).lessons == 5


def test_sorting_is_by_line_within_a_file():
    found = lint_path(BROKEN / "lessons" / "module-1" / "07-markers")
    assert [p.line for p in found] == [38, 53, 60, 63, 66]


@pytest.mark.parametrize("target", [CYCLE_B, CYCLE_B / "lesson.md"], ids=["folder", "file"])
def test_a_lesson_is_linted_within_its_course(target):
    # The cycle is only visible with the whole course loaded; problems of other lessons are not reported.
    assert listing(lint_path(target), PREREQUISITES) == [
        (
            "module-1/02-cycle-b/lesson.md",
            11,
            "cyclic prerequisite: module-1/02-cycle-b -> module-1/03-cycle-c -> module-1/02-cycle-b",
        ),
    ]
    assert lint_report(target).lessons == 1


def test_a_module_reports_only_its_own_files():
    layout = BROKEN / "layout"
    # module-a has no module.yaml: it is recognised as a module by its lesson folders
    assert [(path, line) for path, line, _ in listing(lint_path(layout / "module-a"), layout)] == [
        ("module-a/02-no-lesson-file", 0),
        ("module-a/3-bad-name/lesson.md", 0),
        ("module-a/module.yaml", 0),
    ]
    assert [(path, line) for path, line, _ in listing(lint_path(layout / "module-b"), layout)] == [
        ("module-b/module.yaml", 1),
        ("module-b/module.yaml", 2),
        ("module-b/module.yaml", 3),
    ]


def test_cross_module_prerequisites_are_found_when_linting_one_module():
    # module-2/01-later requires module-1/02-second: linting module-2 alone must not call it unknown
    assert lint_path(COURSE / "module-2") == []
    assert lint_report(COURSE / "module-2").lessons == 1


def test_course_root_detection():
    assert course_root_for(COURSE) == COURSE
    assert course_root_for(COURSE / "module-1") == COURSE
    assert course_root_for(COURSE / "module-1" / "module.yaml") == COURSE
    assert course_root_for(COURSE / "module-1" / "01-first-events") == COURSE
    assert course_root_for(COURSE / "module-1" / "01-first-events" / "lesson.md") == COURSE
    assert course_root_for(BROKEN / "layout" / "module-a") == BROKEN / "layout"


def test_a_standalone_lesson_is_linted_alone(tmp_path):
    lesson = tmp_path / "drafts" / "01-draft" / "lesson.md"
    lesson.parent.mkdir(parents=True)
    lesson.write_text("no frontmatter\n", encoding="utf-8")
    (tmp_path / "unrelated").mkdir()
    found = lint_path(lesson.parent)
    # the missing drafts/module.yaml is outside PATH: not reported
    assert [(p.path, p.line, p.message) for p in found] == [
        (lesson, 1, "missing frontmatter: the file must start with a '---' line, then YAML, then '---'"),
    ]


def test_paths_stay_relative_when_path_is_relative(monkeypatch):
    monkeypatch.chdir(PREREQUISITES)
    found = lint_path(Path("module-1/04-self"))
    assert [(str(p.path), p.line) for p in found] == [(os.path.join("module-1", "04-self", "lesson.md"), 9)]
    absolute = lint_path(PREREQUISITES / "module-1" / "04-self")
    assert [(p.path, p.line) for p in absolute] == [(PREREQUISITES / "module-1" / "04-self" / "lesson.md", 9)]


# --------------------------------------------------------------------------------------------
# the command


def test_cli_clean_course(capsys):
    assert main(["lint", str(COURSE)]) == 0
    out, err = capsys.readouterr()
    assert out == "OK: 3 lessons, no problems\n"
    assert err == ""


def test_cli_prints_file_line_message_and_summary(capsys):
    assert main(["lint", str(PREREQUISITES)]) == 1
    out, _ = capsys.readouterr()
    lesson = PREREQUISITES / "module-1"
    assert out.splitlines() == [
        f"{lesson / '01-unknown' / 'lesson.md'}:9: unknown prerequisite 'module-1/03-cycle-k' "
        "(did you mean 'module-1/03-cycle-c'?)",
        f"{lesson / '02-cycle-b' / 'lesson.md'}:11: cyclic prerequisite: "
        "module-1/02-cycle-b -> module-1/03-cycle-c -> module-1/02-cycle-b",
        f"{lesson / '03-cycle-c' / 'lesson.md'}:9: cyclic prerequisite: "
        "module-1/03-cycle-c -> module-1/02-cycle-b -> module-1/03-cycle-c",
        f"{lesson / '04-self' / 'lesson.md'}:9: cyclic prerequisite: module-1/04-self -> module-1/04-self",
        "4 problem(s) in 4 file(s)",
    ]


def test_cli_counts_files_and_prints_problems_without_a_line(capsys):
    assert main(["lint", str(BROKEN / "layout" / "module-b")]) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines()[-1] == "3 problem(s) in 1 file(s)"
    assert main(["lint", str(BROKEN / "layout" / "module-a")]) == 1
    out, _ = capsys.readouterr()
    missing = BROKEN / "layout" / "module-a" / "module.yaml"
    assert f"{missing}: missing module.yaml (title and order); using the folder name" in out.splitlines()


def test_cli_missing_path_exits_2(capsys, tmp_path):
    missing = tmp_path / "nope"
    assert main(["lint", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"cdc-tutor lint: {missing}: no such file or directory\n"


def test_cli_defaults_to_the_lessons_directory(capsys, monkeypatch):
    assert main(["--lessons", str(COURSE), "lint"]) == 0
    assert capsys.readouterr().out == "OK: 3 lessons, no problems\n"
    monkeypatch.setenv("CDC_TUTOR_LESSONS", str(PREREQUISITES))
    assert main(["lint"]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "4 problem(s) in 4 file(s)"


def test_cli_path_argument_wins_over_lessons_flag(capsys):
    assert main(["lint", "--lessons", str(PREREQUISITES), str(COURSE)]) == 0
    assert capsys.readouterr().out == "OK: 3 lessons, no problems\n"


def test_importing_the_command_is_cheap():
    code = (
        "import sys, cdc_tutor.commands.lint as m; "
        "assert callable(m.run) and m.HELP; "
        "print(sorted(n for n in ('yaml', 'cdc_tutor.course.loader', 'textual') if n in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.timeout(60)
def test_a_fifo_or_a_link_to_a_device_as_a_lesson_file_is_reported_not_read(tmp_path):
    """`lint` and the catalog read only regular files: a FIFO would block them for ever and a link
    to /dev/zero would read without end; both become a problem line."""
    course = tmp_path / "course"
    (course / "module-1" / "01-fifo").mkdir(parents=True)
    (course / "module-1" / "02-zero").mkdir()
    (course / "module-1" / "module.yaml").write_text('title: "M"\norder: 1\n', encoding="utf-8")
    os.mkfifo(course / "module-1" / "01-fifo" / "lesson.md")
    (course / "module-1" / "02-zero" / "lesson.md").symlink_to("/dev/zero")
    done = subprocess.run(
        [sys.executable, "-m", "cdc_tutor", "lint", str(course)], capture_output=True, text=True, timeout=50
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.count("not a regular file") == 2, done.stdout
