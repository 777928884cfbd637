"""The topic pane against a real embedded broker: live lines, malformed input, filters, pause,
details, and an outage that the pane reports and recovers from."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from textual.app import App

from cdc_tutor.kafka.broker import EmbeddedBroker
from cdc_tutor.kafka.proxy import OutageProxy
from cdc_tutor.kafka.sink import KafkaSink
from cdc_tutor.kafka.tail import TopicTail
from cdc_tutor.ui.screens.event import EventScreen
from cdc_tutor.ui.widgets.event_list import EventList
from cdc_tutor.ui.widgets.topic_pane import TopicPane

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "debezium"
TOPIC = "dbserver1.inventory.customers"


class BrokerLab:
    """The part of EmbeddedLab the pane uses (open_tail), over a real broker behind a real proxy."""

    def __init__(self) -> None:
        self.broker = EmbeddedBroker()
        self.proxy = OutageProxy(self.broker.host, self.broker.port)
        self.tails: list[TopicTail] = []

    def open_tail(self, topics, from_start=True) -> TopicTail:
        tail = TopicTail(
            self.proxy.address, topics or ["dbserver1.inventory.*"], from_start=from_start, refresh_seconds=0.3
        ).start()
        self.tails.append(tail)
        return tail

    def send(self, topic: str, key: bytes | None, value: bytes | None) -> None:
        sink = KafkaSink(self.broker.bootstrap_servers)
        sink.send(topic, key, value)
        assert sink.flush() == 0

    def close(self) -> None:
        for tail in self.tails:
            tail.stop()
        self.proxy.close()
        self.broker.close()


class PaneApp(App[None]):
    def __init__(self, lab) -> None:
        super().__init__()
        self.lab = lab
        self.lab_problem, self.lab_coming = None, True

    def compose(self):
        yield TopicPane(id="topic-pane")


@pytest.fixture
def lab():
    running = BrokerLab()
    yield running
    running.close()


def _fixture(name: str) -> bytes:
    return json.dumps(json.loads((FIXTURES / name).read_text()), separators=(",", ":")).encode()


async def _until(pilot, predicate, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        await pilot.pause(0.1)
    return predicate()


def _status(app) -> str:
    return str(app.query_one("#topic-status").render())


async def test_pane_shows_events_and_flags_malformed_messages(lab):
    update = _fixture("pg_3.1.3_update_full_schema.json")
    lab.send(TOPIC, b'{"id":1006}', update)
    lab.send(TOPIC, b'{"id":1006}', b"this is not json")
    lab.send(TOPIC, None, b"\x00\x00\x00\x00\x01binary avro")
    lab.send(TOPIC, b'{"id":1006}', None)  # tombstone
    app = PaneApp(lab)
    async with app.run_test(size=(120, 30)) as pilot:
        events = app.query_one(EventList)
        assert await _until(pilot, lambda: len(events.entries) == 4)
        # Keys spread the messages over partitions, so arrival order is not send order.
        lines = {entry.value: events.summary(entry) for entry in events.entries}
        assert sorted(line.op for line in lines.values()) == ["?", "?", "tombstone", "u"]
        changed = lines[update]
        assert changed.table == "customers" and "email" in changed.detail and "→" in changed.detail
        assert lines[b"this is not json"].malformed and "not valid JSON" in lines[b"this is not json"].detail
        binary = lines[b"\x00\x00\x00\x00\x01binary avro"]
        assert binary.malformed and "Schema Registry" in binary.detail and "\\x00" in binary.detail
        assert lines[None].op == "tombstone" and lines[None].key == "id=1006"
        status = _status(app)
        assert "получено 4" in status and "битых 2" in status
        # Drawing every line must not raise on malformed input.
        for y in range(4):
            assert events.render_line(y).cell_length > 0


async def test_filters_pause_and_details(lab):
    create = _fixture("pg_3.0.0_create_schema.json")  # table employee
    update = _fixture("pg_3.1.3_update_full_schema.json")  # table customers
    for _ in range(3):
        lab.send(TOPIC, b'{"id":1006}', update)
    lab.send("dbserver1.inventory.employee", b'{"id":2}', create)
    app = PaneApp(lab)
    async with app.run_test(size=(120, 30)) as pilot:
        pane, events = app.query_one(TopicPane), app.query_one(EventList)
        assert await _until(pilot, lambda: len(events.entries) == 4)
        events.focus()
        await pilot.press("o")  # op filter: c
        assert await _until(pilot, lambda: [e.op for e in events.entries] == ["c"])
        await pilot.press("o")  # op filter: u
        assert await _until(pilot, lambda: [e.op for e in events.entries] == ["u", "u", "u"])
        await pilot.press("o", "o", "o", "o", "o")  # d, r, tombstone, ?, back to all
        assert pane.op_filter is None
        await pilot.press("t")  # first table in order: customers
        assert pane.table_filter == "customers"
        assert await _until(pilot, lambda: {e.table for e in events.entries} == {"customers"})

        await pilot.press("space")
        assert "ПАУЗА" in str(app.query_one("#topic-keys").render())
        lab.send(TOPIC, b'{"id":1006}', update)
        assert await _until(pilot, lambda: "получено 5" in _status(app))
        assert len(events.entries) == 3  # paused: counters move, the list does not
        await pilot.press("space")
        assert await _until(pilot, lambda: len(events.entries) == 4)

        await pilot.press("up", "enter")
        assert await _until(pilot, lambda: isinstance(app.screen, EventScreen))
        decoded = json.loads(app.screen.text)
        assert decoded["op"] == "u" and decoded["table"] == "customers" and "schema" not in decoded
        assert decoded["before"]["email"] != decoded["after"]["email"]
        await pilot.press("r")
        assert '"schema": {' in app.screen.text  # the raw view keeps the Connect schema
        await pilot.press("escape")
        assert isinstance(app.screen, EventScreen) is False


async def test_pane_reports_an_outage_and_recovers(lab):
    lab.send(TOPIC, b'{"id":1006}', _fixture("pg_3.1.3_update_full_schema.json"))
    app = PaneApp(lab)
    async with app.run_test(size=(120, 30)) as pilot:
        events = app.query_one(EventList)
        assert await _until(pilot, lambda: len(events.entries) == 1)
        lab.proxy.cut()
        assert await _until(pilot, lambda: "брокер недоступен" in _status(app), seconds=30)
        lab.send(TOPIC, b'{"id":1006}', _fixture("pg_3.1.3_update_full_schema.json"))
        lab.proxy.restore()
        assert await _until(pilot, lambda: len(events.entries) == 2, seconds=30)
        assert "на связи" in _status(app)
