"""LessonKernel: the lesson screen's link to its LessonRunner — start, run queue, interrupt, restart, route.

Workers here only call the Textual-free runner and hand results over: kernel events go into the
panes' inboxes (drained by their timers), state changes go up as messages (ui/messages.py).
"""

from __future__ import annotations

import threading
import time
from collections import deque

from cdc_tutor import strings
from cdc_tutor.course.changelog import CHANGELOG_MIME
from cdc_tutor.course.model import Lesson, Step
from cdc_tutor.kernel import DisplayOutput, KernelStatus
from cdc_tutor.ui import messages
from cdc_tutor.ui.widgets.output_pane import Note, RunBegan, RunEnded

LAB_WAIT_SECONDS = 20.0  # how long a starting kernel waits for the embedded lab's address
START_WAIT_SECONDS = 60.0  # how long a check waits for a kernel that is still starting
WATCH_SECONDS = 1.0  # how often an idle kernel is checked for having died


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
    """One per lesson screen. UI-thread methods: start, run, interrupt, restart, watch, close."""

    def __init__(self, screen, lesson: Lesson, output, frames, windows) -> None:
        self.screen, self.lesson = screen, lesson
        self.output, self.frames, self.windows = output, frames, windows
        self.runner = None
        self.ready = False
        self.problem: str | None = None
        self.running: tuple[str, int] | None = None  # (step id, snippet index) while one runs
        self._queue: deque[tuple[Step, int]] = deque()
        self._lock = threading.Lock()
        self._busy = False  # a worker is starting the kernel or draining the queue
        self._closed = False
        self._restarting = False
        self._settled = threading.Event()  # set once the kernel is ready or failed to start

    @property
    def wanted(self) -> bool:
        """Only lessons with code (or checks of kernel/Kafka state) get a kernel."""
        needs = any(cp.kind != "answer" for step in self.lesson.steps for cp in step.checkpoints)
        return needs or any(step.has_code for step in self.lesson.steps)

    def start(self) -> None:
        if not self.wanted:
            self.output.set_status(strings.KERNEL_NONE)
            self._settled.set()
            return
        self.output.set_status(strings.KERNEL_STARTING.format(engine=self.lesson.engine), "busy")
        self._busy = True
        self.screen.set_interval(WATCH_SECONDS, self.watch)
        self._work(self._start_worker, "kernel-start")

    def context(self):
        """The runner's CheckContext, or None before the kernel exists."""
        runner = self.runner
        return runner.context() if runner is not None and self.ready else None

    def check(self, session, checkpoint_id: str, answer: str, done) -> None:
        """Judge a kernel/Kafka checkpoint in a worker; `done(checkpoint_id, outcome)` runs on the UI
        thread with the CheckOutcome, or with a string saying why the check itself broke."""

        def judge() -> None:
            self._settled.wait(START_WAIT_SECONDS)  # a kernel still starting is waited for
            try:
                outcome = session.check(checkpoint_id, answer, self.context())
            except Exception as problem:  # noqa: BLE001 - a broken check must not take the screen down
                outcome = strings.CHECK_FAILED_ERROR.format(problem=problem)
            try:
                self.screen.app.call_from_thread(done, checkpoint_id, outcome)
            except RuntimeError:  # the app closed meanwhile
                pass

        self._work(judge, "check")

    def run(self, step: Step, indexes: list[int]) -> bool:
        """Queue snippets of `step`; they run one after another, stopping at the first failure.

        False when there is no kernel to run them (it failed to start: `problem` says why).
        """
        if self.problem is not None:
            self.output.set_status(strings.KERNEL_FAILED.format(problem=self.problem), "error")
            return False
        with self._lock:
            self._queue.extend((step, index) for index in indexes)
            launch = self.ready and not self._busy
            self._busy = self._busy or launch
        if not self.ready:
            self.output.set_status(strings.KERNEL_NOT_READY, "busy")
        elif not launch:
            self.output.set_status(strings.RUN_QUEUED.format(count=len(self._queue)), "busy")
        if launch:
            self._work(self._drain_queue, "kernel-run")
        return True

    def interrupt(self) -> bool:
        """Drop the queue and interrupt the running snippet; False when nothing runs."""
        dropped = self._drop_queue()
        if self.running is None or self.runner is None:
            if dropped:
                self.output.put(Note(strings.QUEUE_DROPPED.format(count=dropped), "warn"))
            return bool(dropped)
        self._work(self.runner.interrupt, "kernel-interrupt")
        self.screen.post_message(messages.KernelInterrupted(self.lesson.id))
        return True

    def restart(self) -> None:
        """Restart on the student's request: the running snippet ends, every variable is lost."""
        if self.runner is None or self._restarting:
            return
        self._drop_queue()
        self._restarting = True
        self.output.put(Note(strings.KERNEL_RESTARTING, "busy"))
        self._work(self._restart_worker, "kernel-restart")

    def watch(self) -> None:
        """A kernel that dies while idle (a thread calling os._exit, the OOM killer) is restarted."""
        kernel = getattr(self.runner, "kernel", None)
        if not self.ready or self._busy or self._restarting or kernel is None or self._closed:
            return
        if not kernel.is_alive:
            self._restarting = True
            self.screen.post_message(messages.KernelDied(self.lesson.id, None))
            self.output.put(Note(strings.RUN_DIED.format(code="?"), "died"))
            self._work(self._restart_worker, "kernel-restart")

    def close(self) -> None:
        """Stop the kernel off the UI thread; a non-daemon thread, so the process waits for it."""
        self._settled.set()
        with self._lock:
            self._closed = True
            self._queue.clear()
            runner = self.runner
        if runner is not None:
            threading.Thread(target=runner.shutdown, name="kernel-shutdown", daemon=False).start()

    # -- workers (threads) ---------------------------------------------------------------------

    def _work(self, target, group: str) -> None:
        self.screen.run_worker(target, thread=True, group=group, description=group, exit_on_error=False)

    def _start_worker(self) -> None:
        bootstrap = self._wait_for_lab()
        try:
            from cdc_tutor.runner import LessonRunner  # jupyter_client loads here, off the UI thread
            from cdc_tutor.settings import Settings

            app = self.screen.app
            settings = getattr(app, "settings", None) or Settings.load()
            runner = LessonRunner(self.lesson, settings, bootstrap, lab=getattr(app, "lab", None),
                                  user=getattr(settings, "user", None))
            with self._lock:
                self.runner = runner
            runner.start(wait=True)  # ready, with the `tutor` module installed
        except Exception as problem:  # noqa: BLE001 - shown to the student; the lesson text still works
            hint = getattr(problem, "hint", None)  # EngineMissing names the command that fixes it
            self.problem = (strings.ENGINE_MISSING.format(engine=self.lesson.engine, command=hint) if hint
                            else str(problem).strip() or type(problem).__name__)
            self._busy = False
            self._settled.set()
            self.output.put(Note(strings.KERNEL_FAILED.format(problem=self.problem), "error"))
            self.screen.post_message(messages.KernelFailed(self.lesson.id, self.problem))
            return
        if self._closed:
            runner.shutdown()
            return
        self.ready = True
        self._settled.set()
        ready_text = strings.KERNEL_READY if bootstrap else strings.KERNEL_READY_NO_LAB
        self.output.put(Note(ready_text, "ok", in_log=False))
        self.screen.post_message(messages.KernelReady(self.lesson.id, bootstrap))
        self._drain_queue()

    def _wait_for_lab(self) -> str | None:
        """The lab's address once it is up; None at once when the app starts no lab (tests, --no-lab)."""
        app = self.screen.app
        deadline = time.monotonic() + LAB_WAIT_SECONDS
        coming = getattr(app, "lab_factory", None) is not None
        if coming and getattr(app, "lab", None) is None:
            self.output.put(Note(strings.KERNEL_WAITING_FOR_LAB, "busy", in_log=False))
        while coming and getattr(app, "lab", None) is None:
            if getattr(app, "lab_problem", None) or time.monotonic() > deadline or self._closed:
                break
            time.sleep(0.1)
        lab = getattr(app, "lab", None)
        return lab.bootstrap_servers if lab is not None else None

    def _drain_queue(self) -> None:
        while True:
            with self._lock:
                if not self._queue or self._closed:
                    self._busy = False
                    return
                step, index = self._queue.popleft()
            if not self._run_one(step, index):
                self._drop_queue()

    def _run_one(self, step: Step, index: int) -> bool:
        lesson_id = self.lesson.id
        self.running = (step.id, index)
        self.output.put(RunBegan(index, step.title))
        self.screen.post_message(messages.SnippetStarted(lesson_id, step.id, index))
        try:
            if index == 1 and getattr(step, "outage", None) is not None:
                self.runner.schedule_outage(step)  # the lesson's planned broker outage starts its clock
            result = self.runner.run_snippet(step, index, self._route)
        except Exception as problem:  # noqa: BLE001 - the kernel could not start again, say why
            result = None
            self.output.put(Note(strings.KERNEL_FAILED.format(problem=problem), "error"))
        finally:
            self.running = None
        status = getattr(result, "status", "error")
        manual_restart = status == "died" and self._restarting
        text, tone = (strings.KERNEL_RESTARTING, "busy") if manual_restart else run_outcome(result)
        self.output.put(RunEnded(text, tone))
        self.screen.post_message(messages.SnippetFinished(lesson_id, step.id, index, status, result))
        if status == "died" and not manual_restart and not self._closed:  # closing kills it on purpose
            self._restarting = True
            self.screen.post_message(messages.KernelDied(lesson_id, getattr(result, "exit_code", None)))
            self._restart_worker()
        return status == "ok"

    def _restart_worker(self) -> None:
        try:
            self.runner.restart()
        except Exception as problem:  # noqa: BLE001
            self.output.put(Note(strings.KERNEL_FAILED.format(problem=problem), "error"))
            self.screen.post_message(messages.KernelFailed(self.lesson.id, str(problem)))
        else:
            self.output.put(Note(strings.KERNEL_RESTARTED, "warn"))
            self.screen.post_message(messages.KernelRestarted(self.lesson.id))
        finally:
            self._restarting = False

    def _route(self, event) -> None:
        """Called on the worker thread for every kernel event: into the right pane's inbox."""
        if isinstance(event, KernelStatus):
            if event.state == "stuck":
                self.output.put(Note(strings.KERNEL_STUCK, "error"))
                self.screen.post_message(messages.KernelStuck(self.lesson.id))
            return
        if isinstance(event, DisplayOutput):
            if event.frame is not None:
                self.frames.put(event.frame)
            if CHANGELOG_MIME in event.data:
                self.windows.put(event.data[CHANGELOG_MIME])
        self.output.put(event)

    def _drop_queue(self) -> int:
        with self._lock:
            dropped = len(self._queue)
            self._queue.clear()
        return dropped
