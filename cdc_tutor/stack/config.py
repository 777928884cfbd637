"""StackConfig: where the native stack keeps its state and jars, and the loopback ports it binds."""

from __future__ import annotations

import hashlib
import json
import os
import socket
from dataclasses import asdict, dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
CONNECTOR_NAME = "inventory-connector"
TOPIC_PREFIX = "dbserver1"
TABLES = ("customers", "orders", "products", "products_on_hand")


@dataclass(frozen=True)
class ConnectorSpec:
    """One Debezium connector of the stack: its name, topic prefix, decimal.handling.mode, and the
    PostgreSQL replication slot and publication it alone uses (two connectors cannot share a slot,
    and two starting at once would both try to create a shared publication)."""

    name: str
    topic_prefix: str
    decimal_mode: str
    slot: str
    publication: str

    @property
    def snapshot_topics(self) -> tuple[str, ...]:
        return tuple(f"{self.topic_prefix}.inventory.{table}" for table in TABLES)


CONNECTORS = (
    # The tutorial's connector: NUMERIC as precise Connect Decimals, as the lessons explain them.
    ConnectorSpec(CONNECTOR_NAME, TOPIC_PREFIX, "precise", "debezium", "dbz_publication"),
    # The same changes with NUMERIC as strings, for Flink: its debezium-json format ignores
    # Debezium's logical types, so a base64 decimal cannot be parsed into DECIMAL.
    ConnectorSpec(
        "inventory-connector-string-decimals",
        "dbserver1_string_decimals",
        "string",
        "debezium_string",
        "dbz_publication_string",
    ),
)
SNAPSHOT_TOPICS = CONNECTORS[0].snapshot_topics
"""The tutorial connector's topics, there once its snapshot is done."""
STACK_TOPIC_PREFIXES = {spec.decimal_mode: spec.topic_prefix for spec in CONNECTORS}
"""decimal.handling.mode -> the stack's topic prefix serving it (no `double` connector)."""


def default_cache_dir() -> Path:
    """Resolved jars, one directory per classpath; safe to share and keep (env CDC_TUTOR_STACK_CACHE)."""
    if env := os.environ.get("CDC_TUTOR_STACK_CACHE"):
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("cdc-tutor", appauthor=False)) / "stack"


def default_maven_repo() -> Path:
    """Maven's local repository (env CDC_TUTOR_STACK_M2): downloads are cached there across runs."""
    if env := os.environ.get("CDC_TUTOR_STACK_M2"):
        return Path(env).expanduser()
    return Path.home() / ".m2" / "repository"


@dataclass
class StackConfig:
    """One native stack. The default ports are the ones docker-compose.yml publishes, so the
    tutor's lab settings are the same for both."""

    state_dir: Path
    """Per-user private directory (0700): configs, logs, Kafka data, state.json."""
    cache_dir: Path = field(default_factory=default_cache_dir)
    maven_repo: Path = field(default_factory=default_maven_repo)
    kafka_port: int = 9092
    controller_port: int = 9093
    connect_port: int = 8083
    postgres_port: int = 5432
    redis_port: int = 6379
    flink_port: int = 8081
    flink_rpc_port: int = 6123
    spark_port: int = 15002
    broker_heap: str = "512m"
    connect_heap: str = "768m"
    secure: bool = False
    """A workshop stack: every Kafka client must log in (SASL), students only touch their own names
    (ACLs); see cdc_tutor/stack/security.py."""
    engines: bool = False
    """Shared engines for a workshop's engine lessons: a Flink session cluster (flink_cluster.py)
    and a Spark Connect server (spark_connect.py)."""
    flink_slots: int = 4
    """Task slots of the Flink cluster: one per running streaming job of a student."""

    @property
    def bootstrap_servers(self) -> str:
        return f"{HOST}:{self.kafka_port}"

    @property
    def connect_url(self) -> str:
        return f"http://{HOST}:{self.connect_port}"

    @property
    def flink_url(self) -> str:
        return f"http://{HOST}:{self.flink_port}"

    @property
    def spark_remote(self) -> str:
        return f"sc://{HOST}:{self.spark_port}"

    @property
    def redis_url(self) -> str:
        return f"redis://{HOST}:{self.redis_port}/0"

    @property
    def state_file(self) -> Path:
        return self.state_dir / "state.json"

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    def postgres_root(self, os_user_home: Path | None) -> Path:
        """PostgreSQL's private directory. As root, PostgreSQL runs as its own OS user, which
        cannot enter root's 0700 state dir: its directory then lives in that user's home."""
        if os_user_home is None:
            return self.state_dir / "postgres"
        tag = hashlib.sha256(str(self.state_dir.resolve()).encode()).hexdigest()[:12]
        return os_user_home / "cdc-tutor-lab" / tag

    def as_dict(self) -> dict:
        return {key: str(value) if isinstance(value, Path) else value for key, value in asdict(self).items()}

    @classmethod
    def with_free_ports(cls, state_dir: Path, **options) -> StackConfig:
        """Every port picked free by the kernel (tests, a second stack beside a running one)."""
        ports = free_ports(8)
        return cls(
            state_dir,
            kafka_port=ports[0],
            controller_port=ports[1],
            connect_port=ports[2],
            postgres_port=ports[3],
            redis_port=ports[4],
            flink_port=ports[5],
            flink_rpc_port=ports[6],
            spark_port=ports[7],
            **options,
        )


_KEPT = ("secure", "engines", "flink_slots")


def saved_config(state_dir: Path) -> StackConfig | None:
    """The config `lab up` saved in state_dir (its ports and heaps), or None when there is none."""
    try:
        saved = json.loads((state_dir / "state.json").read_text(encoding="utf-8"))["config"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    kept = {key: value for key, value in saved.items() if key.endswith(("_port", "_heap")) or key in _KEPT}
    return StackConfig(state_dir, **kept)


def psql_target(dsn: str, **env: str) -> tuple[str, dict[str, str]]:
    """(dsn without its password, environment for psql with PGPASSWORD): a password in argv is
    visible to every user's `ps` on a shared VM. `env` adds variables, e.g. PGCONNECT_TIMEOUT."""
    from urllib.parse import unquote, urlsplit, urlunsplit

    environment = {**os.environ, **env}
    where = urlsplit(dsn)
    if where.password:
        environment["PGPASSWORD"] = unquote(where.password)
        dsn = urlunsplit(where._replace(netloc=where.netloc.replace(f":{where.password}@", "@", 1)))
    return dsn, environment


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind((HOST, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0
