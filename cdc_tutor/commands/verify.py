"""`cdc-tutor verify [LESSON...]`: prove every checkpoint can fail and that the solutions pass.

Like `rustlings dev check`. Per lesson: a fresh embedded lab (the lesson's `lab` options), or with
--bootstrap-servers the real stack and a fresh `{user}` namespace, and a fresh kernel. Per step, in order: every checkpoint must fail first (an `answer` gets the empty
answer), then setupCode, the snippets and solutionCode run, then every checkpoint must pass (an
`answer` gets its first accepted answer). One line per checkpoint; exit 1 on any failure, 2 when
a LESSON is unknown.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from dataclasses import dataclass, field

HELP = "проверить решения уроков / run every lesson's solutions and checkpoints headlessly"
DEFAULT_TIMEOUT = 600.0  # seconds per piece of code (a Spark job's first run takes a while)
SETTLE_POLL = 0.5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("lesson_ids", nargs="*", metavar="LESSON",
                        help="id урока (module-5/01-...), имя папки или путь; по умолчанию все / "
                             "lesson id, folder name or path (default: every lesson)")
    parser.add_argument("--step", default=None, metavar="ID",
                        help="проверить только этот шаг (код предыдущих шагов выполняется) / "
                             "check only this step (earlier steps' code still runs)")
    parser.add_argument("--keep-going", action=argparse.BooleanOptionalAction, default=True,
                        help="продолжать после ошибки (по умолчанию) / go on after a failure (default)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"предел на каждый фрагмент кода (по умолчанию {DEFAULT_TIMEOUT:g}) / "
                             "time limit per piece of code")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="печатать вывод кода урока / echo the lesson code's output")


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0
    lines: list[str] = field(default_factory=list)

    def line(self, ok: bool, where: str, reason: str = "") -> None:
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        text = f"PASS {where}" if ok else f"FAIL {where}: {reason}"
        self.lines.append(text)
        print(text, flush=True)


def select_lessons(course, wanted: list[str]):
    """The lessons named (all when none), or raise LookupError naming the unknown one."""
    from pathlib import Path

    everything = course.all_lessons()
    if not wanted:
        return everything
    chosen = []
    for name in wanted:
        path = Path(name).resolve() if Path(name).exists() else None
        found = [lesson for lesson in everything
                 if lesson.id == name or lesson.id.split("/")[-1] == name
                 or (path is not None and (lesson.path.resolve() == path or lesson.path.resolve().parent == path))]
        if not found:
            raise LookupError(name)
        chosen.extend(lesson for lesson in found if lesson not in chosen)
    return chosen


def lab_options(lesson):
    from cdc_tutor.lab_options import LabOptions

    names = {"workload": "workload", "rate": "rate", "seed": "seed", "schemas": "schemas_enabled",
             "decimalMode": "decimal_mode"}
    return LabOptions(**{names[k]: v for k, v in lesson.lab.items() if k in names})


def needs_kernel(lesson) -> bool:
    from cdc_tutor.course.checkpoints import KINDS

    return any(step.has_code or any(KINDS[cp.kind].needs_context for cp in step.checkpoints)
               for step in lesson.steps)


def verify_lesson(lesson, settings, tally: Tally, *, only_step: str | None = None,
                  timeout: float = DEFAULT_TIMEOUT, verbose: bool = False) -> None:
    """Verify one lesson; every outcome goes to `tally` (and stdout)."""
    from cdc_tutor.course.model import BrokenLesson

    if isinstance(lesson, BrokenLesson):
        tally.line(False, lesson.id, f"lesson is broken ({len(lesson.problems)} problem(s); run cdc-tutor lint)")
        return
    if not needs_kernel(lesson):
        _verify_steps(lesson, None, tally, only_step, timeout, verbose)
        return
    from cdc_tutor.kernel import EngineMissing, KernelStartFailed, UnknownEngine
    from cdc_tutor.lab import EmbeddedLab, ExternalLab
    from cdc_tutor.runner import LessonRunner

    lab = runner = None
    try:
        external = getattr(settings, "bootstrap_servers", None)
        if external:  # lab mode: the real stack; a fresh namespace so nothing passes from a past run
            from cdc_tutor.course.context import default_user

            from cdc_tutor.stack.outage import native_outage_for

            lab = ExternalLab(external, outage=native_outage_for(settings.data_dir, external))
            user = f"{getattr(settings, 'user', None) or default_user()}-verify-{uuid.uuid4().hex[:6]}"
        else:
            lab, user = EmbeddedLab(lab_options(lesson)).start(), None
        runner = LessonRunner(lesson, settings, lab.bootstrap_servers, user=user,
                              lab=lab if getattr(lab, "can_cut", True) else None)
        runner.start()
        if runner.tutor_error:
            tally.line(False, lesson.id, f"the tutor module failed to load: {runner.tutor_error.splitlines()[-1]}")
        _verify_steps(lesson, runner, tally, only_step, timeout, verbose)
    except EngineMissing as missing:
        from cdc_tutor.engines import missing_engine_hint

        tally.line(False, lesson.id, f"{missing_engine_hint(missing.engine)} ({missing.hint})")
    except (KernelStartFailed, UnknownEngine) as problem:
        tally.line(False, lesson.id, f"the {lesson.engine} kernel did not start: {str(problem).splitlines()[0]}")
    except Exception as problem:  # noqa: BLE001 - one lesson's crash must not hide the others' results
        tally.line(False, lesson.id, f"{type(problem).__name__}: {problem}")
    finally:
        if runner is not None:
            runner.shutdown()
        if lab is not None:
            lab.close()


def _verify_steps(lesson, runner, tally: Tally, only_step, timeout: float, verbose: bool) -> None:
    steps = list(lesson.steps)
    if only_step is not None:
        position = next(i for i, step in enumerate(steps) if step.id == only_step)
        for earlier in steps[:position]:  # their state is what the step builds on
            if runner is not None:
                runner.run_step(earlier, solution=True, timeout=timeout)
        steps = [steps[position]]
    for step in steps:
        where = f"{lesson.id}/{step.id}"
        before = {cp.id: _judge(cp, runner, step.id, before=True) for cp in step.checkpoints}
        if runner is not None and step.has_code:
            echo = _echo if verbose else None
            for done in runner.run_step(step, echo, solution=True, timeout=timeout):
                if not done.result.ok:
                    label = done.part if done.part != "snippet" else f"snippet-{done.index}"
                    tally.line(False, f"{where}/{label}", _describe(done.result))
        for checkpoint in step.checkpoints:
            if before[checkpoint.id].passed:
                tally.line(False, f"{where}/{checkpoint.id}", "passes before the step's code ran: it cannot fail")
                continue
            after = _judge(checkpoint, runner, step.id, before=False)
            tally.line(after.passed, f"{where}/{checkpoint.id}", after.reason)


def _judge(checkpoint, runner, step_id: str, *, before: bool):
    from cdc_tutor.course.checkpoints import KINDS, evaluate_checkpoint

    kind = KINDS[checkpoint.kind]
    if kind.needs_input:
        submission = "" if before else str(checkpoint.spec.get("answers", [""])[0])
    else:
        submission = None
    context = runner.context(step_id) if runner is not None else None
    verdict = evaluate_checkpoint(checkpoint, submission, context)
    deadline = time.monotonic() + (0 if before else kind.settle_seconds)
    while not verdict.passed and time.monotonic() < deadline:  # state that lags: Kafka commits
        time.sleep(SETTLE_POLL)
        verdict = evaluate_checkpoint(checkpoint, submission, runner.context(step_id))
    return verdict


def _describe(result) -> str:
    if result.error is not None:
        lines = [line for line in result.error.traceback_plain.strip().splitlines() if line.strip()]
        where = next((line.strip() for line in reversed(lines) if line.strip().startswith(("File", "Cell", "--->"))), "")
        return f"{result.status}: {result.error.ename}: {result.error.evalue}" + (f" ({where})" if where else "")
    return f"{result.status}" + (f" (exit code {result.exit_code})" if result.exit_code is not None else "")


def _echo(event) -> None:
    from cdc_tutor.kernel import ErrorOutput, StreamChunk

    if isinstance(event, StreamChunk):
        print(event.text, end="", flush=True)
    elif isinstance(event, ErrorOutput):
        print(event.traceback_plain, flush=True)


def run(args: argparse.Namespace, settings) -> int:
    from cdc_tutor.course.loader import load_course

    started = time.monotonic()
    course = load_course(settings.lessons_dir)
    try:
        lessons = select_lessons(course, list(args.lesson_ids))
    except LookupError as unknown:
        print(f"cdc-tutor verify: no lesson {unknown.args[0]!r} in {settings.lessons_dir}", file=sys.stderr)
        return 2
    if not lessons:
        print(f"cdc-tutor verify: no lessons in {settings.lessons_dir}", file=sys.stderr)
        return 2
    if args.step is not None:
        lessons = [l for l in lessons if any(step.id == args.step for step in getattr(l, "steps", ()))]
        if not lessons:
            print(f"cdc-tutor verify: no selected lesson has a step {args.step!r}", file=sys.stderr)
            return 2
    tally = Tally()
    for lesson in lessons:
        verify_lesson(lesson, settings, tally, only_step=args.step, timeout=args.timeout, verbose=args.verbose)
        if tally.failed and not args.keep_going:
            break
    seconds = time.monotonic() - started
    verdict = "OK" if not tally.failed else "FAILED"
    print(f"verify {verdict}: {tally.passed} passed, {tally.failed} failed, {len(lessons)} lesson(s) in {seconds:.1f} s")
    return 1 if tally.failed else 0
