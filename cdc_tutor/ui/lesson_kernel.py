"""LessonKernel: the lesson screen's adapter over Practice (cdc_tutor.practice), nothing more.

Practice runs the kernel, the queue and the checks in its own threads and reports events; this
turns each into a pane item (the panes' inboxes are drained by their timers) or a message posted to
the screen (ui/messages.py). Status lines set from the UI thread go straight to the output pane.
"""

from __future__ import annotations

from cdc_tutor import strings
from cdc_tutor.course.changelog import CHANGELOG_MIME
from cdc_tutor.course.model import Lesson, Step
from cdc_tutor.kernel import DisplayOutput
from cdc_tutor.practice import events
from cdc_tutor.practice.practice import Practice
from cdc_tutor.ui import messages
from cdc_tutor.ui.widgets.output_pane import Note, RunBegan, RunEnded

LAB_WAIT_SECONDS = 20.0  # how long a starting kernel waits for the app's lab


def run_outcome(result) -> tuple[str, str]:
    """The status line for a finished snippet and its tone (see output_pane.STATUS_STYLES)."""
    status = getattr(result, "status", "error")
    if status == "ok":
        return strings.RUN_OK.format(seconds=result.duration_s), "ok"
    if status == "error":
        error = result.error
        return strings.RUN_ERROR.format(error=f"{error.ename}: {error.evalue}" if error else "?"), "error"
    if status == "died":
        return strings.RUN_DIED.format(code=result.exit_code if result.exit_code is not None else "?"), "died"
    words = {"interrupted": strings.RUN_INTERRUPTED, "timeout": strings.RUN_TIMEOUT, "aborted": strings.RUN_ABORTED}
    return words.get(status, status), "warn"


class LessonKernel:
    """One per lesson screen; UI-thread methods only. `practice` does the work."""

    def __init__(self, screen, lesson: Lesson, output, frames, windows) -> None:
        self.screen, self.lesson = screen, lesson
        self.output, self.frames, self.windows = output, frames, windows
        app = screen.app
        self.practice = Practice(
            lesson,
            app.settings_or_default(),
            self._on_event,
            lab=lambda: app.wait_for_lab(lesson, LAB_WAIT_SECONDS, self._say_waiting_for_lab),
        )
        self._on_checked = None

    # -- what the screen asks -------------------------------------------------------------------

    @property
    def wanted(self) -> bool:
        return self.practice.wanted

    @property
    def runner(self):
        return self.practice.runner

    @property
    def problem(self) -> str | None:
        """Why the kernel could not start, as the student reads it."""
        practice = self.practice
        if practice.problem is None:
            return None
        return self._failure_text(practice.problem, practice.problem_hint)

    def _failure_text(self, problem: str | None, hint: str | None) -> str | None:
        return strings.ENGINE_MISSING.format(engine=self.lesson.engine, command=hint) if hint else problem

    @property
    def running(self) -> tuple[str, int] | None:
        return self.practice.running

    def start(self) -> None:
        if not self.wanted:
            self.output.set_status(strings.KERNEL_NONE)
        self.practice.start()

    def check(self, session, checkpoint_id: str, answer: str, done) -> None:
        """Judge a kernel/Kafka checkpoint; `done(checkpoint_id, outcome)` runs on the UI thread with
        the CheckOutcome, or with a string saying why the check itself broke."""
        self._on_checked = done
        self.practice.check(session, checkpoint_id, answer)

    def run(self, step: Step, indexes: list[int], codes: dict[int, str] | None = None) -> bool:
        was_busy = self.practice.busy
        if not self.practice.run(step, indexes, codes):
            self.output.set_status(strings.KERNEL_FAILED.format(problem=self.problem), "error")
            return False
        if not self.practice.ready:
            self.output.set_status(strings.KERNEL_NOT_READY, "busy")
        elif was_busy:
            self.output.set_status(strings.RUN_QUEUED.format(count=self.practice.queued), "busy")
        return True

    def interrupt(self) -> bool:
        interrupted = self.practice.interrupt()
        if interrupted and self.practice.running is not None:
            self.screen.post_message(messages.KernelInterrupted(self.lesson.id))
        return interrupted

    def restart(self) -> None:
        self.practice.restart()

    def stop_streams(self) -> None:
        self.practice.stop_streams()

    def close(self) -> None:
        self.practice.close()

    # -- events, from Practice's threads --------------------------------------------------------

    def _say_waiting_for_lab(self) -> None:
        self.output.put(Note(strings.KERNEL_WAITING_FOR_LAB, "busy", in_log=False))

    def _on_event(self, event) -> None:
        lesson_id, post, put = self.lesson.id, self.screen.post_message, self.output.put
        if isinstance(event, events.SnippetBegan):
            put(RunBegan(event.index, event.step_title))
            post(messages.SnippetStarted(lesson_id, event.step_id, event.index))
        elif isinstance(event, events.SnippetEnded):
            if event.problem is not None:
                put(Note(strings.KERNEL_FAILED.format(problem=event.problem), "error"))
            text, tone = (
                (strings.KERNEL_RESTARTING, "busy") if event.restarted_on_request else run_outcome(event.result)
            )
            put(RunEnded(text, tone))
            post(messages.SnippetFinished(lesson_id, event.step_id, event.index, event.status, event.result))
        elif isinstance(event, events.KernelChanged):
            self._on_kernel(event)
        elif isinstance(event, events.QueueDropped):
            put(Note(strings.QUEUE_DROPPED.format(count=event.count), "warn"))
        elif isinstance(event, events.StreamsStopped):
            post(messages.StreamsStopped(lesson_id, event.count, event.problem))  # the notice: any tab shows it
            if event.problem:
                put(Note(strings.STREAMS_STOP_FAILED.format(problem=event.problem), "error"))
            elif event.count:
                put(Note(strings.STREAMS_STOPPED.format(count=event.count), "warn"))
        elif isinstance(event, events.CheckJudged):
            outcome = event.outcome
            if isinstance(outcome, Exception):
                outcome = strings.CHECK_FAILED_ERROR.format(problem=outcome)
            try:
                self.screen.app.call_from_thread(self._on_checked, event.checkpoint_id, outcome)
            except RuntimeError:  # the app closed meanwhile
                pass
        else:  # the kernel's own output: into the right pane's inbox
            if isinstance(event, DisplayOutput):
                if event.frame is not None:
                    self.frames.put(event.frame)
                if CHANGELOG_MIME in event.data:
                    self.windows.put(event.data[CHANGELOG_MIME])
            put(event)

    def _on_kernel(self, event: events.KernelChanged) -> None:
        lesson_id, post, put = self.lesson.id, self.screen.post_message, self.output.put
        state = event.state
        if state == "starting":
            put(Note(strings.KERNEL_STARTING.format(engine=self.lesson.engine), "busy", in_log=False))
        elif state == "ready":
            put(Note(strings.KERNEL_READY if event.bootstrap else strings.KERNEL_READY_NO_LAB, "ok", in_log=False))
            post(messages.KernelReady(lesson_id, event.bootstrap))
        elif state == "failed":
            problem = self._failure_text(event.problem, event.hint)
            put(Note(strings.KERNEL_FAILED.format(problem=problem), "error"))
            post(messages.KernelFailed(lesson_id, problem))
        elif state == "died":
            post(messages.KernelDied(lesson_id, event.exit_code))
        elif state == "died-idle":  # no snippet reported it
            post(messages.KernelDied(lesson_id, None))
            put(Note(strings.RUN_DIED.format(code="?"), "died"))
        elif state == "restarting":
            put(Note(strings.KERNEL_RESTARTING, "busy"))
        elif state == "restarted":
            put(Note(strings.KERNEL_RESTARTED, "warn"))
            post(messages.KernelRestarted(lesson_id))
        elif state == "restart-failed":
            put(Note(strings.KERNEL_FAILED.format(problem=event.problem), "error"))
            post(messages.KernelFailed(lesson_id, event.problem))
        elif state == "stuck":
            put(Note(strings.KERNEL_STUCK, "error"))
            post(messages.KernelStuck(lesson_id))
