"""Run every benchmark; print one JSON object per metric (with its same-run anchor and ratio)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import broker_lab  # noqa: E402
import editor_latency  # noqa: E402
import engine_first_row  # noqa: E402
import frame  # noqa: E402
import instructor  # noqa: E402
import kernel  # noqa: E402
import online_store  # noqa: E402
import shared_engines  # noqa: E402
import source_encode  # noqa: E402
import startup  # noqa: E402
import tail  # noqa: E402
import tail_ui  # noqa: E402
import workshop  # noqa: E402

BENCHMARKS = {
    "startup": startup.measure,
    "tail": tail.measure,
    "tail_ui": tail_ui.measure,
    "frame": frame.measure,
    "source": source_encode.measure,
    "kernel": kernel.measure,
    "editor": editor_latency.measure,
    "broker_lab": broker_lab.measure,
    "engine_first_row": engine_first_row.measure,
    "online_store": online_store.measure,
    "instructor": instructor.measure,
    "workshop": workshop.measure,
    "shared_engines": shared_engines.measure,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    unknown = set(args.names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    for name in args.names or BENCHMARKS:
        for result in BENCHMARKS[name](runs=args.runs):
            print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
