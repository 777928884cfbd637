"""The `tutor` module's Kafka login helpers: a student's user only for the workshop broker it was
given for, in each client's own spelling; nothing anywhere else (the lessons add them always)."""

from __future__ import annotations

import types

import pytest

from cdc_tutor.kafka import state
from cdc_tutor.kernel.tutor_module import HELPERS

STACK = "127.0.0.1:9092"


def tutor_module(monkeypatch, **environment: str) -> types.ModuleType:
    """The `tutor` module as a kernel loads it, under `environment`."""
    for name in ("KAFKA_BOOTSTRAP_SERVERS", "CDC_TUTOR_BOOTSTRAP_SERVERS", "CDC_TUTOR_USER",
                 "CDC_TUTOR_KAFKA_USERNAME", "CDC_TUTOR_KAFKA_PASSWORD"):  # fmt: skip
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    module = types.ModuleType("tutor")
    for path in HELPERS:
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
    module._kafka = state  # as the kernel's installer does (cdc_tutor/kernel/tutor_module.py)
    return module


def test_on_a_secure_workshop_stack_each_client_gets_the_students_login(monkeypatch):
    tutor = tutor_module(
        monkeypatch, KAFKA_BOOTSTRAP_SERVERS=STACK, CDC_TUTOR_BOOTSTRAP_SERVERS=STACK, CDC_TUTOR_USER="ann",
        CDC_TUTOR_KAFKA_USERNAME="ann", CDC_TUTOR_KAFKA_PASSWORD="s3cret",
    )  # fmt: skip
    assert tutor.kafka_auth() == {
        "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "ann", "sasl.password": "s3cret",
    }  # fmt: skip
    spark = tutor.kafka_auth("spark")
    assert spark["kafka.sasl.jaas.config"] == (
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="ann" password="s3cret";'
    )
    assert spark["groupIdPrefix"] == "ann-spark" and spark["kafka.security.protocol"] == "SASL_PLAINTEXT"
    flink = tutor.flink_kafka_auth()
    assert flink.endswith(",") and "'properties.sasl.mechanism' = 'SCRAM-SHA-512'" in flink
    assert "org.apache.flink.kafka.shaded.org.apache.kafka.common.security.scram.ScramLoginModule" in flink
    with pytest.raises(ValueError, match="flink_kafka_auth"):
        tutor.kafka_auth("flink")


@pytest.mark.parametrize(
    "environment",
    [
        {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:41234"},  # an embedded lab
        {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:41234", "CDC_TUTOR_BOOTSTRAP_SERVERS": STACK,
         "CDC_TUTOR_KAFKA_USERNAME": "ann", "CDC_TUTOR_KAFKA_PASSWORD": "s3cret"},  # another broker's user
        {"KAFKA_BOOTSTRAP_SERVERS": STACK, "CDC_TUTOR_BOOTSTRAP_SERVERS": STACK,
         "CDC_TUTOR_KAFKA_USERNAME": "ann"},  # no password: an open stack
    ],
    ids=["embedded", "other-broker", "no-password"],
)  # fmt: skip
def test_anywhere_else_the_helpers_add_nothing(monkeypatch, environment):
    tutor = tutor_module(monkeypatch, **environment)
    assert tutor.kafka_auth() == {} and tutor.kafka_auth("spark") == {} and tutor.flink_kafka_auth() == ""


def test_the_tutors_own_clients_log_in_only_to_the_broker_the_credentials_are_for(monkeypatch):
    from cdc_tutor.kafka import client
    from cdc_tutor.settings import Settings

    for name in ("BOOTSTRAP_SERVERS", "USER", "KAFKA_USERNAME", "KAFKA_PASSWORD"):
        monkeypatch.setenv(f"CDC_TUTOR_{name}", "")  # recorded, so what export_credentials sets is undone
        monkeypatch.delenv(f"CDC_TUTOR_{name}")
    Settings(bootstrap_servers=None, kafka_username="ann", kafka_password="pw").export_credentials()
    assert client.client_config("127.0.0.1:1") == {"bootstrap.servers": "127.0.0.1:1"}  # embedded: nothing
    Settings(bootstrap_servers=STACK, user="ann", kafka_username="ann", kafka_password="pw").export_credentials()
    assert client.client_config(STACK, **{"group.id": "ann-g"}) == {
        "bootstrap.servers": STACK, "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "ann", "sasl.password": "pw", "group.id": "ann-g",
    }  # fmt: skip
    assert "sasl.username" not in client.client_config("127.0.0.1:2")
    monkeypatch.setitem(client._registered, "127.0.0.1:3", client.sasl("admin", "x", mechanism="PLAIN"))
    assert client.client_config("127.0.0.1:3")["sasl.username"] == "admin"  # a stack's owner, for that stack only
