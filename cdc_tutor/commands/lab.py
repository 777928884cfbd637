"""`cdc-tutor lab`: run the embedded broker and inventory source on their own, until Ctrl+C.

The first line printed is `bootstrap.servers=HOST:PORT`, for scripts, editors and Jupyter.
On a terminal it also reads commands: SQL for the source, or cut / restore / pause / resume /
rate N / help.

`cdc-tutor lab up [--native|--docker]`, `lab down`, `lab status` and `lab workload` manage the
real stack instead (cdc_tutor.commands.stack).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

HELP = "run the embedded Kafka broker and CDC source"

_COMMANDS_HELP = """commands:
  <SQL>;          run SQL against the inventory database (its changes become events)
  cut | restore   make the broker unreachable for clients / reachable again
  pause | resume  stop / continue the workload
  rate N          workload changes per second
  help            this text"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cdc_tutor.commands import stack

    parser.add_argument(
        "action",
        nargs="?",
        choices=stack.ACTIONS,
        metavar="{up,down,status,workload}",
        help="manage the real stack (PostgreSQL, Kafka, Connect + Debezium); without it, run the embedded lab",
    )
    parser.add_argument(
        "--broker",
        choices=("mock", "kafka"),
        default="mock",
        help="mock: librdkafka's mock cluster (default); kafka: a real Kafka broker as a child JVM "
        "(Java clients, read_committed, exactly-once; run `cdc-tutor setup kafka` once)",
    )
    parser.add_argument("--rate", type=float, default=2.0, help="workload changes per second (default 2)")
    parser.add_argument("--seed", type=int, default=5, help="workload seed (default 5)")
    parser.add_argument("--no-workload", action="store_true", help="start with the workload paused")
    parser.add_argument(
        "--no-schemas", action="store_true", help="JsonConverter schemas.enable=false for keys and values"
    )
    parser.add_argument(
        "--decimal-mode",
        choices=("precise", "string", "double"),
        default="precise",
        help="Debezium decimal.handling.mode (default precise)",
    )
    stack.add_arguments(parser)


def run(args: argparse.Namespace, settings) -> int:
    if getattr(args, "action", None):
        from cdc_tutor.commands import stack

        return stack.run(args.action, args, settings)
    from cdc_tutor.lab import embedded_lab
    from cdc_tutor.lab.options import CDC_TOPICS, LabOptions

    options = LabOptions(
        schemas_enabled=not args.no_schemas,
        decimal_mode=args.decimal_mode,
        seed=args.seed,
        rate=args.rate,
        workload=not args.no_workload,
        broker=args.broker,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        lab = embedded_lab(options, settings.data_dir).start()
    except Exception as problem:  # noqa: BLE001 - any start failure is reported, not traced
        print(f"cdc-tutor lab: could not start the embedded lab: {problem}", file=sys.stderr)
        return 1
    try:
        print(f"bootstrap.servers={lab.bootstrap_servers}", flush=True)
        print(
            f"topics: {CDC_TOPICS} (snapshot done; workload "
            f"{'paused' if args.no_workload else f'{args.rate:g}/s'}); Ctrl+C stops",
            flush=True,
        )
        if sys.stdin is not None and sys.stdin.isatty():
            print("type 'help' for commands", flush=True)
            threading.Thread(target=_read_commands, args=(lab, stop), daemon=True).start()
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        lab.close()
        print("lab stopped", flush=True)
    return 0


def _read_commands(lab, stop: threading.Event) -> None:
    for line in sys.stdin:
        reply = apply_command(lab, line.strip())
        if reply:
            print(reply, flush=True)
    stop.set()  # end of input (Ctrl+D) stops the lab like Ctrl+C


def apply_command(lab, line: str) -> str:
    """Run one console command against the lab; returns what to print."""
    word, _, rest = line.partition(" ")
    word = word.lower()
    if not line:
        return ""
    if word == "help":
        return _COMMANDS_HELP
    if word in ("cut", "restore"):
        try:
            getattr(lab, word)()
        except Exception as error:  # noqa: BLE001 - said on the console, which keeps reading
            return f"{word} failed: {type(error).__name__}: {error}"
        return f"broker {'unreachable' if word == 'cut' else 'reachable'} at {lab.bootstrap_servers}"
    if word in ("pause", "resume"):
        getattr(lab.workload, word)()
        return f"workload {'paused' if word == 'pause' else 'running'}"
    if word == "rate":
        try:
            lab.workload.rate = float(rest)
        except ValueError:
            return "rate needs a number, e.g. rate 50"
        return f"workload rate {lab.workload.rate:g}/s"
    return format_result(lab.database.execute_script(line))


def format_result(result) -> str:
    """A SqlResult as console text: the error, or the rows (tab-separated) and what changed."""
    if not result.ok:
        return f"error: {result.error}"
    lines = []
    if result.columns:
        lines.append("\t".join(result.columns))
        lines += ["\t".join("NULL" if value is None else str(value) for value in row) for row in result.rows]
        if result.total_rows > len(result.rows):
            lines.append(f"... {result.total_rows - len(result.rows)} more rows")
    lines.append(f"ok: {result.rowcount} rows changed, {result.changes} change events")
    if result.notice:
        lines.append(result.notice)
    return "\n".join(lines)
