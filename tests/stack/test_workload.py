"""The embedded source's workload generator runs against real PostgreSQL (PostgresInventory) and,
with the same seed, makes the same changes there as in the embedded database: Debezium's topics
then hold the same events as the embedded source's, apart from times and WAL positions."""

from __future__ import annotations

import json
import time

import pytest

from cdc_tutor.source.database import InventoryDatabase
from cdc_tutor.source.encoder import DebeziumEncoder
from cdc_tutor.source.relay import SourceRelay
from cdc_tutor.source.schema import postgres_ddl
from cdc_tutor.source.workload import Workload
from cdc_tutor.stack.connect import connector_config, running
from cdc_tutor.stack.pg_session import PostgresInventory, to_postgres
from tests.stack.kafka_read import read_topics

PREFIX, DATABASE, STEPS, SEED = "dbwork", "workload", 150, 11
TOPICS = [f"{PREFIX}.inventory.{table}" for table in ("customers", "orders", "products", "products_on_hand")]
_NOW_COLUMNS = ("updated_at", "order_date")  # now() and the current date differ between the runs
_VOLATILE = {"ts_ms", "ts_us", "ts_ns", "txId", "lsn", "sequence", "db"}


def test_workload_sql_translates_to_postgres():
    assert to_postgres("SELECT date('now'), dec_mul(price, ?) FROM t WHERE id = ?", ("0.95", 7)) == (
        "SELECT CURRENT_DATE, (price * '0.95') FROM t WHERE id = 7"
    )
    assert to_postgres("SET quantity = max(quantity - ?, 0), name = ?", (2, "O'Hara")) == (
        "SET quantity = greatest(quantity - 2, 0), name = 'O''Hara'"
    )


@pytest.fixture(scope="module")
def runs(native_stack):
    pg = native_stack.postgres
    # A database of its own, fresh from the same DDL: other tests' changes cannot shift this one.
    pg.psql(f"CREATE DATABASE {DATABASE};", single_transaction=False)
    pg.psql(postgres_ddl(), database=DATABASE)
    config = connector_config(hostname="127.0.0.1", port=pg.port, user="postgres", password=pg.password)
    config.update(
        {"topic.prefix": PREFIX, "database.dbname": DATABASE, "slot.name": "slot_work", "publication.name": "pub_work"}
    )
    native_stack.connect.put_config("inventory-work", config)
    deadline = time.monotonic() + 120
    while not running(native_stack.connect.status("inventory-work"))[0]:
        assert time.monotonic() < deadline
        time.sleep(0.5)
    read_topics(native_stack.config.bootstrap_servers, TOPICS, {TOPICS[0]: 4, TOPICS[1]: 4, TOPICS[2]: 9, TOPICS[3]: 9})
    real_db = PostgresInventory("127.0.0.1", pg.port, "postgres", pg.password, DATABASE)
    real = Workload(real_db, seed=SEED)
    kinds_real = [real.step() for _ in range(STEPS)]
    real_db.close()

    database, records = InventoryDatabase(), []
    relay = SourceRelay(database, DebeziumEncoder(server=PREFIX), lambda *r: records.append(r), prune=False)
    relay.pump()
    embedded = Workload(database, seed=SEED)
    kinds_embedded = [embedded.step() for _ in range(STEPS)]
    relay.pump()
    database.close()
    assert kinds_real == kinds_embedded
    assert (real.failed, real.steps) == (embedded.failed, embedded.steps)

    embedded_by_topic = {topic: [(key, value) for t, key, value in records if t == topic] for topic in TOPICS}
    found = read_topics(
        native_stack.config.bootstrap_servers, TOPICS, {topic: len(rows) for topic, rows in embedded_by_topic.items()}
    )
    real_by_topic = {topic: [(key, value) for _p, _o, key, value in rows] for topic, rows in found.items()}
    return real_by_topic, embedded_by_topic


def _masked(value: bytes | None):
    if value is None:
        return None
    document = json.loads(value)
    payload = document["payload"]
    for side in ("before", "after"):
        for column in _NOW_COLUMNS:
            if payload[side] is not None and column in payload[side]:
                payload[side][column] = type(payload[side][column]).__name__
    for name in _VOLATILE & set(payload["source"]):
        payload["source"][name] = type(payload["source"][name]).__name__
    for name in ("ts_ms", "ts_us", "ts_ns"):
        payload[name] = type(payload[name]).__name__
    return json.dumps(document)  # key order kept: the comparison covers field order too


def _per_key(records):
    """Events per key in order: Kafka orders a topic per partition, i.e. per key."""
    grouped: dict = {}
    for key, value in records:
        grouped.setdefault(key, []).append(_masked(value))
    return grouped


@pytest.mark.parametrize("topic", TOPICS)
def test_same_seed_same_events_in_postgres_and_embedded(runs, topic):
    real, embedded = runs
    assert len(real[topic]) == len(embedded[topic])
    assert len(real[topic]) > {"customers": 4, "orders": 4}.get(topic.rsplit(".", 1)[1], 9)
    assert _per_key(real[topic]) == _per_key(embedded[topic])


def test_lab_workload_command_changes_postgres_until_interrupted(native_stack, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    pg = native_stack.postgres
    pg.psql("CREATE DATABASE clitest;", single_transaction=False)
    pg.psql(postgres_ddl(), database="clitest")
    dsn = f"postgresql://postgres:{pg.password}@127.0.0.1:{pg.port}/clitest"
    command = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cdc_tutor",
            "--data-dir",
            str(tmp_path),
            "lab",
            "workload",
            "--rate",
            "40",
            "--seed",
            "3",
            "--postgres-dsn",
            dsn,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert command.stdout.readline().startswith("workload: 40 changes/s")
        time.sleep(3)
        command.send_signal(signal.SIGINT)
        out, err = command.communicate(timeout=30)
    finally:
        if command.poll() is None:
            command.kill()
    assert command.returncode == 0, err
    steps = int(out.split("workload stopped: ")[1].split()[0])
    assert steps > 20
    orders = int(pg.psql("SELECT count(*) FROM inventory.orders;", database="clitest"))
    assert orders > 4  # the workload placed orders
