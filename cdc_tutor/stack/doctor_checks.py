"""Checks of a real lab stack for `cdc-tutor doctor`: each returns (ok, message, fix hint).

They take plain addresses, so they work for the native stack, docker compose, or a workshop's
shared stack alike; none raises.
"""

from __future__ import annotations

import subprocess
from urllib.parse import urlsplit

from cdc_tutor.stack.config import CONNECTOR_NAME, SNAPSHOT_TOPICS, psql_target
from cdc_tutor.stack.psql import INSTALL_HINT, psql_binary, run_psql

Check = tuple[bool, str, str]
_UP_HINT = (
    "start the lab stack: `cdc-tutor lab up --native` (or `docker compose up --wait` in the "
    "tutor's repository), or point the tutor at a running one with --bootstrap-servers"
)


def check_broker(bootstrap_servers: str) -> Check:
    from cdc_tutor.kafka.topics import list_topics

    try:
        topics = list_topics(bootstrap_servers, timeout=5)
    except ConnectionError as problem:
        return False, f"Kafka broker {bootstrap_servers}: not reachable ({problem})", _UP_HINT
    return True, f"Kafka broker {bootstrap_servers}: reachable, {len(topics)} topics", ""


def check_topics(bootstrap_servers: str, expected: tuple[str, ...] = SNAPSHOT_TOPICS) -> Check:
    from cdc_tutor.kafka.topics import list_topics

    try:
        topics = list_topics(bootstrap_servers, timeout=5)
    except ConnectionError as problem:
        return False, f"topics: broker not reachable ({problem})", _UP_HINT
    missing = [name for name in expected if name not in topics]
    if missing:
        return (
            False,
            f"topics missing on {bootstrap_servers}: {', '.join(missing)}",
            "the Debezium connector creates them with its snapshot: check the connector "
            "(`cdc-tutor lab status`), then wait for the snapshot",
        )
    return True, f"topics present: {', '.join(expected)}", ""


def check_connector(connect_url: str, name: str = CONNECTOR_NAME) -> Check:
    from cdc_tutor.stack.connect import ConnectClient, ConnectError, running

    try:
        ok, summary = running(ConnectClient(connect_url, timeout=5).status(name))
    except ConnectError as problem:
        if "404" in str(problem):
            return (
                False,
                f"connector {name}: not registered at {connect_url}",
                "register it: `cdc-tutor lab up --native` does (re-running is safe); with docker "
                "compose, the register-connector service does",
            )
        return False, f"Kafka Connect {connect_url}: {problem}", _UP_HINT
    if ok:
        return True, f"connector {name}: {summary}", ""
    return (
        False,
        f"connector {name}: {summary}",
        f"read the task's trace: curl {connect_url}/connectors/{name}/status; restart it: "
        f"curl -X POST '{connect_url}/connectors/{name}/restart?includeTasks=true'",
    )


def check_wal_level(postgres_dsn: str) -> Check:
    """PostgreSQL's wal_level must be `logical` for Debezium (asked with psql, if installed)."""
    psql = psql_binary()
    where = urlsplit(postgres_dsn)
    label = f"PostgreSQL {where.hostname}:{where.port or 5432}"
    if psql is None:
        return False, f"{label}: psql is not installed, cannot check", INSTALL_HINT
    postgres_dsn, env = psql_target(postgres_dsn, PGCONNECT_TIMEOUT="5")
    try:
        done = run_psql([postgres_dsn], "SHOW wal_level", binary=psql, env=env, timeout=15)
    except (OSError, subprocess.TimeoutExpired) as problem:
        return False, f"{label}: {problem}", _UP_HINT
    if done.returncode != 0:
        return False, f"{label}: not reachable ({done.stderr.strip().splitlines()[-1:] or ['?']})", _UP_HINT
    level = done.stdout.strip()
    if level != "logical":
        return (
            False,
            f"{label}: wal_level is {level!r}, Debezium needs 'logical'",
            "set wal_level = logical in postgresql.conf (ALTER SYSTEM SET wal_level = logical) and restart PostgreSQL",
        )
    return True, f"{label}: wal_level logical", ""
