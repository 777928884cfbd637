"""`cdc-tutor lab`: its first line is the address, Debezium events flow there, Ctrl+C stops it;
and the console commands it reads on a terminal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from cdc_tutor.cdc.decode import decode_message
from cdc_tutor.commands.lab import apply_command
from cdc_tutor.kafka.closing import close_consumer
from cdc_tutor.lab import EmbeddedLab
from cdc_tutor.lab.options import LabOptions

TABLES = {"customers", "orders", "products", "products_on_hand"}


def _read_all(bootstrap: str, at_least: int, seconds: float = 30.0) -> list:
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "lab-command-test", "enable.auto.commit": False, "log_level": 0}
    )
    topics = consumer.list_topics(timeout=10).topics
    consumer.assign(
        [
            TopicPartition(name, p, OFFSET_BEGINNING)
            for name, topic in topics.items()
            if name.startswith("dbserver1.inventory.")
            for p in topic.partitions
        ]
    )
    messages, deadline = [], time.monotonic() + seconds
    while len(messages) < at_least and time.monotonic() < deadline:
        messages += [m for m in consumer.consume(500, 0.5) if m.error() is None]
    close_consumer(consumer)
    return messages


def test_lab_prints_its_address_first_serves_events_and_stops_on_ctrl_c():
    lab = subprocess.Popen(
        [sys.executable, "-m", "cdc_tutor", "lab", "--rate", "40", "--seed", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        first = lab.stdout.readline().strip()
        assert first.startswith("bootstrap.servers=127.0.0.1:"), first
        messages = _read_all(first.split("=", 1)[1], at_least=60)
        events = [decode_message(m.key(), m.value(), topic=m.topic()) for m in messages]
        assert sum(1 for event in events if event.op == "r") == 26  # the snapshot, once
        assert {event.op for event in events} > {"r"}  # and the workload's changes after it
        snapshot = [event for event in events if event.op == "r"]
        assert {event.table for event in snapshot} == TABLES
        lab.send_signal(signal.SIGINT)
        out, err = lab.communicate(timeout=20)
        assert lab.returncode == 0, err
        assert "lab stopped" in out
        assert "Traceback" not in err
    finally:
        if lab.poll() is None:
            lab.kill()


def test_console_commands_drive_the_running_lab():
    with EmbeddedLab(LabOptions(workload=False)) as lab:
        assert "broker unreachable" in apply_command(lab, "cut")
        assert not lab.reachable
        assert "broker reachable" in apply_command(lab, "restore")
        assert lab.reachable
        assert apply_command(lab, "rate 25") == "workload rate 25/s" and lab.workload.rate == 25
        assert "number" in apply_command(lab, "rate fast")
        assert apply_command(lab, "resume") == "workload running" and not lab.workload.paused
        assert apply_command(lab, "pause") == "workload paused" and lab.workload.paused
        reply = apply_command(
            lab, "INSERT INTO customers (first_name, last_name, email) VALUES ('Ada', 'Lovelace', 'ada@example.com')"
        )
        assert reply == "ok: 1 rows changed, 1 change events", reply
        rows = apply_command(lab, "SELECT id, email FROM customers WHERE email LIKE 'ada%'").splitlines()
        assert rows[0] == "id\temail" and rows[1].endswith("\tada@example.com")
        assert apply_command(lab, "SELEC nonsense").startswith("error: ")
        assert "commands:" in apply_command(lab, "help")
        assert apply_command(lab, "") == ""
        created = [
            m for m in _read_all(lab.bootstrap_servers, at_least=27) if m.topic() == "dbserver1.inventory.customers"
        ]
        inserted = [json.loads(m.value())["payload"] for m in created if b'"op":"c"' in m.value()]
        assert [row["after"]["email"] for row in inserted] == ["ada@example.com"]


def test_an_external_lab_tails_the_configured_broker(broker, topic):
    from cdc_tutor.kafka.sink import KafkaSink
    from cdc_tutor.lab import ExternalLab

    sink = KafkaSink(broker.bootstrap_servers)
    sink.send(topic, b'{"id":1}', b'{"before":null,"after":{"id":1},"source":{},"op":"c"}')
    assert sink.flush() == 0
    lab = ExternalLab(broker.bootstrap_servers).start()
    try:
        assert not lab.can_cut and lab.database is None  # no DSN: the source pane says how to set one
        tail = lab.open_tail([topic])
        deadline = time.monotonic() + 20
        while tail.buffer.view().received < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [entry.op for entry in tail.buffer.view().entries] == ["c"]
    finally:
        lab.close()
