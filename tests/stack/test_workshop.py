"""`cdc-tutor workshop up` and `status` on the real native stack, as an instructor runs them: the
students' settings it writes work for their tutors, and their doctor verdicts come back through the
progress topic."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib

from cdc_tutor.stack.native import NativeStack


def cli(data_dir, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cdc_tutor", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip


def student(config_file, *args: str, command: str = "doctor", **variables: str) -> subprocess.CompletedProcess:
    """A student's `cdc-tutor doctor` (or `command`) with the config file the workshop handed them."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CDC_TUTOR_")}
    home = config_file.parent / f"home-{config_file.stem}"
    env.update(CDC_TUTOR_CONFIG=str(config_file), CDC_TUTOR_DATA_DIR=str(home), **variables)
    return subprocess.run(
        [sys.executable, "-m", "cdc_tutor", command, *args], capture_output=True, text=True, timeout=900, env=env
    )


def test_a_workshop_comes_up_hands_out_settings_and_hears_each_students_doctor(native_stack: NativeStack, tmp_path):
    data_dir = native_stack.config.state_dir.parent  # the running stack is this data dir's: reused
    roster = tmp_path / "roster.txt"
    roster.write_text("# morning group\nann\nbob  # late\n", encoding="utf-8")
    up = cli(data_dir, "workshop", "up", "--roster", str(roster), "--topic", "ws.progress")
    assert up.returncode == 0, up.stdout + up.stderr
    configs = data_dir / "workshop" / "students"
    instructor = data_dir / "workshop" / "instructor.toml"
    assert f"CDC_TUTOR_CONFIG={instructor} cdc-tutor instructor" in up.stdout, up.stdout
    assert tomllib.loads(instructor.read_text(encoding="utf-8"))["workshop_topic"] == "ws.progress"
    assert stat.S_IMODE(instructor.stat().st_mode) == 0o600 and "kafka_password" not in instructor.read_text()
    for name in ("ann", "bob"):
        path = configs / f"{name}.toml"
        assert f"{name}" in up.stdout and stat.S_IMODE(path.stat().st_mode) == 0o600
        values = tomllib.loads(path.read_text(encoding="utf-8"))
        assert values["user"] == name and values["workshop_topic"] == "ws.progress"
        assert values["bootstrap_servers"] == native_stack.config.bootstrap_servers
        assert values["redis_url"] == native_stack.config.redis_url
    assert stat.S_IMODE(configs.stat().st_mode) == 0o700

    before = cli(data_dir, "workshop", "status")
    assert before.returncode == 3 and before.stdout.count("нет отчёта") == 2, before.stdout

    ann = student(configs / "ann.toml", "--only", "deps", "--only", "redis", "--only", "stack")
    assert ann.returncode == 0 and "Отчёт отправлен преподавателю" in ann.stdout, ann.stdout + ann.stderr
    # bob's Redis address is wrong: his doctor fails, and the instructor sees why
    bob = student(configs / "bob.toml", "--only", "redis", CDC_TUTOR_REDIS_URL="redis://127.0.0.1:1/0")
    assert bob.returncode == 1 and "Отчёт отправлен преподавателю" in bob.stdout, bob.stdout + bob.stderr
    stranger = student(configs / "ann.toml", "--only", "deps", CDC_TUTOR_USER="zed")
    assert stranger.returncode == 0, stranger.stdout

    after = cli(data_dir, "workshop", "status")
    lines = {line.split()[0]: line for line in after.stdout.splitlines() if line.strip()}
    assert after.returncode == 3, after.stdout  # bob is not ready
    assert "doctor: ✓" in lines["ann"] and "doctor: ✗" in lines["bob"], after.stdout
    assert "redis://127.0.0.1:1/0" in lines["bob"], after.stdout
    assert "zed" in after.stdout and "Готовы (doctor без ошибок): 1 из 2." in after.stdout, after.stdout


def test_a_bad_roster_starts_nothing_and_says_which_line(tmp_path):
    roster = tmp_path / "roster.txt"
    for text, problem in (("ann\nann\n", "line 2: 'ann' is listed twice"), ("ann\nBob;rm\n", "line 2: 'Bob;rm'"),
                          ("# nobody\n", "names no student")):  # fmt: skip
        roster.write_text(text, encoding="utf-8")
        done = cli(tmp_path / "data", "workshop", "up", "--roster", str(roster))
        assert done.returncode == 2 and problem in done.stderr, done.stderr
    assert not (tmp_path / "data" / "stack").exists()
    missing = cli(tmp_path / "data", "workshop", "up", "--roster", str(tmp_path / "none.txt"))
    assert missing.returncode == 2 and "cannot read the roster" in missing.stderr, missing.stderr
