"""LessonRunner over a real python kernel and a real embedded lab: the `tutor` module, snippet
statuses for `ran`, setupCode once, run_step's events, the work dir, restarts, a dead kernel,
the Kafka helpers in the kernel, a changelog display, and a missing engine."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cdc_tutor import strings
from cdc_tutor.course.changelog import ChangelogTable, payload_from_bundle
from cdc_tutor.course.checkpoints import evaluate_checkpoint
from cdc_tutor.course.loader import load_course
from cdc_tutor.course.model import Checkpoint, Lesson, Step
from cdc_tutor.kernel import EngineMissing, StreamChunk, variables
from cdc_tutor.lab import EmbeddedLab
from cdc_tutor.lab.options import LabOptions
from cdc_tutor.practice.events import CodeFinished, CodeStarted
from cdc_tutor.practice.runner import LessonRunner

CODE_COURSE = Path(__file__).resolve().parent.parent / "fixtures" / "code_course"


@dataclass
class FakeSettings:
    data_dir: Path


@pytest.fixture(scope="module")
def lesson() -> Lesson:
    (found,) = load_course(CODE_COURSE).lessons()
    return found


@pytest.fixture(scope="module")
def lab() -> Iterator[EmbeddedLab]:
    with EmbeddedLab(LabOptions(workload=False)) as running:
        yield running


@pytest.fixture(scope="module")
def runner(lesson, lab, tmp_path_factory) -> Iterator[LessonRunner]:
    data_dir = tmp_path_factory.mktemp("runner-data")
    started = LessonRunner(lesson, FakeSettings(data_dir), lab.bootstrap_servers, user="tester", lab=lab)
    started.start()
    yield started
    started.shutdown()


def test_the_kernel_runs_in_a_private_work_dir_with_the_lab_address(runner, lab):
    assert runner.work_dir.parts[-3:] == ("work", "module-1", "01-code-basics")
    assert stat.S_IMODE(runner.work_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(runner.work_dir.parent.parent.stat().st_mode) == 0o700
    result = runner.run_code(
        "import os; print(os.getcwd()); print(os.environ['KAFKA_BOOTSTRAP_SERVERS']);"
        "print(tutor.bootstrap, tutor.user, tutor.name('{user}-g'), tutor.topic('orders'))"
    )
    assert result.stdout.text.split("\n")[:3] == [
        str(runner.work_dir),
        lab.bootstrap_servers,
        f"{lab.bootstrap_servers} tester tester-g dbserver1.inventory.orders",
    ]
    refused = runner.run_code("tutor.topic('dbserver1.inventory.orders')")
    assert "ValueError" in refused.error.ename and "table name" in refused.error.evalue


def test_tutor_is_installed_silently_and_hidden_from_variables(runner):
    assert runner.tutor_error is None
    assert "tutor" not in {variable.name for variable in variables(runner.kernel)}
    assert runner.run_code("import tutor as t; t is tutor").result.text == "True"


def test_snippets_record_their_status_for_ran(runner, lesson):
    step = lesson.steps[0]
    ran = step.checkpoints[0]
    assert not evaluate_checkpoint(ran, None, runner.context(step.id)).passed
    events = []
    result = runner.run_snippet(step, 1, events.append)
    assert result.ok and result.frames and result.frames[0].columns == ["op", "id"]
    assert runner.snippet_status[(step.id, 1)] == "ok"
    assert evaluate_checkpoint(ran, None, runner.context(step.id)).passed
    assert evaluate_checkpoint(step.checkpoints[1], None, runner.context(step.id)).passed  # predicate
    runner.run_code("raise ValueError('x')")  # other code does not count
    assert runner.snippet_status[(step.id, 1)] == "ok"


def test_run_step_runs_setup_once_then_the_cells_with_the_code_they_hold(runner, lesson):
    step = lesson.steps[2]
    exercise = step.exercises[0]
    events = []
    finished = runner.run_step(step, events.append)  # as given: the exercise holds its starter
    assert [(f.part, f.index, f.result.status) for f in finished] == [
        ("setup", 0, "ok"),
        ("snippet", 1, "ok"),
        ("snippet", exercise.index, "ok"),
    ]
    markers = [e for e in events if isinstance(e, (CodeStarted, CodeFinished))]
    assert [(type(e).__name__, e.part, e.index) for e in markers] == [
        ("CodeStarted", "setup", 0),
        ("CodeFinished", "setup", 0),
        ("CodeStarted", "snippet", 1),
        ("CodeFinished", "snippet", 1),
        ("CodeStarted", "snippet", 2),
        ("CodeFinished", "snippet", 2),
    ]
    assert not evaluate_checkpoint(step.checkpoints[0], None, runner.context(step.id)).passed  # the starter
    # The student's text for the exercise cell, from the cell on: setupCode already ran in this kernel.
    again = runner.run_step(step, codes={exercise.index: exercise.solution}, first=exercise.index)
    assert [(f.part, f.index) for f in again] == [("snippet", exercise.index)]
    # the solution published a changelog; the window checkpoint passes
    display = next(d for f in again for d in f.result.displays)
    table = ChangelogTable.from_payload(payload_from_bundle(display.data))
    assert sorted(table.records(["window_start", "op", "count"]))[0] == ("2024-05-01 10:00:00", "c", 2)
    assert evaluate_checkpoint(step.checkpoints[0], None, runner.context(step.id)).passed


def test_kafka_helpers_in_the_kernel_and_checks_in_the_tutor(runner, lesson):
    step = lesson.steps[1]
    committed, written = step.checkpoints[0], step.checkpoints[1]
    assert not evaluate_checkpoint(committed, None, runner.context(step.id)).passed
    assert not evaluate_checkpoint(written, None, runner.context(step.id)).passed
    finished = runner.run_step(step)
    assert all(f.result.ok for f in finished), [f.result.error for f in finished]
    result = runner.run_code(
        "print(sum(tutor.committed('{user}-verify-test', 'dbserver1.inventory.products').values()),"
        " sum(tutor.end_offsets('dbserver1.inventory.products').values()),"
        " [m['value'] for m in tutor.read_topic('{user}-verify-report')],"
        " tutor.committed('nobody', 'dbserver1.inventory.products'))"
    )
    assert result.stdout.text.strip() == "9 9 [{'kind': 'report', 'count': 9}] {}"
    context = runner.context(step.id)
    assert evaluate_checkpoint(committed, None, context).passed
    assert evaluate_checkpoint(written, None, context).passed


def test_a_dead_kernel_fails_checks_and_restart_brings_everything_back(lesson, lab, tmp_path):
    runner = LessonRunner(lesson, FakeSettings(tmp_path), lab.bootstrap_servers, user="tester")
    try:
        step = lesson.steps[0]
        assert not runner.context().has_kernel  # not started: checks say "run the code first"
        assert (
            evaluate_checkpoint(step.checkpoints[1], None, runner.context(step.id)).reason == strings.CHECK_NEEDS_KERNEL
        )
        runner.start()
        assert runner.run_snippet(step, 1).ok
        died = runner.run_code("import os; os._exit(3)")
        assert died.status == "died"
        verdict = evaluate_checkpoint(step.checkpoints[1], None, runner.context(step.id))
        assert verdict.reason == strings.CHECK_KERNEL_DEAD
        runner.restart()
        assert runner.snippet_status == {}
        assert not evaluate_checkpoint(step.checkpoints[0], None, runner.context(step.id)).passed
        assert runner.run_code("tutor.user").result.text == "'tester'"
    finally:
        runner.shutdown()


def test_a_busy_kernel_is_not_asked(runner, lesson):
    import threading

    worker = threading.Thread(target=runner.run_code, args=("import time; time.sleep(1.5)",))
    worker.start()
    try:
        for _ in range(50):
            if runner.context().busy:
                break
            threading.Event().wait(0.02)
        verdict = evaluate_checkpoint(lesson.steps[0].checkpoints[1], None, runner.context(lesson.steps[0].id))
        assert verdict.reason == strings.CHECK_KERNEL_BUSY
    finally:
        worker.join(10)


def test_outage_cuts_the_lab_while_the_step_runs(lab, tmp_path):
    from cdc_tutor.course.model import Outage, Snippet

    # A cut proxy keeps its port but closes each connection at once; an open one waits for a request.
    code = (
        "import time, socket\nhost, port = tutor.bootstrap.rsplit(':', 1)\nstates = []\n"
        "def state():\n"
        "    try:\n"
        "        with socket.create_connection((host, int(port)), timeout=0.5) as s:\n"
        "            s.settimeout(0.2)\n"
        "            return 'down' if s.recv(1) == b'' else 'up'\n"
        "    except TimeoutError:\n        return 'up'\n"
        "    except OSError:\n        return 'down'\n"
        "for _ in range(12):\n"
        "    states.append(state())\n"
        "    time.sleep(0.1)\nprint(''.join(s[0] for s in states))\n"
    )
    step = Step(
        "o",
        "o",
        "t",
        (Checkpoint("r", "ran", "?", ("a", "b"), {"snippet": 1}),),
        "s",
        snippets=(Snippet(1, code, 1),),
        outage=Outage(0.3, 0.5),
    )
    lesson = Lesson("m/01-o", Path("l.md"), "t", "d", 1, "beginner", 1, (), (), "python", (), "", (step,))
    runner = LessonRunner(lesson, FakeSettings(tmp_path), lab.bootstrap_servers, lab=lab)
    try:
        runner.start()
        (done,) = runner.run_step(step)
        pattern = done.result.stdout.text.strip()
        assert pattern.startswith("u") and "d" in pattern and pattern.endswith("u"), pattern
    finally:
        runner.shutdown()
    assert lab.reachable


def test_a_missing_engine_says_which_setup_to_run(tmp_path):
    step = Step("s", "s", "t", (Checkpoint("a", "answer", "?", ("a", "b"), {"answers": ["x"]}),), "s")
    lesson = Lesson("m/01-f", Path("l.md"), "t", "d", 1, "beginner", 1, (), (), "flink", (), "", (step,))
    runner = LessonRunner(lesson, FakeSettings(tmp_path), None)
    with pytest.raises(EngineMissing) as missing:
        runner.start()
    assert missing.value.hint == "cdc-tutor setup flink"
    runner.shutdown()


def test_streamed_events_reach_the_callback(runner):
    chunks = []
    runner.run_code("print('a'); print('b')", lambda e: chunks.append(e.text) if isinstance(e, StreamChunk) else None)
    assert "".join(chunks) == "a\nb\n"


def test_interrupt_stops_a_snippet_and_ran_says_so(lesson, tmp_path):
    import threading

    from cdc_tutor.course.model import Snippet

    step = Step(
        "loop",
        "loop",
        "t",
        (Checkpoint("r", "ran", "?", ("a", "b"), {"snippet": 1}),),
        "s",
        snippets=(Snippet(1, "while True:\n    pass\n", 1),),
    )
    looping = Lesson("m/01-loop", Path("l.md"), "t", "d", 1, "beginner", 1, (), (), "python", (), "", (step,))
    runner = LessonRunner(looping, FakeSettings(tmp_path), None)
    try:
        runner.start()
        results = []
        worker = threading.Thread(target=lambda: results.append(runner.run_snippet("loop", 1)))
        worker.start()
        threading.Event().wait(0.5)
        runner.interrupt()
        worker.join(5)
        assert results and results[0].status == "interrupted"
        verdict = evaluate_checkpoint(step.checkpoints[0], None, runner.context("loop"))
        assert not verdict.passed and strings.RUN_STATUS_WORDS["interrupted"] in verdict.reason
    finally:
        runner.shutdown()
