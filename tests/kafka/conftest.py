"""Fixtures of the Kafka tier: a real embedded broker (librdkafka's mock cluster) and its proxy."""

from __future__ import annotations

import itertools

import pytest

from cdc_tutor.kafka.broker import EmbeddedBroker
from cdc_tutor.kafka.proxy import OutageProxy

_names = itertools.count()


@pytest.fixture(scope="module")
def broker():
    with EmbeddedBroker() as running:
        yield running


@pytest.fixture
def proxy(broker):
    front = OutageProxy(broker.host, broker.port)
    yield front
    front.close()


@pytest.fixture
def topic() -> str:
    """A topic name no other test of the module uses (the broker is shared per module)."""
    return f"dbserver1.inventory.test{next(_names)}"
