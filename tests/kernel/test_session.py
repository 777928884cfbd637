"""A real python kernel: state, streaming, errors, environment, interrupt, floods."""

from __future__ import annotations

import os
import stat
import subprocess
import threading
import time
from pathlib import Path

from cdc_tutor.kernel import ErrorOutput, KernelSession, KernelStatus, OutputOmitted, StreamChunk
from cdc_tutor.kernel.session import RUNTIME_PREFIX
from cdc_tutor.paths import reap_run_dirs
from tests.kernel.conftest import BOOTSTRAP
from tests.procfs import listening_ports


def test_state_survives_across_executes(kernel: KernelSession) -> None:
    first = kernel.execute("counter = 40")
    second = kernel.execute("counter += 2\ncounter")
    assert first.ok and second.ok
    assert second.result is not None and second.result.text == "42"
    assert second.execution_count == first.execution_count + 1


def test_streams_arrive_in_order_and_before_completion(kernel: KernelSession) -> None:
    seen: list[tuple[float, object]] = []
    code = (
        "import sys, time\n"
        "print('one', flush=True)\n"
        "print('two', file=sys.stderr, flush=True)\n"
        "print('three', flush=True)\n"
        "time.sleep(0.6)\n"
        "print('four')\n"
    )
    result = kernel.execute(code, on_event=lambda event: seen.append((time.monotonic(), event)))
    finished = time.monotonic()
    chunks = [(e.name, e.text) for _, e in seen if isinstance(e, StreamChunk)]
    assert chunks == [("stdout", "one\n"), ("stderr", "two\n"), ("stdout", "three\n"), ("stdout", "four\n")]
    first_at = next(at for at, e in seen if isinstance(e, StreamChunk))
    assert finished - first_at > 0.4, "the first chunk should reach the callback while the code still runs"
    assert [e.state for _, e in seen if isinstance(e, KernelStatus)] == ["busy", "idle"]
    assert result.stdout.text == "one\nthree\nfour\n" and result.stderr.text == "two\n"


def test_events_come_from_the_thread_running_execute(kernel: KernelSession) -> None:
    threads: set[str] = set()
    worker = threading.Thread(
        target=lambda: kernel.execute("print('hi')", on_event=lambda _e: threads.add(threading.current_thread().name)),
        name="worker",
    )
    worker.start()
    worker.join(30)
    assert threads == {"worker"}


def test_error_keeps_a_coloured_and_a_plain_traceback(kernel: KernelSession) -> None:
    errors: list[ErrorOutput] = []
    result = kernel.execute(
        "def f():\n    return 1 / 0\nf()", on_event=lambda e: isinstance(e, ErrorOutput) and errors.append(e)
    )
    assert result.status == "error"
    assert result.error is not None and errors == [result.error]
    assert result.error.ename == "ZeroDivisionError" and result.error.evalue == "division by zero"
    assert "\x1b[" in result.error.traceback_text
    plain = result.error.traceback_plain
    assert "\x1b[" not in plain and "return 1 / 0" in plain and "ZeroDivisionError" in plain
    assert kernel.execute("1").ok, "an error leaves the kernel usable"


def test_kernel_sees_the_lesson_environment_and_directory(kernel: KernelSession, lesson_dir: Path) -> None:
    result = kernel.execute(
        "import os\nprint(os.environ['KAFKA_BOOTSTRAP_SERVERS'], os.environ['PYTHONUNBUFFERED'])\nprint(os.getcwd())"
    )
    lines = result.stdout.text.splitlines()
    assert lines[0] == f"{BOOTSTRAP} 1"
    assert Path(lines[1]).resolve() == lesson_dir.resolve()


def test_input_fails_fast_instead_of_waiting(kernel: KernelSession) -> None:
    result = kernel.execute("input('name? ')", timeout=20)
    assert result.status == "error" and result.error is not None
    assert result.error.ename == "StdinNotImplementedError"


def _interrupt_after(kernel: KernelSession, delay: float) -> list[float]:
    sent: list[float] = []

    def fire() -> None:
        sent.append(time.monotonic())
        kernel.interrupt()

    threading.Timer(delay, fire).start()
    return sent


def test_interrupt_stops_a_tight_loop_within_a_second(kernel: KernelSession) -> None:
    sent = _interrupt_after(kernel, 0.5)
    result = kernel.execute("while True:\n    pass", timeout=30)
    assert result.status == "interrupted"
    assert result.error is not None and result.error.ename == "KeyboardInterrupt"
    assert time.monotonic() - sent[0] < 1.0
    after = kernel.execute("'still alive'")
    assert after.ok and after.result is not None and after.result.text == "'still alive'"


def test_interrupt_stops_a_sleep_within_a_second(kernel: KernelSession) -> None:
    sent = _interrupt_after(kernel, 0.3)
    result = kernel.execute("import time\ntime.sleep(60)", timeout=30)
    assert result.status == "interrupted"
    assert time.monotonic() - sent[0] < 1.0


def test_time_limit_interrupts_and_reports_timeout(kernel: KernelSession) -> None:
    started = time.monotonic()
    result = kernel.execute("import time\ntime.sleep(60)", timeout=0.5)
    assert result.status == "timeout"
    assert time.monotonic() - started < 3
    assert kernel.execute("1").ok


def test_a_million_printed_lines_are_capped_and_counted(kernel: KernelSession) -> None:
    events: list[object] = []
    started = time.monotonic()
    result = kernel.execute(
        "import time as _t\n_s = _t.perf_counter()\n"
        "for i in range(1_000_000):\n    print(i)\n"
        "_took = _t.perf_counter() - _s",
        on_event=events.append,
    )
    elapsed = time.monotonic() - started
    kernel_own = float(kernel.execute("_took").result.text)
    assert result.ok
    assert elapsed - kernel_own < 3, f"execute took {elapsed:.1f} s for {kernel_own:.1f} s of kernel work"
    out = result.stdout
    assert out.total_lines == 1_000_000
    assert out.omitted_lines == 1_000_000 - 200 - 200
    assert out.head.splitlines()[:3] == ["0", "1", "2"] and len(out.head.splitlines()) == 200
    assert out.tail.splitlines()[-1] == "999999" and len(out.tail.splitlines()) == 200
    streamed = "".join(e.text for e in events if isinstance(e, StreamChunk))
    assert streamed == out.head, "only the head is streamed line by line"
    omitted = [e for e in events if isinstance(e, OutputOmitted)]
    assert 1 <= len(omitted) < 200 and omitted[-1].omitted_lines == out.omitted_lines


def test_one_huge_write_is_capped_too(kernel: KernelSession) -> None:
    result = kernel.execute("print('\\n'.join(map(str, range(1_000_000))))")
    assert result.stdout.total_lines == 1_000_000 and result.stdout.omitted_lines == 999_600
    assert result.stdout.tail.endswith("999999\n")


DEAF_TO_SIGINT = (  # how a wait inside C looks from Python: the interrupt never lands
    "import signal, threading\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})\nthreading.Event().wait(600)"
)


def test_code_that_ignores_the_interrupt_is_reported_stuck_and_a_restart_frees_it(lesson_dir: Path) -> None:
    with KernelSession(cwd=lesson_dir) as session:
        session.wait_ready()
        events, results = [], []
        worker = threading.Thread(target=lambda: results.append(session.execute(DEAF_TO_SIGINT, events.append)))
        worker.start()
        time.sleep(0.5)
        session.interrupt()
        deadline = time.monotonic() + 15
        while KernelStatus("stuck") not in events and time.monotonic() < deadline:
            time.sleep(0.05)
        assert KernelStatus("stuck") in events and not results  # reported while still blocked
        session.restart()
        worker.join(10)
        assert results and results[0].status == "died"
        assert session.execute("1 + 1").result.text == "2"


def test_an_interrupted_sleep_is_not_reported_stuck(kernel: KernelSession) -> None:
    events: list = []
    _interrupt_after(kernel, 0.3)
    assert kernel.execute("import time\ntime.sleep(60)", events.append, timeout=30).status == "interrupted"
    assert KernelStatus("stuck") not in events


def test_restart_while_running_releases_the_waiting_execute(lesson_dir: Path) -> None:
    with KernelSession(cwd=lesson_dir) as session:
        session.wait_ready()
        results = []
        worker = threading.Thread(target=lambda: results.append(session.execute("import time\ntime.sleep(60)")))
        worker.start()
        time.sleep(0.5)
        session.restart()
        worker.join(10)
        assert results and results[0].status == "died"
        assert session.execute("1 + 1").result.text == "2"


def test_a_dying_kernel_is_detected_and_restart_brings_it_back(lesson_dir: Path) -> None:
    with KernelSession(cwd=lesson_dir) as session:
        statuses: list[str] = []
        assert session.execute("doomed = 1").ok
        started = time.monotonic()
        result = session.execute(
            "print('bye', flush=True)\nimport os\nos._exit(1)",
            on_event=lambda e: isinstance(e, KernelStatus) and statuses.append(e.state),
        )
        assert result.status == "died" and time.monotonic() - started < 3
        assert statuses[-1] == "died"
        assert not session.is_alive
        assert session.execute("1").status == "died", "a dead kernel answers at once, it does not hang"
        session.restart()
        assert session.is_alive
        after = session.execute("'doomed' in globals()")
        assert after.ok and after.result.text == "False"


def test_output_of_a_background_thread_is_drained_between_executes(kernel: KernelSession) -> None:
    code = "import threading, time\nthreading.Timer(0.3, lambda: print('late', flush=True)).start()"
    assert kernel.execute(code).ok
    late: list[object] = []
    deadline = time.monotonic() + 10
    while not late and time.monotonic() < deadline:
        kernel.drain(late.append, timeout=0.2)
    assert [(e.name, e.text) for e in late if isinstance(e, StreamChunk)] == [("stdout", "late\n")]


def test_the_kernel_listens_on_no_tcp_port_only_on_sockets_in_a_private_folder(kernel: KernelSession) -> None:
    """Another local user could connect to TCP ports and read IOPub (every cell's code and output)
    without the key; Unix sockets in a 0700 folder are out of their reach. The one TCP port left is
    ipykernel's IOPub pipe for forked subprocesses: a receive-only PULL socket that drops every
    message without its random 16-byte token (ipykernel/iostream.py)."""
    pid = kernel._km.provisioner.process.pid
    pipe = kernel.execute("import sys; print(sys.stdout.pub_thread._pipe_port)").stdout.text.strip()
    assert listening_ports([pid]) == {int(pipe)}
    runtime = Path(kernel._km.connection_file).parent
    assert stat.S_IMODE(runtime.stat().st_mode) & 0o777 == 0o700  # jupyter_client adds the sticky bit
    sockets = sorted(path.name for path in runtime.iterdir() if stat.S_ISSOCK(path.stat().st_mode))
    assert len(sockets) == 5, sockets  # shell, iopub, stdin, control, heartbeat
    assert kernel.log_path is not None and kernel.log_path.parent == runtime


def test_a_shutdown_removes_the_kernels_folder_and_dead_owners_folders_are_reaped(lesson_dir: Path, tmp_path: Path):
    session = KernelSession("python", cwd=lesson_dir, env={"KAFKA_BOOTSTRAP_SERVERS": BOOTSTRAP})
    session.start()
    session.wait_ready()
    runtime = Path(session._km.connection_file).parent
    session.shutdown()
    assert not runtime.exists()
    orphan = tmp_path / f"{RUNTIME_PREFIX}{_dead_pid()}-old"
    living = tmp_path / f"{RUNTIME_PREFIX}{os.getpid()}-live"
    for folder in (orphan, living):
        folder.mkdir()
        (folder / "kernel.log").write_text("x")
    assert reap_run_dirs(tmp_path, RUNTIME_PREFIX) == [orphan]
    assert living.exists() and not orphan.exists()


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()  # reaped: its pid names no process (until the kernel reuses it, much later)
    return process.pid
