"""Every bundled lesson verifies against the real stack too (lab mode): PostgreSQL changes made by
the workload flow through Debezium into the topics the lessons read, and the outage step of
lesson 01 stops and restarts the real broker.

The Python lessons run whole. The engine lessons run their first step: the engine's Kafka source on
the stack's Debezium topics and its checks. Their later steps read the same topics the same way;
that those topics hold the same bytes as the embedded source's is tests/stack/test_parity.py's
proof, and every step of them runs in CI on the broker lab, walked at 80x24
(tests/ui/test_scripted_student.py). One JVM lesson whole here costs 2-4 minutes of CI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cdc_tutor.course.loader import load_course
from tests.content.test_verify import verify
from tests.engines import ensure_engine, link_engine
from tests.engines.test_engines_on_broker_lab import DECIMAL_COURSE

ROOT = Path(__file__).resolve().parents[2]


def _tutor(data_dir: Path, *args: str, **options) -> subprocess.Popen:
    env = {**os.environ, "CDC_TUTOR_CONFIG": str(data_dir / "no-config.toml"), "PYTHONUNBUFFERED": "1"}
    for variable in (
        "CDC_TUTOR_LESSONS",
        "CDC_TUTOR_BOOTSTRAP_SERVERS",
        "CDC_TUTOR_POSTGRES_DSN",
        "CDC_TUTOR_REDIS_URL",
    ):
        env.pop(variable, None)
    return subprocess.Popen(
        [sys.executable, "-m", "cdc_tutor", "--data-dir", str(data_dir), *args], cwd=ROOT, env=env, text=True, **options
    )


def engines_of_the_bundled_lessons() -> set[str]:
    return {lesson.engine for lesson in load_course(ROOT / "lessons").lessons()} - {"python"}


COURSE = load_course(ROOT / "lessons")
BUNDLED = [lesson.id for lesson in COURSE.lessons()]


def steps_verified_on_the_stack(lesson_id: str) -> tuple[str, ...]:
    """`verify`'s step option for a lesson: none (the whole lesson) unless it needs a JVM engine."""
    lesson = COURSE.find(lesson_id)
    assert lesson is not None, lesson_id
    return () if lesson.engine == "python" else ("--step", lesson.steps[0].id)


@pytest.fixture(scope="module")
def stack_with_workload(native_stack, tmp_path_factory):
    """The stack's data dir with the engines linked in and the workload changing PostgreSQL."""
    data_dir = native_stack.config.state_dir.parent  # where `lab up` keeps the stack: outages work
    for engine in sorted(engines_of_the_bundled_lessons()):  # the engine lessons, set up once per session
        link_engine(data_dir, engine, tmp_path_factory)
    workload = _tutor(
        data_dir, "lab", "workload", "--rate", "5", "--seed", "3", stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        yield data_dir
    finally:
        workload.send_signal(signal.SIGINT)
        workload.communicate(timeout=30)


@pytest.mark.parametrize("lesson_id", BUNDLED)
def test_every_lesson_verifies_against_the_native_stack(lesson_id, native_stack, stack_with_workload):
    verify = _tutor(
        stack_with_workload,
        "--bootstrap-servers",
        native_stack.config.bootstrap_servers,
        "verify",
        lesson_id,
        *steps_verified_on_the_stack(lesson_id),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        out, _ = verify.communicate(timeout=900)
    finally:
        if verify.poll() is None:
            verify.kill()
    assert verify.returncode == 0, out[-6000:]
    assert "FAIL" not in out, out[-6000:]
    assert f"PASS {lesson_id}/" in out, out[-6000:]
    assert native_stack.status().broker  # an outage step restored the broker it stopped


def test_a_flink_lesson_reads_string_decimals_from_the_stacks_second_connector(native_stack, tmp_path_factory):
    """On the real stack `tutor.topic("orders")` of a `decimalMode: string` lesson is the
    string-decimals connector's topic, which Flink's debezium-json parses into DECIMAL(10, 2)
    (the tutorial's precise topic fails the job)."""
    data_dir = ensure_engine("flink", tmp_path_factory).data_dir
    done = verify(DECIMAL_COURSE, data_dir, "--bootstrap-servers", native_stack.config.bootstrap_servers)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "PASS module-1/01-decimals/totals/decimals" in done.stdout
