"""A TopicTail survives a real broker restart: it reports the outage, reconnects by itself, and
receives the changes Debezium captures after the broker is back."""

from __future__ import annotations

import time

from cdc_tutor.kafka.tail import BrokerState, TopicTail


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _emails(tail: TopicTail) -> list[str]:
    events = [entry.decode() for entry in tail.buffer.view(limit=10_000).entries if entry.value is not None]
    return [event.after["email"] for event in events if event is not None and event.after]


def test_tail_reconnects_after_a_broker_restart(native_stack):
    topic = "dbserver1.inventory.customers"
    tail = TopicTail(native_stack.config.bootstrap_servers, [topic]).start()
    states = []
    try:
        _wait(lambda: tail.state is BrokerState.CONNECTED and len(_emails(tail)) >= 4, 30, "the snapshot")
        native_stack.postgres.psql(
            "INSERT INTO inventory.customers (first_name, last_name, email) "
            "VALUES ('Before', 'Restart', 'before.restart@example.com');"
        )
        _wait(lambda: "before.restart@example.com" in _emails(tail), 30, "the change before the restart")

        native_stack.stop_broker()
        _wait(lambda: tail.state is BrokerState.DISCONNECTED, 30, "the tail to notice the outage")
        states.append(tail.state)
        # Captured while the broker is away: Debezium's producer holds it until the broker is back.
        native_stack.postgres.psql(
            "INSERT INTO inventory.customers (first_name, last_name, email) "
            "VALUES ('During', 'Outage', 'during.outage@example.com');"
        )
        native_stack.restart_broker()
        native_stack.postgres.psql(
            "INSERT INTO inventory.customers (first_name, last_name, email) "
            "VALUES ('After', 'Restart', 'after.restart@example.com');"
        )
        _wait(
            lambda: {"during.outage@example.com", "after.restart@example.com"} <= set(_emails(tail)),
            90,
            "the changes made during and after the outage",
        )
        assert tail.state is BrokerState.CONNECTED
        states.append(tail.state)
        assert states == [BrokerState.DISCONNECTED, BrokerState.CONNECTED]
        emails = _emails(tail)
        assert len(emails) == len(set(emails)), "a record was delivered twice"
        assert native_stack.status().healthy  # the connector rode through the restart
    finally:
        tail.stop()
