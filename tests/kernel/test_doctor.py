"""`cdc-tutor doctor`: the real checks pass on this machine; a missing engine environment is a warning
naming the lessons that need it, with the setup command once, exit 0; a crashing check is reported."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from cdc_tutor.commands import doctor
from cdc_tutor.settings import Settings

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def run_doctor(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CDC_TUTOR_LESSONS", "CDC_TUTOR_BOOTSTRAP_SERVERS")
    }
    env["CDC_TUTOR_CONFIG"] = str(data_dir / "no-config.toml")
    return subprocess.run(
        [sys.executable, "-m", "cdc_tutor", "doctor", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=ROOT,
    )


def test_everything_but_the_engines_is_fine_here(tmp_path):
    done = run_doctor(tmp_path, "--skip", "engines")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for title in (
        "Python-пакеты",
        "Java",
        "Ядро python",
        "Встроенная лаборатория",
        "Онлайн-хранилище (Redis)",
        "Уроки",
    ):
        assert any(line.startswith(f"OK   {title}: ") for line in lines), (title, lines)
    assert lines[-1] == "Всё в порядке."


def test_a_missing_engine_environment_warns_naming_its_lessons_and_the_fix_once(tmp_path):
    """Only the engine lessons need Flink and Spark: a WARN naming them, exit 0, the command once."""
    course = tmp_path / "course"
    shutil.copytree(FIXTURES / "course", course)
    shutil.copytree(FIXTURES / "stream_course" / "module-1" / "01-stream", course / "module-1" / "03-stream")
    done = run_doctor(tmp_path / "fresh", "--only", "engines", "--lessons", str(course))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    engines = {"flink": "03", "spark": None, "flink-spark": None}  # the stream fixture runs on Flink
    for engine, lesson in engines.items():
        at = next(i for i, line in enumerate(lines) if line.startswith(f"WARN Окружение {engine}: "))
        assert lines[at + 1] == f"     Как исправить: cdc-tutor setup {engine}"
        assert len(re.findall(f"cdc-tutor setup {engine}(?![-\\w])", done.stdout)) == 1  # the fix, said once
        if lesson:
            assert f"только урокам {lesson}," in lines[at], lines[at]
        else:
            assert "таких нет" in lines[at], lines[at]
    assert lines[-1].startswith("Всё нужное в порядке; предупреждений: 3")


def test_broken_lessons_fail_with_the_lint_command(tmp_path):
    broken = ROOT / "tests" / "fixtures" / "broken" / "lessons"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cdc_tutor",
            "doctor",
            "--only",
            "lessons",
            "--lessons",
            str(broken),
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 1
    assert f"Как исправить: cdc-tutor lint {broken}" in done.stdout


def test_a_crashing_check_is_a_failure_not_a_traceback(tmp_path):
    def explode(settings):
        raise RuntimeError("boom")

    findings = doctor.run_checks(Settings(data_dir=tmp_path), [doctor.Check("x", "Проверка X", explode)])
    assert [(f.ok, f.title) for f in findings] == [(False, "Проверка X")]
    assert "RuntimeError: boom" in findings[0].detail and findings[0].fix


def test_unknown_check_names_are_a_usage_error(tmp_path):
    done = run_doctor(tmp_path, "--only", "nothing")
    assert done.returncode == 2 and "unknown check 'nothing'" in done.stdout


def test_lab_mode_checks_the_configured_stack_and_says_how_to_fix_it(tmp_path):
    from cdc_tutor.kafka.broker import EmbeddedBroker

    with EmbeddedBroker() as broker:  # a real Kafka-protocol broker, but no Connect and no topics
        done = run_doctor(tmp_path, "--only", "stack", "--bootstrap-servers", broker.bootstrap_servers)
    lines = done.stdout.splitlines()
    assert done.returncode == 1, done.stdout + done.stderr
    assert any(line.startswith("OK   Брокер: ") for line in lines), lines
    assert any(line.startswith("FAIL Коннектор Debezium: ") for line in lines), lines
    assert "Traceback" not in done.stdout + done.stderr


def test_a_broken_config_file_is_a_finding(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("bootstrap_servers = = 1\n")
    env = {**os.environ, "CDC_TUTOR_CONFIG": str(config)}
    env.pop("CDC_TUTOR_BOOTSTRAP_SERVERS", None)
    done = subprocess.run(
        [sys.executable, "-m", "cdc_tutor", "doctor", "--data-dir", str(tmp_path), "--only", "config"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 1 and f"FAIL Файл настроек: {config}" in done.stdout, done.stdout + done.stderr
