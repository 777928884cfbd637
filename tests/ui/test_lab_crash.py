"""The embedded broker runs in its own process: when it dies (here SIGABRT, as when a request
trips one of the mock's assertions) the tutor keeps running, says at 80x24 what was lost and how to
go on, and Ctrl+R starts a new lab that serves clients again."""

from __future__ import annotations

import os
import signal

from confluent_kafka.admin import AdminClient

from cdc_tutor.lab import EmbeddedLab, LabOptions

from .conftest import RecordingApp, record
from .test_code_kernel import wait_until
from .test_lab_fallback import notices


def serves(lab) -> bool:
    admin = AdminClient({"bootstrap.servers": lab.bootstrap_servers, "log_level": 0})
    return bool(admin.list_topics(timeout=10).topics)


async def test_a_crashed_broker_is_reported_and_ctrl_r_restarts_the_lab(course, store):
    app = RecordingApp(course, store, lambda lesson=None: EmbeddedLab(LabOptions(workload=False)).start())
    async with app.run_test(size=(80, 24), notifications=True, message_hook=record(app)) as pilot:
        await wait_until(pilot, lambda: app.lab is not None, 60)
        first = app.lab
        os.kill(first.broker.pid, signal.SIGABRT)
        await wait_until(pilot, lambda: "Брокер лаборатории остановился" in notices(app), 20)
        shown = notices(app)
        assert "signal SIGABRT" in shown and "Ctrl+R" in shown and "прогресс уроков цел" in shown
        assert app.is_running
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: app.lab is not None and app.lab is not first, 60)
        assert app.lab.lost is None
        assert serves(app.lab)


async def test_the_topic_limit_is_stated_when_a_client_hits_it(course, store):
    from confluent_kafka import Producer

    from cdc_tutor.kafka.proxy import MAX_AUTO_TOPICS

    app = RecordingApp(course, store, lambda lesson=None: EmbeddedLab(LabOptions(workload=False)).start())
    async with app.run_test(size=(80, 24), notifications=True, message_hook=record(app)) as pilot:
        await wait_until(pilot, lambda: app.lab is not None, 60)
        config = {"bootstrap.servers": app.lab.bootstrap_servers, "log_level": 0, "message.timeout.ms": 3000}
        producer = Producer({**config, "topic.metadata.propagation.max.ms": 500})
        for number in range(MAX_AUTO_TOPICS + 1):  # the lab's own CDC topics count too
            producer.produce(f"many{number}", b"x")
        producer.flush(30)
        await wait_until(pilot, lambda: "не больше" in notices(app), 20)
        assert f"не больше {MAX_AUTO_TOPICS} topic" in notices(app)


async def test_the_connection_limit_is_stated_when_a_client_hits_it(course, store):
    import socket

    from cdc_tutor.kafka.proxy import MAX_CONNECTIONS

    app = RecordingApp(course, store, lambda lesson=None: EmbeddedLab(LabOptions(workload=False)).start())
    async with app.run_test(size=(80, 24), notifications=True, message_hook=record(app)) as pilot:
        await wait_until(pilot, lambda: app.lab is not None, 60)
        host, port = app.lab.bootstrap_servers.split(":")
        idle = [socket.create_connection((host, int(port)), timeout=5) for _ in range(MAX_CONNECTIONS + 1)]
        try:
            await wait_until(pilot, lambda: "соединений" in notices(app), 20)
            assert f"не больше {MAX_CONNECTIONS}" in notices(app) and "close()" in notices(app)
        finally:
            for sock in idle:
                sock.close()
