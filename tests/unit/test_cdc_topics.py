"""Which CDC topics a lesson reads: the embedded labs encode the lesson's decimalMode under
dbserver1; the real stack serves each mode it runs a connector for under that connector's prefix."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cdc_tutor.lab import cdc_topic_prefix
from cdc_tutor.stack.config import CONNECTORS
from cdc_tutor.stack.connect import connector_config

EMBEDDED = SimpleNamespace(bootstrap_servers=None)
STACK = SimpleNamespace(bootstrap_servers="127.0.0.1:9092")


def lesson(**lab):
    return SimpleNamespace(lab=lab, engine="flink")


@pytest.mark.parametrize("mode", ["precise", "string", "double"])
def test_embedded_labs_always_use_dbserver1(mode):
    assert cdc_topic_prefix(EMBEDDED, lesson(decimalMode=mode)) == "dbserver1"


def test_the_stack_serves_string_decimals_from_the_second_connector():
    assert cdc_topic_prefix(STACK, lesson()) == "dbserver1"
    assert cdc_topic_prefix(STACK, None) == "dbserver1"
    assert cdc_topic_prefix(STACK, lesson(decimalMode="string")) == "dbserver1_string_decimals"
    assert cdc_topic_prefix(STACK, lesson(decimalMode="double")) == "dbserver1"  # no such connector


def test_every_stack_connector_has_its_own_slot_prefix_and_decimal_mode():
    configs = [connector_config(hostname="h", port=1, user="u", password="p", spec=spec) for spec in CONNECTORS]
    for key in ("slot.name", "publication.name", "topic.prefix", "decimal.handling.mode"):
        assert len({config[key] for config in configs}) == len(CONNECTORS), key
    assert configs[0]["topic.prefix"] == "dbserver1" and configs[0]["decimal.handling.mode"] == "precise"
