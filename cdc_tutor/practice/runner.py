"""LessonRunner: one lesson's kernel, its snippets run in order, and the context checks judge.

Blocking and Textual-free: Practice (the TUI's) and verify call it from their own threads. It owns
one KernelSession for the lesson's engine, started in the lesson's private work directory with the
lab's address in its environment and the `tutor` module installed.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cdc_tutor.course.context import CheckContext, KafkaProbe, default_user
from cdc_tutor.course.evaluation import Evaluation
from cdc_tutor.course.model import Lesson, Step
from cdc_tutor.kernel import ErrorOutput, ExecutionResult, KernelSession, OutputLimits
from cdc_tutor.kernel.tutor_module import tutor_install_code
from cdc_tutor.paths import private_dir
from cdc_tutor.practice.events import CodeFinished, CodeStarted, EventCallback

INSTALL_TIMEOUT = 60.0


def lesson_work_dir(data_dir: Path, lesson_id: str) -> Path:
    """`<data_dir>/work/<lesson id>`, created private (0700) at every level below data_dir."""
    return private_dir(Path(data_dir), "work", *lesson_id.split("/"))


def kafka_helpers_source() -> str:
    """cdc_tutor/kafka/state.py's text, for the kernel's `tutor` module (read, not imported)."""
    spec = importlib.util.find_spec("cdc_tutor.kafka.state")
    return Path(spec.origin).read_text(encoding="utf-8") if spec and spec.origin else ""


FLINK_CLIENT_JVM = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
"""The PyFlink gateway JVM of a kernel whose jobs run on a shared cluster only plans queries,
submits them and receives collected rows: a small heap and C1 (by default it may grow to a
quarter of the machine's memory, sized for a local mini-cluster)."""


class LessonRunner:
    """Runs one lesson's code. Blocking methods belong in worker threads, not the UI's loop.

    `lab` (optional) is anything with cut() and restore() (EmbeddedLab): steps with `outage`
    use it while their code runs. `database` (optional) is the lab's source database, which
    `source` checks query. `redis_url` (optional) is the lab's Redis, for `tutor.redis()`.
    """

    def __init__(
        self,
        lesson: Lesson,
        settings: Any,
        bootstrap: str | None = None,
        *,
        user: str | None = None,
        lab: Any = None,
        database: Any = None,
        redis_url: str | None = None,
        real_kafka: bool = True,
        limits: OutputLimits | None = None,
        startup_timeout: float = 120.0,
    ) -> None:
        from cdc_tutor.engines import engine_jars, engine_python
        from cdc_tutor.lab import cdc_topic_prefix

        self.lesson = lesson
        self.settings = settings
        self.bootstrap = bootstrap
        self.user = user or getattr(settings, "user", None) or default_user()
        self.lab = lab
        self.database = database
        self.real_kafka = real_kafka  # False on the mock broker: `realKafka` checks are waived
        shared = lesson.lab.get("sharedEngine", True)  # False: the lesson needs its engine in the kernel
        self.flink_url = getattr(settings, "flink_url", None) if shared and "flink" in lesson.engine else None
        """The shared Flink cluster this kernel's jobs run on; None: a local mini-cluster."""
        # Only the Spark environment has the Spark Connect client; the capstone's Spark stays local.
        self.spark_remote = getattr(settings, "spark_remote", None) if shared and lesson.engine == "spark" else None
        """The shared Spark Connect server this kernel's sessions are on; None: a driver in the kernel."""
        self.work_dir = lesson_work_dir(settings.data_dir, lesson.id)
        self.snippet_status: dict[tuple[str, int], str] = {}
        """(step id, snippet index) -> status of its last run in the current kernel."""
        self.tutor_error: str | None = None
        """Why the `tutor` module could not be installed, if it could not."""
        data_dir = settings.data_dir
        self._engine_python = lambda engine: engine_python(engine, data_dir)
        env = {
            "CDC_TUTOR_USER": self.user,
            "CDC_TUTOR_LESSON": lesson.id,
            "CDC_TUTOR_TOPIC_PREFIX": cdc_topic_prefix(settings, lesson),
            # Set below only for the kernels that use them: the tutor's own environment may hold them.
            "CDC_TUTOR_FLINK_URL": "",
            "CDC_TUTOR_SPARK_REMOTE": "",
        }
        if bootstrap:
            env["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
        if redis_url:
            env["CDC_TUTOR_REDIS_URL"] = redis_url
        if lesson.engine != "python":
            env["CDC_TUTOR_JARS"] = os.pathsep.join(str(p) for p in engine_jars(lesson.engine, data_dir))
            python = engine_python(lesson.engine, data_dir)
            if "spark" in lesson.engine and python is not None:  # Spark's Python workers: the same venv
                env["PYSPARK_PYTHON"] = env["PYSPARK_DRIVER_PYTHON"] = str(python)
            if self.flink_url:  # tutor.use_flink_cluster() reads it
                env["CDC_TUTOR_FLINK_URL"] = self.flink_url
                env["JVM_ARGS"] = FLINK_CLIENT_JVM  # pyflink_gateway_server.py puts these first
            if self.spark_remote:  # tutor.use_spark_connect() reads it
                env["CDC_TUTOR_SPARK_REMOTE"] = self.spark_remote
        self.kernel = KernelSession(
            lesson.engine,
            cwd=self.work_dir,
            env=env,
            engine_python=self._engine_python,
            limits=limits,
            startup_timeout=startup_timeout,
        )
        self._lock = threading.Lock()  # guards the fields below
        self._install_lock = threading.Lock()
        self._installed = False
        self._started = False
        self._running = 0
        self._setup_done: set[str] = set()
        self._outages: list[threading.Event] = []

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self, wait: bool = True) -> None:
        """Launch the kernel; with `wait`, also wait until it is ready and `tutor` is installed.

        Raises EngineMissing (its `hint` is `cdc-tutor setup ENGINE`), UnknownEngine or
        KernelStartFailed.
        """
        self.kernel.start()
        self._started = True
        if wait:
            self.ensure_ready()

    def ensure_ready(self) -> None:
        """Wait for the kernel (starting it if needed) and install `tutor` once per kernel."""
        with self._install_lock:
            self._started = True
            if self._installed and not self.kernel.is_alive:
                return  # died: the execute that follows reports "died" (restart() brings it back)
            self.kernel.wait_ready()
            if not self._installed:
                result = self.kernel.execute(
                    tutor_install_code(kafka_helpers_source()),
                    silent=True,
                    store_history=False,
                    timeout=INSTALL_TIMEOUT,
                )
                self.tutor_error = (
                    None if result.ok else (result.error.traceback_plain if result.error else result.status)
                )
                self._installed = True

    def interrupt(self) -> None:
        """KeyboardInterrupt in the running code; a no-op when nothing runs."""
        self.kernel.interrupt()

    def restart(self) -> None:
        """A fresh kernel (the old one killed, dead or alive): statuses and setup are forgotten."""
        self._forget()
        self.kernel.restart()
        self._cancel_cluster_jobs()
        self.ensure_ready()

    def shutdown(self) -> None:
        """Stop the kernel and any outage in progress (the broker is restored)."""
        self._forget()
        self._started = False
        for stop in self._outages:
            stop.set()
        self.kernel.shutdown()
        self._cancel_cluster_jobs()

    def _cancel_cluster_jobs(self) -> None:
        """On a shared Flink cluster a job outlives the kernel that submitted it: cancel this
        student's, so a closed lesson does not hold the room's slots."""
        if not self.flink_url:
            return
        from cdc_tutor.engines.flink_rest import FlinkUnreachable, cancel_jobs_named, job_name

        try:
            cancel_jobs_named(self.flink_url, job_name(self.user, self.lesson.id))
        except FlinkUnreachable:
            pass  # nothing runs on a cluster that is gone

    def _forget(self) -> None:
        with self._lock:
            self._installed = False
            self.snippet_status.clear()
            self._setup_done.clear()

    # -- running -------------------------------------------------------------------------------

    def step(self, step: Step | str) -> Step:
        return self.lesson.step(step) if isinstance(step, str) else step

    def run_code(
        self,
        code: str,
        on_event: EventCallback | None = None,
        timeout: float | None = None,
        *,
        store_history: bool = True,
    ) -> ExecutionResult:
        """Run any code in the lesson's kernel (waits for it to be ready first)."""
        self.ensure_ready()
        with self._lock:
            self._running += 1
        try:
            return self.kernel.execute(code, on_event, timeout, store_history=store_history)
        finally:
            with self._lock:
                self._running -= 1

    def run_setup(
        self, step: Step | str, on_event: EventCallback | None = None, timeout: float | None = None
    ) -> ExecutionResult | None:
        """Run the step's setupCode unless it already ran in this kernel; None when nothing ran.

        Its output is not streamed; only an error is (the student needs to see that).
        """
        step = self.step(step)
        if not step.setup_code or step.id in self._setup_done:
            return None
        forward = on_event or (lambda _event: None)
        result = self.run_code(
            step.setup_code, lambda e: forward(e) if isinstance(e, ErrorOutput) else None, timeout, store_history=False
        )
        if result.ok:
            self._setup_done.add(step.id)
        return result

    def run_snippet(
        self,
        step: Step | str,
        index: int,
        on_event: EventCallback | None = None,
        timeout: float | None = None,
        *,
        code: str | None = None,
    ) -> ExecutionResult:
        """Run cell `index` (1-based) of `step`, after its setupCode if that has not run yet.

        `code` is what the cell holds now (the student's text of an exercise); by default the
        lesson's own text (a given snippet, an exercise's starter). The one outage rule: a step
        with `outage` starts its clock when its first cell starts, however it is run (F5, Ctrl+S,
        verify).
        """
        step = self.step(step)
        snippet = step.snippet(index)
        self.run_setup(step, on_event, timeout)
        if step.outage is not None and step.snippets and index == step.snippets[0].index:
            self.schedule_outage(step)
        result = self.run_code(snippet.code if code is None else code, on_event, timeout)
        with self._lock:
            self.snippet_status[(step.id, index)] = result.status
        return result

    def run_step(
        self,
        step: Step | str,
        on_event: EventCallback | None = None,
        *,
        codes: Mapping[int, str] | None = None,
        first: int = 1,
        stop_on_error: bool = True,
        timeout: float | None = None,
    ) -> list[CodeFinished]:
        """setupCode, then the cells from number `first` on, in order; `codes` replaces cells' text
        (an exercise's solution in verify, the student's text in the TUI).

        `on_event` gets CodeStarted/CodeFinished around each piece and the kernel's events in
        between. Stops after the first piece that does not end "ok" unless `stop_on_error` is
        False. A step with `outage` has the lab's broker cut while its code runs (run_snippet).
        """
        step = self.step(step)
        emit = on_event or (lambda _event: None)
        codes = codes or {}
        finished: list[CodeFinished] = []

        def piece(part: str, index: int, run: Callable[[], ExecutionResult | None]) -> bool:
            emit(CodeStarted(step.id, part, index))
            result = run()
            if result is None:
                return True
            done = CodeFinished(step.id, part, index, result)
            finished.append(done)
            emit(done)
            return result.ok or not stop_on_error

        if not piece("setup", 0, lambda: self.run_setup(step, emit, timeout)):
            return finished
        for snippet in step.snippets[first - 1 :]:
            run = functools.partial(self.run_snippet, step, snippet.index, emit, timeout, code=codes.get(snippet.index))
            if not piece("snippet", snippet.index, run):
                return finished
        return finished

    def schedule_outage(self, step: Step | str) -> threading.Event | None:
        """Cut the lab's broker `outage.after_seconds` from now and restore it `outage.seconds`
        later, in a background thread; returns an Event that ends it early (restoring). None
        when the step has no outage or the runner has no lab."""
        step = self.step(step)
        outage, lab = step.outage, self.lab
        if outage is None or lab is None:
            return None
        stop = threading.Event()
        self._outages.append(stop)

        def run() -> None:
            if stop.wait(outage.after_seconds):
                return
            lab.cut()
            try:
                stop.wait(outage.seconds)
            finally:
                lab.restore()
                if stop in self._outages:
                    self._outages.remove(stop)

        threading.Thread(target=run, name=f"outage-{step.id}", daemon=True).start()
        return stop

    # -- checking ------------------------------------------------------------------------------

    def context(self, step_id: str | None = None) -> CheckContext:
        """What checks see now: the kernel (once started), the lab, and the snippet statuses."""
        kafka: KafkaProbe | None = None
        if self.bootstrap:
            from cdc_tutor.kafka.state import KafkaState  # lazy: confluent_kafka

            # state.py stays untyped (its source also goes into kernels): call it through the typed view
            probe: Callable[[str], KafkaProbe] = KafkaState
            kafka = probe(self.bootstrap)
        with self._lock:
            return CheckContext(
                alive=self._alive if self._started else None,
                bootstrap=self.bootstrap,
                snippet_status=dict(self.snippet_status),
                user=self.user,
                step_id=step_id,
                busy=self._running > 0,
                kafka=kafka,
                real_kafka=self.real_kafka,
                evaluator=self._evaluate if self._started else None,
                source=self.database.execute_script if self.database is not None else None,
            )

    def _alive(self) -> bool:
        return self.kernel.is_alive

    def _evaluate(self, expression: str, timeout: float) -> Evaluation:
        from cdc_tutor.kernel.inspect import evaluate

        self.ensure_ready()
        return evaluate(self.kernel, expression, timeout)
