"""Workshop progress through a real Kafka broker (the broker lab's): a student's tutor publishes
what the workshop asks for and nothing more, and the instructor's view (`cdc-tutor instructor`)
shows three students, read from its rendered screen."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from functools import partial

import pytest

from cdc_tutor.course.progress import ProgressStore
from cdc_tutor.course.session import LessonSession
from cdc_tutor.kafka.progress_topic import ProgressPublisher, ensure_topic, follow
from cdc_tutor.settings import Settings
from cdc_tutor.ui.instructor import InstructorApp
from tests.engines import engines_data_dir

from .conftest import RecordingApp, record
from .test_code_kernel import wait_until
from .test_small_screen import screen_lines
from .test_walk import FIRST, open_lesson, type_answer


@pytest.fixture(scope="module")
def workshop_broker(tmp_path_factory):
    """A real Kafka broker (the broker lab's JVM), as a workshop's stack would have."""
    from cdc_tutor.lab.jvm_broker import JvmBroker

    data_dir = engines_data_dir(tmp_path_factory)
    setup = subprocess.run(
        [sys.executable, "-m", "cdc_tutor", "setup", "kafka", "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert setup.returncode == 0, setup.stdout + setup.stderr
    broker = JvmBroker(data_dir).start(warm_up=False)
    try:
        yield broker.bootstrap_servers
    finally:
        broker.close()


def collected(bootstrap: str, topic: str, count: int, seconds: float = 20) -> list:
    events: list = []
    stop = threading.Event()
    reader = threading.Thread(target=follow, args=(bootstrap, topic, events.extend, stop))
    reader.start()
    deadline = time.monotonic() + seconds
    while len(events) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    reader.join(10)
    return events


@pytest.mark.parametrize("share", [True, False], ids=["answers-shared", "answers-kept"])
async def test_a_students_tutor_publishes_progress_only_when_the_workshop_asks(
    workshop_broker, course, store, tmp_path, share
):
    topic = f"workshop-{uuid.uuid4().hex[:8]}"
    ensure_topic(workshop_broker, topic)
    settings = Settings(
        data_dir=tmp_path / "data", bootstrap_servers=workshop_broker, workshop_topic=topic, user="ann",
        workshop_share_answers="yes" if share else None,
    )  # fmt: skip
    app = RecordingApp(course, store, settings=settings)
    async with app.run_test(size=(100, 30), message_hook=record(app)) as pilot:
        await open_lesson(pilot, FIRST)
        await type_answer(pilot, "x")
        await type_answer(pilot, "c")
    events = collected(workshop_broker, topic, 3)
    assert [(e.student, e.kind, e.lesson, e.step) for e in events] == [
        ("ann", "opened", FIRST, "create-event"),
        ("ann", "failed", FIRST, "create-event"),
        ("ann", "passed", FIRST, "create-event"),
    ]
    failed = events[1]
    assert failed.checkpoint == "op-insert" and failed.reason
    assert failed.answer == ("x" if share else None)
    assert not any(e.answer for e in events if e.kind != "failed")


async def test_the_instructor_view_shows_three_students_live(workshop_broker, course):
    topic = f"workshop-{uuid.uuid4().hex[:8]}"
    ensure_topic(workshop_broker, topic)
    app = InstructorApp(partial(follow, workshop_broker, topic), topic)
    publisher = ProgressPublisher(workshop_broker, topic)
    lesson = course.find(FIRST)

    def three_students() -> None:  # the tutor's own session logic, publishing as the app wires it
        for student, answers in (("bob", ["x", "y"]), ("ann", ["c"]), ("cid", ["z", "c"])):
            session = LessonSession(lesson, ProgressStore.in_memory(), publisher.observer(student, True))
            for answer in answers:
                session.check("op-insert", answer)
        publisher.close()

    async with app.run_test(size=(100, 30)) as pilot:
        threading.Thread(target=three_students).start()
        await wait_until(pilot, lambda: len(app.room.rows) == 3 and app.room.events == 8, 30)
        await pilot.pause(app.REFRESH_SECONDS * 2)
        lines = screen_lines(app)
        text = "\n".join(lines)
        rows = {name: next(line for line in lines if f" {name} " in f" {line} ") for name in ("ann", "bob", "cid")}
        assert "студентов 3" in text, text
        # bob opened first and never passed: stuck longest, on top; ann passed after bob opened
        assert lines.index(rows["bob"]) < lines.index(rows["ann"]), text
        assert "2× «x»" not in text and "1× «x»" in text and "1× «z»" in text, text
        assert rows["bob"].split()[1] == "·" and rows["bob"].split()[4:6] == ["0", "2"], rows["bob"]


def student_doctor(bootstrap: str, topic: str, student: str, tmp_path, *checks: str, config: str = ""):
    """`cdc-tutor doctor` as a workshop student runs it: settings from the environment."""
    config_file = tmp_path / f"{student}.toml"
    config_file.write_text(config, encoding="utf-8")
    env = {
        **os.environ, "CDC_TUTOR_BOOTSTRAP_SERVERS": bootstrap, "CDC_TUTOR_WORKSHOP_TOPIC": topic,
        "CDC_TUTOR_USER": student, "CDC_TUTOR_CONFIG": str(config_file), "CDC_TUTOR_DATA_DIR": str(tmp_path / student),
    }  # fmt: skip
    only = [argument for check in checks for argument in ("--only", check)]
    return subprocess.run(
        [sys.executable, "-m", "cdc_tutor", "doctor", *only], capture_output=True, text=True, env=env, timeout=120
    )


async def test_the_instructor_sees_each_students_doctor_verdict(workshop_broker, tmp_path):
    topic = f"workshop-{uuid.uuid4().hex[:8]}"
    ensure_topic(workshop_broker, topic)
    healthy = student_doctor(workshop_broker, topic, "eve", tmp_path, "deps")
    broken = student_doctor(workshop_broker, topic, "dan", tmp_path, "deps", "config", config="bootstrap_servers = [")
    assert healthy.returncode == 0 and "Отчёт отправлен преподавателю" in healthy.stdout, healthy.stdout
    assert broken.returncode == 1 and "Отчёт отправлен преподавателю" in broken.stdout, broken.stdout
    app = InstructorApp(partial(follow, workshop_broker, topic), topic)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: len(app.room.rows) == 2, 30)
        await pilot.pause(app.REFRESH_SECONDS * 2)
        lines = screen_lines(app)
        text = "\n".join(lines)
        rows = {name: next(line for line in lines if f" {name} " in f" {line} ") for name in ("eve", "dan")}
        assert rows["eve"].split()[1] == "✓" and rows["dan"].split()[1] == "✗", text
        assert "doctor у студентов:" in text and "✗ dan: FAIL" in text and "eve:" not in text, text


def test_a_doctor_whose_workshop_broker_is_gone_says_so_and_still_reports_locally(tmp_path):
    done = student_doctor("127.0.0.1:1", "workshop.progress", "fay", tmp_path, "deps")
    assert done.returncode == 0, done.stdout + done.stderr  # the student's own checks decide the exit status
    assert "OK   " in done.stdout and "Отчёт преподавателю не доставлен" in done.stdout, done.stdout
