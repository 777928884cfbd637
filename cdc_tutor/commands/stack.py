"""`cdc-tutor lab up --native|--docker`, `lab down`, `lab status`: the real lab stack; and
`lab workload`: the embedded source's workload generator against its PostgreSQL, until Ctrl+C.

--native runs PostgreSQL, Kafka (KRaft), Kafka Connect with Debezium and Redis as local processes
(Java, Maven, the distribution's PostgreSQL and Redis; no Docker); --docker runs docker-compose.yml.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ACTIONS = ("up", "down", "status", "workload")
COMPOSE_FILE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of the stack actions (lab.py adds them beside the embedded lab's own)."""
    group = parser.add_argument_group("real stack (lab up / down / status)")
    how = group.add_mutually_exclusive_group()
    how.add_argument(
        "--native",
        dest="docker",
        action="store_false",
        default=False,
        help="local processes: PostgreSQL, Kafka, Kafka Connect + Debezium (default)",
    )
    how.add_argument(
        "--docker", dest="docker", action="store_true", help="docker compose with the repository's docker-compose.yml"
    )
    group.add_argument("--purge", action="store_true", help="lab down: also delete the stack's data")
    group.add_argument("--json", action="store_true", help="print timings, memory and addresses as JSON")
    group.add_argument(
        "--postgres-dsn",
        metavar="URI",
        help="lab workload: the PostgreSQL to change (default: the native stack's; with "
        "docker compose postgresql://postgres:postgres@127.0.0.1:5432/postgres)",
    )
    group.add_argument(
        "--engines",
        action="store_true",
        help="--native: also a shared Flink session cluster and a Spark Connect server for the engine "
        "lessons (workshops: one of each for the room instead of a local Flink or Spark in every student's "
        "kernel; needs `cdc-tutor setup flink spark`)",
    )
    group.add_argument(
        "--flink-slots",
        type=_slots,
        default=4,
        metavar="N",
        help="--engines: task slots of the Flink cluster, one per running streaming job (default 4)",
    )
    ports = (
        ("kafka", 9092),
        ("controller", 9093),
        ("connect", 8083),
        ("postgres", 5432),
        ("redis", 6379),
        ("flink", 8081),
        ("spark", 15002),
    )
    for name, default in ports:
        group.add_argument(
            f"--{name}-port",
            type=int,
            default=default,
            metavar="PORT",
            help=f"--native: {name} port on 127.0.0.1 (default {default})",
        )


def _slots(text: str) -> int:
    slots = int(text) if text.isdigit() else 0
    if not 1 <= slots <= 512:
        raise argparse.ArgumentTypeError(f"a number of slots from 1 to 512, not {text!r}")
    return slots


def stack_config(args: argparse.Namespace, settings):
    from cdc_tutor.stack.config import StackConfig

    return StackConfig(
        Path(settings.data_dir) / "stack",
        kafka_port=args.kafka_port,
        controller_port=args.controller_port,
        connect_port=args.connect_port,
        postgres_port=args.postgres_port,
        redis_port=args.redis_port,
        flink_port=args.flink_port,
        spark_port=args.spark_port,
        engines=args.engines,
        flink_slots=args.flink_slots,
    )


def stack_config_of(settings):
    """The config of the stack `lab up` started in this data dir, else the default ports."""
    from cdc_tutor.stack.config import StackConfig

    return _saved_config(settings) or StackConfig(Path(settings.data_dir) / "stack")


def _saved_config(settings):
    """The config `lab up` used (its ports), so down/status need no flags."""
    from cdc_tutor.stack.config import saved_config

    return saved_config(Path(settings.data_dir) / "stack")


def run(action: str, args: argparse.Namespace, settings) -> int:
    if action == "workload":
        return _workload(args, settings)
    if args.docker:
        return _docker(action)
    from cdc_tutor.stack.jars import StackError
    from cdc_tutor.stack.native import NativeStack

    config = (_saved_config(settings) if action != "up" else None) or stack_config(args, settings)
    try:
        stack = NativeStack(config, report=lambda line: print(line, file=sys.stderr, flush=True))
        if action == "up":
            figures, lines = bring_up(stack)
            if args.json:
                print(json.dumps({**figures, "settings": lines}))
            else:
                print(
                    f"lab stack up in {figures['seconds']['total']:.1f} s, "
                    f"{figures['memory_kib']['total'] // 1024} MiB resident"
                )
                for key, value in lines.items():
                    print(f"export {key}={value}")
            return 0
        if action == "down":
            figures = stack.down(purge=args.purge)
            print(
                json.dumps(figures)
                if args.json
                else f"lab stack stopped in {figures['seconds']:.1f} s" + (" and deleted" if args.purge else "")
            )
            return 0
        status = stack.status()
        if args.json:
            print(json.dumps({**status.__dict__, "healthy": status.healthy}))
        else:
            for part in ("postgres", "redis", "broker", "connect"):
                print(f"{part:9} {'up' if getattr(status, part) else 'down'}")
            for part in ("flink", "spark"):
                if getattr(status, part) is not None:
                    print(f"{part:9} {'up' if getattr(status, part) else 'down'}")
            print(f"connector {status.connector}")
            print(f"memory    {status.memory_kib.get('total', 0) // 1024} MiB")
        return 0 if status.healthy else 3
    except StackError as problem:
        print(f"cdc-tutor lab {action}: {problem}", file=sys.stderr)
        return 1


def bring_up(stack) -> tuple[dict, dict[str, str]]:
    """Start the native stack; its figures (seconds, memory) and the tutor's lab settings for it,
    also saved as `lab.env` in its state directory."""
    from cdc_tutor.paths import write_private

    figures = stack.up()
    lines = lab_settings(stack)
    # holds the database password: owner only
    write_private(stack.config.state_dir / "lab.env", "".join(f"export {k}={v}\n" for k, v in lines.items()))
    return figures, lines


def lab_settings(stack) -> dict[str, str]:
    """The tutor's lab-mode settings for this stack (environment variable -> value); a secure
    stack's include its admin's Kafka user (the stack's owner is its admin)."""
    lines = {
        "CDC_TUTOR_BOOTSTRAP_SERVERS": stack.config.bootstrap_servers,
        "CDC_TUTOR_CONNECT_URL": stack.config.connect_url,
        "CDC_TUTOR_POSTGRES_DSN": stack.postgres.dsn,
        "CDC_TUTOR_REDIS_URL": stack.config.redis_url,
    }
    if stack.config.engines:
        lines["CDC_TUTOR_FLINK_URL"] = stack.config.flink_url
        lines["CDC_TUTOR_SPARK_REMOTE"] = stack.config.spark_remote
    if stack.config.secure:
        from cdc_tutor.stack.security import ADMIN

        lines["CDC_TUTOR_KAFKA_USERNAME"] = ADMIN
        lines["CDC_TUTOR_KAFKA_PASSWORD"] = stack.secrets.password(ADMIN)
    return lines


def _docker(action: str) -> int:
    if not COMPOSE_FILE.is_file():
        print(
            f"cdc-tutor lab {action} --docker: docker-compose.yml is in the tutor's repository; run "
            "`docker compose up --wait` there, or use --native",
            file=sys.stderr,
        )
        return 1
    plugin = (
        shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    )
    if plugin:
        compose = ["docker", "compose"]
    elif shutil.which("docker-compose"):
        compose = ["docker-compose"]
    else:
        print(
            "cdc-tutor lab: Docker Compose is not installed (docker compose plugin or docker-compose); use --native",
            file=sys.stderr,
        )
        return 1
    command = {"up": ["up", "--detach", "--wait"], "down": ["down"], "status": ["ps"]}[action]
    return subprocess.run([*compose, "-f", str(COMPOSE_FILE), *command]).returncode


def _workload(args: argparse.Namespace, settings) -> int:
    import signal
    import threading
    from urllib.parse import unquote, urlsplit

    from cdc_tutor.source.workload import Workload
    from cdc_tutor.stack.jars import StackError
    from cdc_tutor.stack.pg_session import PostgresError, PostgresInventory

    dsn = args.postgres_dsn
    if dsn is None:
        config = _saved_config(settings)
        if config is None:
            print(
                "cdc-tutor lab workload: no native stack here; start one with `cdc-tutor lab up` or "
                "give --postgres-dsn",
                file=sys.stderr,
            )
            return 1
        from cdc_tutor.stack.native import NativeStack

        try:
            dsn = NativeStack(config, report=lambda line: None).postgres.dsn
        except (StackError, OSError) as problem:
            print(f"cdc-tutor lab workload: {problem}", file=sys.stderr)
            return 1
    where = urlsplit(dsn)
    try:
        database = PostgresInventory(
            where.hostname or "127.0.0.1",
            where.port or 5432,
            unquote(where.username or "postgres"),
            unquote(where.password or ""),
            where.path.lstrip("/") or "postgres",
        )
    except PostgresError as problem:
        print(f"cdc-tutor lab workload: {problem}", file=sys.stderr)
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    workload = Workload(database, seed=args.seed, rate=args.rate)
    print(f"workload: {args.rate:g} changes/s into {where.hostname}:{where.port or 5432}; Ctrl+C stops", flush=True)
    try:
        workload.run(stop)
    except KeyboardInterrupt:
        pass
    finally:
        database.close()
    print(f"workload stopped: {workload.steps} steps, {workload.failed} rolled back", flush=True)
    return 0
