"""`cdc-tutor lab`: its first line is the address, Debezium events flow there, Ctrl+C stops it;
and the console commands it reads on a terminal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from cdc_tutor import strings
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


def _start_lab(*args: str) -> subprocess.Popen:
    """`cdc-tutor lab` as a script runs it: no terminal, unbuffered output."""
    return subprocess.Popen(
        [sys.executable, "-m", "cdc_tutor", "lab", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def test_lab_prints_its_address_first_serves_events_and_stops_on_ctrl_c():
    lab = _start_lab("--rate", "40", "--seed", "3")
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
        assert strings.LAB_CONSOLE_STOPPED in out
        assert "Traceback" not in err
    finally:
        if lab.poll() is None:
            lab.kill()


def test_console_commands_drive_the_running_lab():
    with EmbeddedLab(LabOptions(workload=False)) as lab:
        assert apply_command(lab, "cut") == strings.LAB_CONSOLE_CUT.format(bootstrap=lab.bootstrap_servers)
        assert not lab.reachable
        assert apply_command(lab, "restore") == strings.LAB_CONSOLE_RESTORED.format(bootstrap=lab.bootstrap_servers)
        assert lab.reachable
        assert apply_command(lab, "rate 25") == "Нагрузка: 25 изм./с." and lab.workload.rate == 25
        assert apply_command(lab, "rate fast") == strings.LAB_CONSOLE_RATE_NEEDS_NUMBER
        assert apply_command(lab, "resume") == strings.LAB_CONSOLE_RUNNING and not lab.workload.paused
        assert apply_command(lab, "pause") == strings.LAB_CONSOLE_PAUSED and lab.workload.paused
        reply = apply_command(
            lab, "INSERT INTO customers (first_name, last_name, email) VALUES ('Ada', 'Lovelace', 'ada@example.com')"
        )
        assert reply == "Готово: строк изменено 1, событий изменений 1.", reply
        rows = apply_command(lab, "SELECT id, email FROM customers WHERE email LIKE 'ada%'").splitlines()
        assert rows[0] == "id\temail" and rows[1].endswith("\tada@example.com")
        assert apply_command(lab, "SELEC nonsense").startswith("Ошибка: ")
        assert apply_command(lab, "help") == strings.LAB_CONSOLE_HELP
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


def test_lab_closes_its_broker_process_on_sighup():
    """A dropped SSH session sends SIGHUP: the lab stops as on Ctrl+C, its broker process and the
    broker's private folder go with it."""
    lab = _start_lab("--no-workload")
    try:
        assert lab.stdout.readline().startswith("bootstrap.servers=")
        children = [int(pid) for pid in Path(f"/proc/{lab.pid}/task/{lab.pid}/children").read_text().split()]
        assert children  # the mock broker's process
        folders = list(Path(tempfile.gettempdir()).glob(f"cdc-tutor-broker-{lab.pid}-*"))
        assert len(folders) == 1
        lab.send_signal(signal.SIGHUP)
        out, err = lab.communicate(timeout=20)
        assert lab.returncode == 0, err
        assert "Traceback" not in err
        assert not folders[0].exists()
        assert not any(os.path.exists(f"/proc/{pid}") for pid in children)
    finally:
        if lab.poll() is None:
            lab.kill()


def test_the_console_on_a_terminal_prompts_and_answers_in_russian():
    """As a student types into it: a `lab> ` prompt, Russian answers, Ctrl+D stops the lab."""
    import pty

    main, child = pty.openpty()
    lab = subprocess.Popen(
        [sys.executable, "-m", "cdc_tutor", "lab", "--no-workload"],
        stdin=child,
        stdout=child,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    os.close(child)

    def read_until(marker: str, seconds: float = 60) -> str:
        seen, deadline = b"", time.monotonic() + seconds
        while marker.encode() not in seen and time.monotonic() < deadline:
            try:
                seen += os.read(main, 4096)
            except OSError:
                break
        return seen.decode("utf-8", "replace")

    try:
        shown = read_until(strings.LAB_CONSOLE_PROMPT)
        assert strings.LAB_CONSOLE_INTRO in shown and "на паузе" in shown, shown
        os.write(main, b"help\n")
        shown = read_until(strings.LAB_CONSOLE_PROMPT)
        assert "Команды:" in shown and shown.rstrip().endswith(strings.LAB_CONSOLE_PROMPT.strip()), shown
        os.write(main, b"rate fast\n")
        assert strings.LAB_CONSOLE_RATE_NEEDS_NUMBER in read_until(strings.LAB_CONSOLE_PROMPT)
        os.write(main, b"\x04")  # Ctrl+D
        assert strings.LAB_CONSOLE_STOPPED in read_until(strings.LAB_CONSOLE_STOPPED)
        assert lab.wait(timeout=30) == 0
        assert "Traceback" not in lab.stderr.read().decode()
    finally:
        if lab.poll() is None:
            lab.kill()
        os.close(main)
