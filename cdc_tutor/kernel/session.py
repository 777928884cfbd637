"""One lesson's Jupyter kernel: start, execute with streamed events, interrupt, restart, shut down."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cdc_tutor.kernel.collect import Collector, EventCallback, OutputLimits
from cdc_tutor.kernel.results import ExecutionResult, KernelStatus
from cdc_tutor.kernel.specs import EnginePythonLookup, KernelStartFailed, kernel_command
from cdc_tutor.paths import owned_run_dir

POLL_MS = 100  # how often a waiting execute checks the kernel is alive and the time limit
IDLE_GRACE_S = 1.0  # after the reply, how long to wait for the idle status before giving up on it
TIMEOUT_GRACE_S = 5.0  # after interrupting on a time limit, how long to wait for the reply
# Code that has not answered an interrupt after this long is waiting inside C (a librdkafka call
# with the GIL released, say): SIGINT's Python handler cannot run there, only a restart helps.
STUCK_AFTER_S = 4.0


class KernelSession:
    """A kernel for one open lesson; its state lasts across executes like a notebook's.

    `execute` may run in a worker thread; `interrupt`, `restart`, `shutdown` and `is_alive`
    may be called from any other thread while it runs. Executes are serialized.
    """

    def __init__(
        self,
        engine: str = "python",
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        *,
        engine_python: EnginePythonLookup | None = None,
        limits: OutputLimits | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        self.engine = engine
        self.cwd = Path(cwd) if cwd is not None else Path.cwd()
        self.env = dict(env or {})
        self.limits = limits or OutputLimits()
        self.startup_timeout = startup_timeout
        self.kernel_info: dict[str, Any] = {}
        self.bootstrap_error: str | None = None
        """Why the DataFrame formatter could not be installed, if it could not."""
        self.log_path: Path | None = None
        """The kernel process's own stdout/stderr (kept off the tutor's terminal)."""
        self._engine_python = engine_python
        self._lock = threading.RLock()  # one request on the shell channel at a time
        self._generation = 0  # bumped by restart/shutdown so a waiting execute lets go
        self._km: Any = None  # jupyter_client KernelManager: the process
        self._runtime: Path | None = None  # private folder: sockets, connection file, log
        self._channels: Any = None  # launch.Channels: the sockets
        self._ready = False
        self._interrupted_at: float | None = None  # when the running code was last interrupted

    def start(self) -> None:
        """Launch the kernel process and return at once; raises EngineMissing/UnknownEngine.

        The first launch in a process costs ~0.3 s more (jupyter_client's imports and entry
        points): call it, like wait_ready and restart, from a worker thread, not the UI's loop.
        """
        if self._km is not None:
            return
        with self._lock:
            if self._km is None:
                self._launch()

    def wait_ready(self, timeout: float | None = None) -> None:
        """Block until the kernel answers and the DataFrame formatter is installed."""
        with self._lock:
            if self._km is None:
                self._launch()
            if not self._ready:
                self._wait_ready_locked(self.startup_timeout if timeout is None else timeout)

    @property
    def is_alive(self) -> bool:
        km = self._km
        if km is None:
            return False
        # Popen.poll directly when there is a local process: no hop to the loop thread.
        process = getattr(km.provisioner, "process", None)
        if process is not None and hasattr(process, "poll"):
            return process.poll() is None
        from cdc_tutor.kernel.launch import run_async

        return bool(run_async(km.is_alive(), timeout=5))

    @property
    def is_ready(self) -> bool:
        return self._ready and self.is_alive

    def interrupt(self) -> None:
        """Raise KeyboardInterrupt in the running code (SIGINT); a no-op when nothing runs."""
        if self.is_alive:
            from cdc_tutor.kernel.launch import run_async

            self._interrupted_at = time.monotonic()
            try:
                run_async(self._km.interrupt_kernel(), timeout=5)
            except RuntimeError:  # killed by a restart in between: nothing left to interrupt
                pass

    def restart(self, timeout: float | None = None) -> None:
        """Kill the kernel (dead or alive) and start a fresh one; waits until it is ready."""
        self._generation += 1
        self._kill()  # before the lock: a running execute sees the new generation and returns
        with self._lock:
            self._launch()
            self._wait_ready_locked(self.startup_timeout if timeout is None else timeout)

    def shutdown(self) -> None:
        """Stop the kernel and release its sockets and log file."""
        self._generation += 1
        self._kill()
        with self._lock:
            self._close_client()
            self._km = None  # a later start() or execute() launches a fresh kernel
            if self._runtime is not None:
                shutil.rmtree(self._runtime, ignore_errors=True)
                self._runtime = None
            self.log_path = None

    def __enter__(self) -> KernelSession:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    def log_tail(self, max_chars: int = 4000) -> str:
        """The end of the kernel process's own output (why it died, typically)."""
        try:
            with open(self.log_path or "", "rb") as log:  # only the end: the log may be long
                log.seek(max(0, log.seek(0, os.SEEK_END) - max_chars))
                return log.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def execute(
        self,
        code: str,
        on_event: EventCallback | None = None,
        timeout: float | None = None,
        *,
        silent: bool = False,
        store_history: bool = True,
        user_expressions: dict[str, str] | None = None,
    ) -> ExecutionResult:
        """Run `code`; `on_event` gets each StreamChunk, DisplayOutput, ErrorOutput... as it comes.

        Starts the kernel first if needed (raising KernelStartFailed if it cannot). Never hangs
        on a dead kernel: that returns status "died" within about POLL_MS.
        """
        emit = on_event or (lambda _event: None)
        with self._lock:
            started = time.monotonic()
            if self._km is None or (not self._ready and self.is_alive):
                self.wait_ready()
            if not self.is_alive:
                return self._died(emit, started)
            generation = self._generation
            self._interrupted_at = None
            msg_id = self._channels.client.execute(
                code,
                silent=silent,
                store_history=store_history,
                user_expressions=user_expressions or {},
                allow_stdin=False,  # input() raises at once instead of waiting for a reply
                stop_on_error=False,  # requests are serialized here; nothing queued to abort
            )
            return self._await(msg_id, emit, Collector(emit, self.limits), started, timeout, generation)

    def drain(self, on_event: EventCallback, timeout: float = 0.0) -> int:
        """Deliver output that came while nothing waited for it (threads started by earlier cells).

        Returns the number of messages read. A no-op while an execute runs: output of another
        cell that arrives during an execute is dropped, so call this between executes.
        """
        if not self._lock.acquire(blocking=False):
            return 0
        try:
            channels, count = self._channels, 0
            if channels is None:
                return 0
            collector = Collector(on_event, self.limits)
            while channels.iopub in channels.poll(int(timeout * 1000)):
                msg = channels.recv(channels.iopub)
                if msg["msg_type"] in ("stream", "display_data", "update_display_data", "error", "clear_output"):
                    collector.handle(msg)
                count, timeout = count + 1, 0.0
            collector.finish()
            return count
        finally:
            self._lock.release()

    def _await(
        self,
        msg_id: str,
        emit: EventCallback,
        collector: Collector,
        started: float,
        timeout: float | None,
        generation: int,
    ) -> ExecutionResult:
        channels = self._channels
        iopub, shell = channels.iopub, channels.shell
        reply: dict[str, Any] | None = None
        idle = timed_out = stuck = False
        deadline = None if timeout is None else started + timeout
        last_iopub = next_check = time.monotonic()
        while reply is None or not idle:
            ready = channels.poll(POLL_MS)
            now = time.monotonic()
            if iopub in ready:
                # Bounded batches so the liveness and time checks below still run in a flood.
                for _ in range(500):
                    msg = channels.recv(iopub)
                    if msg["parent_header"].get("msg_id") == msg_id:
                        last_iopub = now
                        idle = collector.handle(msg) or idle
                    if not iopub.poll(0):
                        break
            if shell in ready:
                msg = channels.recv(shell)
                if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_reply":
                    reply = msg["content"]
            if reply is not None and not idle and now - last_iopub > IDLE_GRACE_S:
                break  # the idle status was lost (IOPub drops under pressure); the reply is final
            if self._generation != generation:
                return self._died(emit, started, collector)
            if now >= next_check:
                next_check = now + POLL_MS / 1000
                if not self.is_alive:
                    return self._died(emit, started, collector)
                interrupted_at = self._interrupted_at
                if reply is None and not stuck and interrupted_at is not None and now - interrupted_at > STUCK_AFTER_S:
                    stuck = True
                    emit(KernelStatus("stuck"))
                if deadline is not None and now > deadline:
                    if timed_out:
                        break
                    timed_out, deadline = True, now + TIMEOUT_GRACE_S
                    self.interrupt()
        collector.finish()
        return collector.result(reply or {}, time.monotonic() - started, timed_out)

    def _died(self, emit: EventCallback, started: float, collector: Collector | None = None) -> ExecutionResult:
        self._ready = False
        emit(KernelStatus("died"))
        process = getattr(getattr(self._km, "provisioner", None), "process", None)
        collector = collector or Collector(emit, self.limits)
        collector.finish()
        result = collector.result({"status": "died"}, time.monotonic() - started, timed_out=False)
        result.exit_code = getattr(process, "returncode", None)
        return result

    def _launch(self) -> None:
        from cdc_tutor.kernel.launch import kernel_environment, start_manager

        command = kernel_command(self.engine, self._engine_python)
        self._close_client()
        if self._runtime is not None:  # the previous kernel's (restart): it was killed before
            shutil.rmtree(self._runtime, ignore_errors=True)
        self._runtime = new_runtime_dir()
        self.log_path = self._runtime / "kernel.log"
        env = kernel_environment(command, self.env)
        self._km = start_manager(command, self.cwd, env, self.log_path, self._runtime)
        self._ready = False

    def _wait_ready_locked(self, timeout: float) -> None:
        from cdc_tutor.kernel.launch import Channels

        self._close_client()
        self._channels = Channels(self._km)

        def failed(why: str) -> KernelStartFailed:
            return KernelStartFailed(f"the {self.engine} kernel {why}", self.log_tail())

        self.kernel_info = self._channels.handshake(timeout, lambda: self.is_alive, failed)
        self._ready = True
        self._install_formatter()

    def _install_formatter(self) -> None:
        from cdc_tutor.kernel.launch import bootstrap_code

        result = self.execute(bootstrap_code(self.limits.frame_rows), silent=True, store_history=False, timeout=30)
        self.bootstrap_error = None if result.ok else (result.error.traceback_plain if result.error else result.status)

    def _kill(self) -> None:
        km = self._km
        if km is not None:
            self._ready = False
            from cdc_tutor.kernel.launch import run_async

            try:
                run_async(km.shutdown_kernel(now=True), timeout=30)
            except Exception:  # already gone: nothing left to stop
                pass

    def _close_client(self) -> None:
        if self._channels is not None:
            self._channels.close()
            self._channels = None


RUNTIME_PREFIX = "cdc-tutor-kernel-"


def new_runtime_dir() -> Path:
    """A private (0700) folder for one kernel's sockets, connection file and log, under the temp
    dir (short paths: Unix socket names are limited); folders of tutors killed without cleaning
    up are removed first."""
    return owned_run_dir(Path(tempfile.gettempdir()), RUNTIME_PREFIX)
