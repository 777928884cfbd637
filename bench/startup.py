"""Benchmark: `cdc-tutor` start to the first painted catalog, against a bare Textual app."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

from pty_start import time_to_marker

HERE = Path(__file__).resolve().parent
CATALOG_MARKER = "Каталог уроков"  # strings.CATALOG_TITLE, painted once the catalog is on screen


def measure(runs: int = 9) -> list[dict]:
    # Byte-compile the package first, as `pip install .` does: a source checkout run with
    # PYTHONDONTWRITEBYTECODE would otherwise pay for compiling every module on every start.
    import compileall

    compileall.compile_dir(str(HERE.parent / "cdc_tutor"), quiet=1)
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "TERM": "xterm-256color", "CDC_TUTOR_DATA_DIR": data_dir}
        env.pop("NO_COLOR", None)
        tutor = [sys.executable, "-m", "cdc_tutor"]
        bare = [sys.executable, str(HERE / "bare_textual.py")]
        # Warm the OS file cache for both, then interleave so drift hits both alike.
        time_to_marker(tutor, CATALOG_MARKER, env)
        time_to_marker(bare, "bare-textual-ready", env)
        tutor_times, bare_times = [], []
        for _ in range(runs):
            tutor_times.append(time_to_marker(tutor, CATALOG_MARKER, env))
            bare_times.append(time_to_marker(bare, "bare-textual-ready", env))
    tutor_median = statistics.median(tutor_times)
    bare_median = statistics.median(bare_times)
    return [
        {
            "metric": "startup_to_catalog_seconds",
            "median": round(tutor_median, 4),
            "runs": runs,
            "anchor": "bare_textual_label_seconds",
            "anchor_median": round(bare_median, 4),
            "ratio": round(tutor_median / bare_median, 3),
            "target": "ratio <= 1.3 and median < 0.6",
            "met": tutor_median / bare_median <= 1.3 and tutor_median < 0.6,
        }
    ]
