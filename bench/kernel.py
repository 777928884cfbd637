"""Benchmark: a python kernel's warm execute round trip and start to ready, against raw jupyter_client."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from jupyter_client.kernelspec import KernelSpec  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402

from cdc_tutor.kernel import KernelSession, kernel_command  # noqa: E402
from cdc_tutor.kernel.launch import SingleKernelSpecManager  # noqa: E402

TRIVIAL = "1+1"
ROUND_TRIPS_PER_RUN = 30


def _raw_manager() -> KernelManager:
    # The very command KernelSession runs, so the anchor differs only in the client side.
    spec = KernelSpec(argv=kernel_command("python").argv, display_name="raw", language="python")
    return KernelManager(kernel_spec_manager=SingleKernelSpecManager(spec=spec), kernel_name="python")


def _raw_start(cwd: str) -> tuple[KernelManager, object, float]:
    started = time.perf_counter()
    manager = _raw_manager()
    manager.start_kernel(cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    return manager, client, time.perf_counter() - started


def _raw_stop(manager: KernelManager, client: object) -> None:
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def _session_start(cwd: str) -> tuple[KernelSession, float]:
    started = time.perf_counter()
    session = KernelSession("python", cwd=Path(cwd))
    session.start()
    session.wait_ready(timeout=60)
    return session, time.perf_counter() - started


def _round_trips(runs: int, cwd: str) -> tuple[list[float], list[float]]:
    session, _ = _session_start(cwd)
    manager, client, _ = _raw_start(cwd)
    ours, raw = [], []
    try:
        for _ in range(10):  # warm both kernels' code paths
            session.execute(TRIVIAL)
            client.execute_interactive(TRIVIAL, output_hook=lambda _msg: None, timeout=30)
        for _ in range(runs * ROUND_TRIPS_PER_RUN):  # interleaved, so load drift hits both alike
            started = time.perf_counter()
            assert session.execute(TRIVIAL).ok
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            client.execute_interactive(TRIVIAL, output_hook=lambda _msg: None, timeout=30)
            raw.append(time.perf_counter() - started)
    finally:
        session.shutdown()
        _raw_stop(manager, client)
    return ours, raw


def _starts(runs: int, cwd: str) -> tuple[list[float], list[float]]:
    ours, raw = [], []
    for warm_up in (True,) + (False,) * runs:
        session, took = _session_start(cwd)
        session.shutdown()
        manager, client, raw_took = _raw_start(cwd)
        _raw_stop(manager, client)
        if not warm_up:
            ours.append(took)
            raw.append(raw_took)
    return ours, raw


def measure(runs: int = 9) -> list[dict]:
    with tempfile.TemporaryDirectory() as cwd:
        trip_ours, trip_raw = _round_trips(runs, cwd)
        start_ours, start_raw = _starts(runs, cwd)
    trip_ms, trip_raw_ms = statistics.median(trip_ours) * 1000, statistics.median(trip_raw) * 1000
    start_s, start_raw_s = statistics.median(start_ours), statistics.median(start_raw)
    return [
        {
            "metric": "kernel_execute_round_trip_ms",
            "median": round(trip_ms, 3),
            "runs": len(trip_ours),
            "anchor": "jupyter_client_execute_interactive_ms",
            "anchor_median": round(trip_raw_ms, 3),
            "ratio": round(trip_ms / trip_raw_ms, 3),
            "target": "median < 15",
            "met": trip_ms < 15,
        },
        {
            "metric": "kernel_start_to_ready_s",
            "median": round(start_s, 4),
            "runs": runs,
            "anchor": "jupyter_client_start_wait_for_ready_s",
            "anchor_median": round(start_raw_s, 4),
            "ratio": round(start_s / start_raw_s, 3),
            "target": "median < 1",
            "met": start_s < 1,
        },
    ]


if __name__ == "__main__":
    import json

    for result in measure(int(sys.argv[1]) if len(sys.argv) > 1 else 9):
        print(json.dumps(result))
