"""The verify algorithm (like `rustlings dev check`): every checkpoint fails first, passes after.

Per lesson: the lab the lesson asks for (open_lab: its `lab:` options, or the real stack in lab
mode with a fresh `{user}` namespace) and a fresh kernel, through the same Practice the TUI uses.
Per step, in order: every checkpoint must fail first (an `answer` gets the empty answer), then
setupCode, the snippets and solutionCode run, then every checkpoint must pass (an `answer` gets its
first accepted answer). Each outcome goes to `report(ok, where, reason)`.
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
    from cdc_tutor.kernel import EngineMissing, KernelStartFailed, UnknownEngine
    from cdc_tutor.lab import open_lab

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
        for earlier in steps[:position]:  # their state is what the step builds on
            if has_kernel:
                practice.run_step_now(earlier, timeout=timeout)
        steps = [steps[position]]
    for step in steps:
        where = f"{lesson.id}/{step.id}"
        before = {
            cp.id: practice.judge_now(cp, _submission(cp, before=True), step.id, settle=False)
            for cp in step.checkpoints
        }
        if has_kernel and step.has_code:
            for done in practice.run_step_now(step, echo, timeout=timeout):
                if not done.result.ok:
                    label = done.part if done.part != "snippet" else f"snippet-{done.index}"
                    report(False, f"{where}/{label}", describe(done.result))
        for checkpoint in step.checkpoints:
            if before[checkpoint.id].passed:
                report(False, f"{where}/{checkpoint.id}", "passes before the step's code ran: it cannot fail")
                continue
            after = practice.judge_now(checkpoint, _submission(checkpoint, before=False), step.id)
            report(after.passed, f"{where}/{checkpoint.id}", after.reason)


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
