"""Practice: one open lesson's kernel, run queue and checks; the TUI's headless core.

It owns the lesson's LessonRunner (the kernel) and runs snippets one after another in its own
thread, stopping at the first failure; it restarts a kernel that dies, reports code that ignores an
interrupt, and judges checkpoints against live state. It reports everything as events
(cdc_tutor.practice.events) through one callback, from its threads; it never imports Textual.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from cdc_tutor.course.model import Lesson, Step
from cdc_tutor.kernel import KernelStatus
from cdc_tutor.practice.events import (
    CheckJudged,
    CodeFinished,
    EventCallback,
    KernelChanged,
    QueueDropped,
    SnippetBegan,
    SnippetEnded,
    StreamsStopped,
)
from cdc_tutor.practice.judge import judge
from cdc_tutor.practice.rules import needs_kernel

START_WAIT_SECONDS = 60.0  # how long a check waits for a kernel that is still starting
STOP_STREAMS_TIMEOUT = 60.0  # cancelling a Flink job or a Spark query takes seconds
WATCH_SECONDS = 0.25  # how often an idle kernel is checked: dead? output from its background threads?

LabSource = Callable[[], Any]
"""Blocks until the lab is up and returns it (None: no lab); called in the start thread."""


class Practice:
    """One per open lesson. Every method returns at once; the work happens in threads."""

    def __init__(
        self,
        lesson: Lesson,
        settings: Any,
        emit: EventCallback,
        *,
        lab: LabSource | None = None,
        user: str | None = None,
    ) -> None:
        self.lesson, self.settings = lesson, settings
        self._user = user  # None: the runner's rule (the settings' user, else the login name)
        self.runner: Any = None
        """The LessonRunner once the kernel started (None for a lesson without code)."""
        self.ready = False
        self.problem: str | None = None
        """Why the kernel could not start, if it could not."""
        self.problem_hint: str | None = None
        """With `problem`: the command that fixes it, when known (e.g. `cdc-tutor setup flink`)."""
        self.running: tuple[str, int] | None = None
        """(step id, snippet index) while a snippet runs."""
        self._emit = emit
        self._lab = lab or (lambda: None)
        self._queue: deque[tuple[Step, int, str | None]] = deque()  # (step, cell, its code or None)
        self._lock = threading.Lock()
        self._busy = False  # a thread is starting the kernel or draining the queue
        self._closed = False
        self._restarting = False
        self._settled = threading.Event()  # set once the kernel is ready or failed to start
        self._watch_stop = threading.Event()

    @property
    def wanted(self) -> bool:
        """Only lessons with code (or checks of kernel/Kafka state) get a kernel."""
        return needs_kernel(self.lesson)

    def start(self) -> None:
        if not self.wanted:
            self._settled.set()
            return
        self._emit(KernelChanged("starting"))
        self._busy = True
        self._thread(self._start_kernel, "kernel-start")
        self._thread(self._watch, "kernel-watch")

    def run(self, step: Step, indexes: list[int], codes: Mapping[int, str] | None = None) -> bool:
        """Queue cells of `step`; they run one after another, stopping at the first failure.

        `codes` holds the text a cell runs when it is not the lesson's own (the student's exercise
        as it is in the editor when they press the key).

        False when there is no kernel to run them (it failed to start: `problem` says why).
        """
        if self.problem is not None:
            return False
        with self._lock:
            self._queue.extend((step, index, (codes or {}).get(index)) for index in indexes)
            launch = self.ready and not self._busy
            self._busy = self._busy or launch
        if launch:
            self._thread(self._drain_queue, "kernel-run")
        return True

    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def busy(self) -> bool:
        """A thread is starting the kernel or running the queue (new snippets wait their turn)."""
        return self._busy

    def interrupt(self) -> bool:
        """Drop the queue and interrupt the running snippet; False when nothing runs or waits.
        With nothing running, the kernel's streaming queries are stopped instead (StreamsStopped)."""
        dropped = self._drop_queue()
        runner = self.runner
        if self.running is None or runner is None:
            if dropped:
                self._emit(QueueDropped(dropped))
            else:
                self.stop_streams()
            return bool(dropped)
        self._thread(runner.interrupt, "kernel-interrupt")
        return True

    def restart(self) -> None:
        """Restart on the student's request: the running snippet ends, every variable is lost."""
        if self.runner is None or self._restarting:
            return
        self._drop_queue()
        self._restarting = True
        self._emit(KernelChanged("restarting"))
        self._thread(self._restart_kernel, "kernel-restart")

    def check(self, session: Any, checkpoint_id: str, answer: str) -> None:
        """Judge a checkpoint of `session` (a LessonSession) in a thread; emits CheckJudged."""

        def judge_now() -> None:
            self._settled.wait(START_WAIT_SECONDS)  # a kernel still starting is waited for
            try:
                outcome = session.check(checkpoint_id, answer, self.context(), judge=judge)
            except Exception as problem:  # noqa: BLE001 - a broken check must not take the lesson down
                outcome = problem
            self._emit(CheckJudged(checkpoint_id, outcome))

        self._thread(judge_now, "check")

    def context(self) -> Any:
        """The runner's CheckContext, or None before the kernel exists."""
        runner = self.runner
        return runner.context() if runner is not None and self.ready else None

    def close(self, wait: bool = False) -> None:
        """Stop the kernel in the background (a non-daemon thread: the process waits for it);
        with `wait`, return once it has stopped."""
        self._settled.set()
        self._watch_stop.set()
        with self._lock:
            self._closed = True
            self._queue.clear()
            runner = self.runner
        if runner is not None:
            stopping = threading.Thread(target=runner.shutdown, name="kernel-shutdown", daemon=False)
            stopping.start()
            if wait:
                stopping.join()

    # -- threads -------------------------------------------------------------------------------

    def _thread(self, target: Callable[[], None], name: str) -> None:
        threading.Thread(target=target, name=name, daemon=True).start()

    def open(self) -> str | None:
        """Wait for the lab, start the kernel and wait until it is ready; the lab's address.

        Blocking (verify calls it directly, start() in a thread); raises EngineMissing,
        UnknownEngine or KernelStartFailed.
        """
        lab = self._lab()
        bootstrap = lab.bootstrap_servers if lab is not None else None
        from cdc_tutor.practice.runner import LessonRunner  # jupyter_client loads here, off the UI thread

        runner = LessonRunner(
            self.lesson,
            self.settings,
            bootstrap,
            lab=lab if _can_cut(lab) else None,
            database=getattr(lab, "database", None),
            redis_url=getattr(lab, "redis_url", None),
            real_kafka=getattr(lab, "real_kafka", True),
            user=self._user,
        )
        with self._lock:
            self.runner = runner
        runner.start(wait=True)  # ready, with the `tutor` module installed
        return bootstrap

    def run_step_now(
        self,
        step: Step,
        on_event: EventCallback | None = None,
        *,
        codes: Mapping[int, str] | None = None,
        first: int = 1,
        stop_on_error: bool = True,
        timeout: float | None = None,
    ) -> list[CodeFinished]:
        """Blocking (verify): the step's setupCode and cells from `first` on; CodeFinished per piece."""
        finished: list[CodeFinished] = self.runner.run_step(
            step, on_event, codes=codes, first=first, stop_on_error=stop_on_error, timeout=timeout
        )
        return finished

    def judge_now(self, checkpoint: Any, submission: Any, step_id: str, *, settle: bool = True) -> Any:
        """Blocking: the checkpoint's Verdict against the state now (a kernel-less lesson: no context)."""
        runner = self.runner
        return judge(checkpoint, submission, runner.context(step_id) if runner is not None else None, settle=settle)

    def _start_kernel(self) -> None:
        try:
            bootstrap = self.open()
        except Exception as problem:  # noqa: BLE001 - shown to the student; the lesson text still works
            self.problem_hint = getattr(problem, "hint", None)  # EngineMissing names the command that fixes it
            self.problem = str(problem).strip() or type(problem).__name__
            self._busy = False
            self._settled.set()
            self._emit(KernelChanged("failed", problem=self.problem, hint=self.problem_hint))
            return
        if self._closed:
            self.runner.shutdown()
            return
        self.ready = True
        self._settled.set()
        self._emit(KernelChanged("ready", bootstrap=bootstrap))
        self._drain_queue()

    def _drain_queue(self) -> None:
        while True:
            with self._lock:
                if not self._queue or self._closed:
                    self._busy = False
                    return
                step, index, code = self._queue.popleft()
            if not self._run_one(step, index, code):
                self._drop_queue()

    def _run_one(self, step: Step, index: int, code: str | None) -> bool:
        self.running = (step.id, index)
        self._emit(SnippetBegan(step.id, index, step.title))
        problem = None
        try:
            result = self.runner.run_snippet(step, index, self._forward, code=code)
        except Exception as error:  # noqa: BLE001 - the kernel could not start again, say why
            result, problem = None, str(error)
        finally:
            self.running = None
        status = getattr(result, "status", "error")
        on_request = status == "died" and self._restarting
        self._emit(SnippetEnded(step.id, index, status, result, on_request, problem))
        if status == "died" and not on_request and not self._closed:  # closing kills it on purpose
            self._restarting = True
            self._emit(KernelChanged("died", exit_code=getattr(result, "exit_code", None)))
            self._restart_kernel()
        return status == "ok"

    def _forward(self, event: Any) -> None:
        if isinstance(event, KernelStatus):
            if event.state == "stuck":
                self._emit(KernelChanged("stuck"))
            return
        self._emit(event)

    def _restart_kernel(self) -> None:
        try:
            self.runner.restart()
        except Exception as problem:  # noqa: BLE001
            self._emit(KernelChanged("restart-failed", problem=str(problem)))
        else:
            self._emit(KernelChanged("restarted"))
        finally:
            self._restarting = False

    def _watch(self) -> None:
        """A kernel that dies while idle (a thread calling os._exit, the OOM killer) is restarted;
        output of its background threads (tutor.stream, a student's own thread) is delivered."""
        while not self._watch_stop.wait(WATCH_SECONDS):
            kernel = getattr(self.runner, "kernel", None)
            if not self.ready or self._busy or self._restarting or kernel is None or self._closed:
                continue
            if not kernel.is_alive:
                self._restarting = True
                self._emit(KernelChanged("died-idle"))
                self._restart_kernel()
                continue
            kernel.drain(self._forward)  # a no-op while a snippet runs: its own execute reads the output

    def stop_streams(self) -> None:
        """Cancel the kernel's streaming queries (tutor.stream) in a thread; emits StreamsStopped."""
        runner = self.runner
        if runner is None or not self.ready or self._closed:
            return

        def stop() -> None:
            stopped = runner.context().evaluate("tutor.stop_streams()", STOP_STREAMS_TIMEOUT)
            if stopped.ok and stopped.value_repr.isdigit():
                self._emit(StreamsStopped(int(stopped.value_repr)))
            else:
                self._emit(StreamsStopped(0, stopped.error or stopped.value_repr))

        self._thread(stop, "kernel-stop-streams")

    def _drop_queue(self) -> int:
        with self._lock:
            dropped = len(self._queue)
            self._queue.clear()
        return dropped


def _can_cut(lab: Any) -> bool:
    return lab is not None and getattr(lab, "can_cut", True)
