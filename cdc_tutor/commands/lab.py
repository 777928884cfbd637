"""`cdc-tutor lab`: run the embedded broker and inventory source on their own, until Ctrl+C.

The first line printed is `bootstrap.servers=HOST:PORT`, for scripts, editors and Jupyter.
On a terminal it also reads commands after a `lab> ` prompt, answering in Russian as the tutor
does: SQL for the source, or cut / restore / pause / resume / rate N / help.

`cdc-tutor lab up [--native|--docker]`, `lab down`, `lab status` and `lab workload` manage the
real stack instead (cdc_tutor.commands.stack).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from cdc_tutor import strings

HELP = "run the embedded Kafka broker and CDC source"


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
    for ending in (signal.SIGTERM, signal.SIGHUP):  # a kill, a dropped SSH session: close the lab
        signal.signal(ending, lambda *_: stop.set())
    try:
        lab = embedded_lab(options, settings.data_dir).start()
    except Exception as problem:  # noqa: BLE001 - any start failure is reported, not traced
        print(strings.LAB_CONSOLE_START_FAILED.format(problem=problem), file=sys.stderr)
        return 1
    try:
        print(f"bootstrap.servers={lab.bootstrap_servers}", flush=True)
        workload = (
            strings.LAB_CONSOLE_WORKLOAD_PAUSED
            if args.no_workload
            else strings.LAB_CONSOLE_WORKLOAD_RATE.format(rate=args.rate)
        )
        print(strings.LAB_CONSOLE_TOPICS.format(topics=CDC_TOPICS, workload=workload), flush=True)
        if sys.stdin is not None and sys.stdin.isatty():
            print(strings.LAB_CONSOLE_INTRO, flush=True)
            threading.Thread(target=_read_commands, args=(lab, stop), daemon=True).start()
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        lab.close()
        print(f"\n{strings.LAB_CONSOLE_STOPPED}", flush=True)  # after the prompt's line
    return 0


def _read_commands(lab, stop: threading.Event) -> None:
    """Read a line after each prompt, answer it; end of input (Ctrl+D) stops the lab like Ctrl+C."""
    while True:
        print(strings.LAB_CONSOLE_PROMPT, end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            break
        reply = apply_command(lab, line.strip())
        if reply:
            print(reply, flush=True)
    stop.set()


def apply_command(lab, line: str) -> str:
    """Run one console command against the lab; returns what to print."""
    word, _, rest = line.partition(" ")
    word = word.lower()
    if not line:
        return ""
    if word == "help":
        return strings.LAB_CONSOLE_HELP
    if word in ("cut", "restore"):
        try:
            getattr(lab, word)()
        except Exception as error:  # noqa: BLE001 - said on the console, which keeps reading
            return strings.LAB_CONSOLE_OUTAGE_FAILED.format(command=word, error=f"{type(error).__name__}: {error}")
        said = strings.LAB_CONSOLE_CUT if word == "cut" else strings.LAB_CONSOLE_RESTORED
        return said.format(bootstrap=lab.bootstrap_servers)
    if word in ("pause", "resume"):
        getattr(lab.workload, word)()
        return strings.LAB_CONSOLE_PAUSED if word == "pause" else strings.LAB_CONSOLE_RUNNING
    if word == "rate":
        try:
            lab.workload.rate = float(rest)
        except ValueError:
            return strings.LAB_CONSOLE_RATE_NEEDS_NUMBER
        return strings.LAB_CONSOLE_RATE.format(rate=lab.workload.rate)
    return format_result(lab.database.execute_script(line))


def format_result(result) -> str:
    """A SqlResult as console text: the error, or the rows (tab-separated) and what changed."""
    if not result.ok:
        return strings.LAB_CONSOLE_SQL_ERROR.format(error=result.error)
    lines = []
    if result.columns:
        lines.append("\t".join(result.columns))
        lines += ["\t".join("NULL" if value is None else str(value) for value in row) for row in result.rows]
        if result.total_rows > len(result.rows):
            lines.append(strings.LAB_CONSOLE_MORE_ROWS.format(count=result.total_rows - len(result.rows)))
    lines.append(strings.LAB_CONSOLE_SQL_DONE.format(rows=result.rowcount, changes=result.changes))
    if result.notice:
        lines.append(result.notice)
    return "\n".join(lines)
