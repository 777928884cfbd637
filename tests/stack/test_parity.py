"""The embedded source against real Debezium: one scripted set of changes, applied to PostgreSQL
(captured by Debezium through Kafka Connect) and to the embedded inventory database (encoded by
DebeziumEncoder, relayed through the embedded broker), must give the same topics, partitions,
keys and envelopes: same fields in the same order, same schemas, same values apart from times,
LSNs and transaction ids; and those relate to each other the same way. Three connector
configurations: the tutorial's (JSON with schemas, precise decimals), schemaless with string
decimals, and double decimals."""

from __future__ import annotations

import json
import re
import time

import pytest

from cdc_tutor.kafka.broker import EmbeddedBroker
from cdc_tutor.kafka.sink import KafkaSink
from cdc_tutor.source.database import InventoryDatabase
from cdc_tutor.source.encoder import DebeziumEncoder
from cdc_tutor.source.relay import SourceRelay
from cdc_tutor.stack.config import SNAPSHOT_TOPICS
from cdc_tutor.stack.connect import connector_config, running
from tests.stack.kafka_read import read_topics

# Every column kind: NUMERIC (with rounding), DATE, TIMESTAMP (with µs), FLOAT, NULLs, a default;
# inserts, updates (FULL before-images) and deletes (with tombstones); several tables in one
# transaction, and a second transaction.
SCRIPTS = [
    """
    INSERT INTO inventory.customers (first_name, last_name, email) VALUES ('Ada', 'Lovelace', 'ada@example.com');
    UPDATE inventory.products SET price = '139.99', weight = 3.5 WHERE id = 101;
    UPDATE inventory.products SET price = '12.345' WHERE id = 103;
    INSERT INTO inventory.products (name, description, weight, price) VALUES ('kite', NULL, NULL, '0.05');
    INSERT INTO inventory.orders (order_date, purchaser, quantity, product_id, total, updated_at)
        VALUES ('2026-11-20', 1005, 2, 101, '279.98', '2026-11-20 12:34:56.789012');
    UPDATE inventory.products_on_hand SET quantity = quantity - 2 WHERE product_id = 101;
    """,
    """
    UPDATE inventory.orders SET status = 'SHIPPED', total = '-1.50', updated_at = '2026-11-21 08:00:00',
        order_date = '1969-12-31' WHERE id = 10001;
    DELETE FROM inventory.orders WHERE id = 10004;
    DELETE FROM inventory.customers WHERE id = 1004;
    UPDATE inventory.customers SET email = 'sally@example.com' WHERE id = 1001;
    """,
]
_VOLATILE_PAYLOAD = ("ts_ms", "ts_us", "ts_ns")
_VOLATILE_SOURCE = ("ts_ms", "ts_us", "ts_ns", "txId", "lsn", "sequence")


def _ordered(text: bytes):
    """JSON with object keys kept in order (pairs lists), so field order is compared too."""
    return json.loads(text, object_pairs_hook=lambda pairs: [list(pair) for pair in pairs])


def _shape(value):
    """A volatile value reduced to its JSON type (and a sequence to the types of its two LSNs)."""
    if isinstance(value, str) and value.startswith("["):
        return "sequence:" + ",".join(type(part).__name__ for part in json.loads(value))
    return type(value).__name__


def _masked(value: bytes | None):
    if value is None:
        return None  # a tombstone
    document = _ordered(value)
    wrapped = [pair[0] for pair in document] == ["schema", "payload"]
    payload = dict(document)["payload"] if wrapped else document
    for pair in payload:
        if pair[0] in _VOLATILE_PAYLOAD:
            pair[1] = _shape(pair[1])
        if pair[0] == "source":
            for field in pair[1]:
                if field[0] in _VOLATILE_SOURCE:
                    field[1] = _shape(field[1])
    return document


def _records(found: dict[str, list]) -> dict[str, list]:
    return {
        topic: [(partition, key, _masked(value)) for partition, _offset, key, value in records]
        for topic, records in found.items()
    }


def _payload(value: bytes) -> dict:
    document = json.loads(value)
    return document["payload"] if set(document) == {"schema", "payload"} else document


def _raw_masked(value: bytes | None) -> bytes | None:
    """The bytes themselves with volatile numbers blanked: same separators, escapes, number forms."""
    if value is None:
        return None
    text = re.sub(rb'"(ts_ms|ts_us|ts_ns|txId|lsn)":-?\d+', rb'"\1":0', value)
    return re.sub(rb'"sequence":"\[[^\]]*\]"', b'"sequence":"[]"', text)


# The tutorial's connector (registered by the stack), and two more over the same database with
# the other converter and decimal settings the embedded source offers.
VARIANTS = {
    "dbserver1": {"schemas": True, "decimal": "precise"},
    "plain": {"schemas": False, "decimal": "string"},
    "double": {"schemas": True, "decimal": "double"},
}


def _topics(prefix: str) -> list[str]:
    return [topic.replace("dbserver1", prefix, 1) for topic in SNAPSHOT_TOPICS]


def _register_variants(stack) -> None:
    for prefix, variant in VARIANTS.items():
        if prefix == "dbserver1":
            continue
        config = connector_config(
            hostname="127.0.0.1", port=stack.config.postgres_port, user="postgres", password=stack.postgres.password
        )
        schemas = "true" if variant["schemas"] else "false"
        config.update(
            {
                "topic.prefix": prefix,
                "slot.name": f"slot_{prefix}",
                "publication.name": f"pub_{prefix}",
                "decimal.handling.mode": variant["decimal"],
                "key.converter.schemas.enable": schemas,
                "value.converter.schemas.enable": schemas,
            }
        )
        stack.connect.put_config(f"inventory-{prefix}", config)
    deadline = time.monotonic() + 120
    for prefix in VARIANTS:
        name = "inventory-connector" if prefix == "dbserver1" else f"inventory-{prefix}"
        while not running(stack.connect.status(name))[0]:
            assert time.monotonic() < deadline, stack.connect.status(name)
            time.sleep(0.5)
    snapshot = {topic: len(rows) for topic, rows in zip(SNAPSHOT_TOPICS, ([0] * 4, [0] * 4, [0] * 9, [0] * 9))}
    for prefix in VARIANTS:  # every snapshot is in Kafka before any change is made
        read_topics(
            stack.config.bootstrap_servers,
            _topics(prefix),
            {topic.replace("dbserver1", prefix, 1): count for topic, count in snapshot.items()},
        )


def _embedded() -> dict[str, dict[str, list]]:
    """One embedded database, one relay per variant, all into one embedded broker."""
    database = InventoryDatabase()
    with EmbeddedBroker() as broker:
        sink = KafkaSink(broker.bootstrap_servers)
        relays = [
            SourceRelay(
                database,
                DebeziumEncoder(server=prefix, schemas_enabled=variant["schemas"], decimal_mode=variant["decimal"]),
                sink.send,
                prune=False,
            )
            for prefix, variant in VARIANTS.items()
        ]
        for relay in relays:
            relay.pump()  # the snapshots
        for script in SCRIPTS:
            result = database.execute_script(script)
            assert result.ok, result.error
        for relay in relays:
            relay.pump()
        assert sink.flush() == 0
        found = {prefix: read_topics(broker.bootstrap_servers, _topics(prefix)) for prefix in VARIANTS}
        del sink
    database.close()
    return found


@pytest.fixture(scope="module")
def results(native_stack):
    """prefix -> (real records, embedded records) per topic, after the snapshot and SCRIPTS."""
    _register_variants(native_stack)
    embedded = _embedded()
    for script in SCRIPTS:
        native_stack.postgres.psql(script)
    real = {
        prefix: read_topics(
            native_stack.config.bootstrap_servers,
            _topics(prefix),
            {topic: len(records) for topic, records in embedded[prefix].items()},
        )
        for prefix in VARIANTS
    }
    return {prefix: (real[prefix], embedded[prefix]) for prefix in VARIANTS}


@pytest.fixture(params=list(VARIANTS))
def both(request, results):
    return results[request.param]


def test_same_topics_partitions_and_record_counts(both):
    real, embedded = both
    assert sorted(real) == sorted(embedded)
    # 26 snapshot rows; 10 row changes, 2 of them deletes with a tombstone each
    assert sum(len(records) for records in real.values()) == 26 + 10 + 2
    for topic in real:
        assert [(p, k) for p, _o, k, _v in real[topic]] == [(p, k) for p, _o, k, _v in embedded[topic]], topic


def test_same_keys_envelopes_schemas_and_values(both):
    real, embedded = _records(both[0]), _records(both[1])
    for topic in real:
        assert len(real[topic]) == len(embedded[topic])
        for index, (got, want) in enumerate(zip(real[topic], embedded[topic])):
            assert want == got, f"{topic} record {index} differs"


def test_same_bytes_apart_from_volatile_numbers(both):
    real, embedded = both
    for topic in real:
        assert [_raw_masked(v) for *_rest, v in real[topic]] == [_raw_masked(v) for *_rest, v in embedded[topic]]


def test_snapshot_markers_match(both):
    def markers(found):
        out = {}
        for topic, records in found.items():
            out[topic] = [
                _payload(v)["source"]["snapshot"] for *_rest, v in records if v is not None and _payload(v)["op"] == "r"
            ]
        return out

    real, embedded = markers(both[0]), markers(both[1])
    assert real == embedded
    assert sorted(m for ms in real.values() for m in ms if m in ("first", "last")) == ["first", "last"]


def test_same_transaction_grouping(both):
    """Records share a txId exactly when their changes were made in one transaction."""

    def groups(found):
        by_tx: dict = {}
        for topic, records in found.items():
            for index, (*_rest, value) in enumerate(records):
                if value is not None:
                    by_tx.setdefault(_payload(value)["source"]["txId"], set()).add((topic, index))
        return sorted(sorted(group) for group in by_tx.values())

    assert groups(both[0]) == groups(both[1])


def _relations(found: dict[str, list]) -> dict:
    """How the volatile fields relate to each other (not their values), on one side."""
    events = [_payload(value) for records in found.values() for *_rest, value in records if value is not None]
    snapshot = [event for event in events if event["op"] == "r"]
    streamed = sorted((event for event in events if event["op"] != "r"), key=lambda e: e["source"]["lsn"])
    sources = [event["source"] for event in events]
    by_tx: dict = {}
    for event in streamed:
        by_tx.setdefault(event["source"]["txId"], []).append(event["source"])
    transactions = list(by_tx.values())
    return {
        "snapshot shares one read time, txId and LSN": all(
            len({event["source"][name] for event in snapshot}) == 1 for name in ("ts_ms", "txId", "lsn")
        ),
        "source ts_ms/ts_us/ts_ns agree": all(
            s["ts_us"] // 1000 == s["ts_ms"] and s["ts_ns"] == s["ts_us"] * 1000 for s in sources
        ),
        "envelope ts_ms/ts_us/ts_ns agree": all(
            e["ts_ns"] // 1000 == e["ts_us"] and e["ts_us"] // 1000 == e["ts_ms"] for e in events
        ),
        "processed after committed": all(e["ts_ms"] >= e["source"]["ts_ms"] for e in events),
        "one commit time per transaction": all(len({s["ts_ms"] for s in tx}) == 1 for tx in transactions),
        "LSNs distinct within a transaction": all(len({s["lsn"] for s in tx}) == len(tx) for tx in transactions),
        "sequence ends with the LSN": all(json.loads(s["sequence"])[1] == str(s["lsn"]) for s in sources),
        "later transactions name the previous commit": all(
            int(json.loads(s["sequence"])[0]) > max(p["lsn"] for p in previous)
            for previous, tx in zip(transactions, transactions[1:])
            for s in tx
        ),
        "streamed after the snapshot": all(e["source"]["lsn"] >= snapshot[0]["source"]["lsn"] for e in streamed),
        "txIds grow": [tx[0]["txId"] for tx in transactions] == sorted(tx[0]["txId"] for tx in transactions),
        "transactions": len(transactions),
    }


def test_volatile_fields_relate_the_same_way(both):
    real, embedded = _relations(both[0]), _relations(both[1])
    assert real == embedded
    assert all(real.values())
