"""The verify algorithm (like `rustlings dev check`): every checkpoint fails first, passes after.

Per lesson: the lab the lesson asks for (open_lab: its `lab:` options, or the real stack in lab
mode with a fresh `{user}` namespace) and a fresh kernel, through the same Practice the TUI uses.
Per step, in order, the way a student goes through it:
1. every checkpoint must fail first (an `answer` gets the empty answer);
2. setupCode and every cell run as the lesson gives them, exercises holding their starters; each
   checkpoint that names an exercise must still fail (a starter that passes teaches nothing);
3. the exercises' solutions go into their cells and the cells from the first exercise on run
   again, as F5 runs them; then every checkpoint must pass (an `answer` gets its first accepted
   answer). A check's `studentSql` (what the student runs in «База») runs in the lab's source
   database just before the solutions (before the step's code in a step without exercises).
Each outcome goes to `report(ok, where, reason)`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from cdc_tutor.course.checkpoints import KINDS
from cdc_tutor.practice.practice import Practice
from cdc_tutor.practice.rules import needs_kernel

Report = Callable[[bool, str, str], None]


def verify_lesson(
    lesson: Any,
    settings: Any,
    report: Report,
    *,
    only_step: str | None = None,
    timeout: float | None = None,
    echo: Callable[[Any], None] | None = None,
) -> None:
    """Verify one lesson; never raises for the lesson's own failures (each is reported)."""
    from cdc_tutor.course.model import BrokenLesson

    if isinstance(lesson, BrokenLesson):
        report(False, lesson.id, f"lesson is broken ({len(lesson.problems)} problem(s); run cdc-tutor lint)")
        return
    if not needs_kernel(lesson):
        _verify_steps(lesson, Practice(lesson, settings, lambda _event: None), report, only_step, timeout, echo)
        return
    from cdc_tutor.engines import engine_python, missing_engine_hint
    from cdc_tutor.kernel import EngineMissing, KernelStartFailed, UnknownEngine
    from cdc_tutor.lab import open_lab

    if lesson.engine != "python" and engine_python(lesson.engine, settings.data_dir) is None:
        # Before the lab: `setup flink|spark` also sets up the broker lab an engine lesson runs on.
        report(False, lesson.id, missing_engine_hint(lesson.engine))
        return

    lab = practice = None
    try:
        lab = open_lab(settings, lesson)
        user = None
        if getattr(settings, "bootstrap_servers", None):  # the real stack: nothing passes from a past run
            from cdc_tutor.course.context import default_user

            user = f"{getattr(settings, 'user', None) or default_user()}-verify-{uuid.uuid4().hex[:6]}"
        practice = Practice(lesson, settings, lambda _event: None, lab=lambda: lab, user=user)
        practice.open()
        if practice.runner.tutor_error:
            report(False, lesson.id, f"the tutor module failed to load: {practice.runner.tutor_error.splitlines()[-1]}")
        _verify_steps(lesson, practice, report, only_step, timeout, echo)
    except EngineMissing as missing:
        from cdc_tutor.engines import missing_engine_hint

        report(False, lesson.id, f"{missing_engine_hint(missing.engine)} ({missing.hint})")
    except (KernelStartFailed, UnknownEngine) as problem:
        report(False, lesson.id, f"the {lesson.engine} kernel did not start: {str(problem).splitlines()[0]}")
    except Exception as problem:  # noqa: BLE001 - one lesson's crash must not hide the others' results
        report(False, lesson.id, f"{type(problem).__name__}: {problem}")
    finally:
        if practice is not None:
            practice.close(wait=True)
        if lab is not None:
            lab.close()


def _verify_steps(
    lesson: Any,
    practice: Practice,
    report: Report,
    only_step: str | None,
    timeout: float | None,
    echo: Callable[[Any], None] | None,
) -> None:
    steps = list(lesson.steps)
    has_kernel = practice.runner is not None
    if only_step is not None:
        position = next(i for i, step in enumerate(steps) if step.id == only_step)
        for earlier in steps[:position]:  # their state (the student's SQL too) is what the step builds on
            if has_kernel:
                _run_student_sql(earlier, practice, report, f"{lesson.id}/{earlier.id}")
                solutions = {cell.index: cell.solution for cell in earlier.exercises}
                practice.run_step_now(earlier, codes=solutions, timeout=timeout)
        steps = [steps[position]]
    for step in steps:
        where = f"{lesson.id}/{step.id}"
        before = {
            cp.id: practice.judge_now(cp, _submission(cp, before=True), step.id, settle=False)
            for cp in step.checkpoints
        }
        if has_kernel and step.has_code:
            _run_as_student(step, practice, report, where, timeout, echo)
        for checkpoint in step.checkpoints:
            if before[checkpoint.id].waived:  # the mock broker: nothing to judge, and nothing hidden
                report(True, f"{where}/{checkpoint.id} (waived: not a real Kafka broker)", "")
                continue
            if before[checkpoint.id].passed:
                report(False, f"{where}/{checkpoint.id}", "passes before the step's code ran: it cannot fail")
                continue
            after = practice.judge_now(checkpoint, _submission(checkpoint, before=False), step.id)
            report(after.passed, f"{where}/{checkpoint.id}", after.reason)


def _run_as_student(
    step: Any, practice: Practice, report: Report, where: str, timeout: float | None, echo: Callable[[Any], None] | None
) -> None:
    """Steps 2 and 3 of the algorithm: the starters, then the solutions typed into the cells."""
    exercises = step.exercises
    first = exercises[0].index if exercises else len(step.snippets) + 1
    if not exercises:
        _run_student_sql(step, practice, report, where)
    # A starter is incomplete by design: errors from the first exercise on are what it does.
    for done in practice.run_step_now(step, echo, stop_on_error=not exercises, timeout=timeout):
        if not done.result.ok and (done.part == "setup" or done.index < first):
            report(False, f"{where}/{_label(done)}", describe(done.result))
    if not exercises:
        return
    for checkpoint in step.checkpoints:
        named = checkpoint.spec.get("exercise")
        if not named:
            continue
        verdict = practice.judge_now(checkpoint, None, step.id, settle=False)
        if verdict.passed and not verdict.waived:  # a waived check (mock broker) judges nothing
            report(False, f"{where}/{checkpoint.id}", f"the starter of exercise '{named}' already passes it")
    _run_student_sql(step, practice, report, where)  # the changes the student makes in «База»
    solutions = {cell.index: cell.solution for cell in exercises}
    for done in practice.run_step_now(step, echo, codes=solutions, first=first, timeout=timeout):
        if not done.result.ok:
            report(False, f"{where}/{_label(done)}", describe(done.result))


def _run_student_sql(step: Any, practice: Practice, report: Report, where: str) -> None:
    """Each `studentSql` of the step's checks, run in the lab's source database as «База» runs it."""
    database = getattr(practice.runner, "database", None)
    for checkpoint in step.checkpoints:
        script = checkpoint.spec.get("studentSql")
        if not script:
            continue
        if database is None:
            report(False, f"{where}/{checkpoint.id}/studentSql", "the lab has no source database to run it in")
            continue
        result = database.execute_script(script)
        if not result.ok:
            report(False, f"{where}/{checkpoint.id}/studentSql", f"the source database refused it: {result.error}")


def _label(done: Any) -> str:
    return done.part if done.part != "snippet" else f"snippet-{done.index}"


def _submission(checkpoint: Any, *, before: bool) -> str | None:
    if not KINDS[checkpoint.kind].needs_input:
        return None
    return "" if before else str(checkpoint.spec.get("answers", [""])[0])


def describe(result: Any) -> str:
    """One line for a piece of code that did not end "ok": the error and where it was raised."""
    if result.error is not None:
        lines = [line for line in result.error.traceback_plain.strip().splitlines() if line.strip()]
        where = next(
            (line.strip() for line in reversed(lines) if line.strip().startswith(("File", "Cell", "--->"))), ""
        )
        return f"{result.status}: {result.error.ename}: {result.error.evalue}" + (f" ({where})" if where else "")
    return f"{result.status}" + (f" (exit code {result.exit_code})" if result.exit_code is not None else "")
