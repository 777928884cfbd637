"""LabOptions: how the embedded lab encodes and generates changes, and a lesson's `lab:` read into them.

Cheap to import: no Kafka.
"""

from __future__ import annotations

from dataclasses import dataclass

CDC_TOPICS = "dbserver1.inventory.*"
"""Every table topic of the embedded source (a TopicTail prefix pattern)."""
TRANSACTION_TOPIC = "dbserver1.transaction"
"""BEGIN/END events, when a lab provides transaction metadata."""


@dataclass(frozen=True)
class LabOptions:
    schemas_enabled: bool = True
    """JsonConverter `schemas.enable` for keys and values (Debezium's default: true)."""
    decimal_mode: str = "precise"
    """Debezium `decimal.handling.mode`: precise, string or double."""
    seed: int = 5
    """Workload seed: the same seed makes the same changes."""
    rate: float = 2.0
    """Workload changes per second."""
    workload: bool = True
    """Start the workload at once (it can be resumed later when False)."""
    transaction_metadata: bool = False
    """Debezium `provide.transaction.metadata`: BEGIN/END events on `dbserver1.transaction` and a
    `transaction` block in every streamed change event."""
    redis: bool = False
    """Start a Redis server (cdc_tutor.redis_server) beside the broker: the online store of the
    feature-store lesson, reached by `tutor.redis()`."""
    broker: str = "mock"
    """"mock": librdkafka's mock cluster in the tutor's process; "kafka": a real Apache Kafka broker
    as a child JVM (cdc_tutor/lab/jvm_broker.py), for Java clients and exactly-once."""


# The lesson format's `lab:` keys (camelCase, see lessons/README.md) -> LabOptions fields.
_LESSON_KEYS = {
    "workload": "workload",
    "rate": "rate",
    "seed": "seed",
    "schemas": "schemas_enabled",
    "decimalMode": "decimal_mode",
    "broker": "broker",
    "transactionMetadata": "transaction_metadata",
    "redis": "redis",
}
JVM_ENGINES = ("flink", "spark", "flink-spark")  # Java Kafka clients cannot use the mock cluster


def options_for(lesson: object = None) -> LabOptions:
    """The embedded lab a lesson asks for: its `lab:` options over the defaults (defaults for None)."""
    asked = dict(getattr(lesson, "lab", None) or {})
    if getattr(lesson, "engine", None) in JVM_ENGINES:
        asked.setdefault("broker", "kafka")
    return LabOptions(**{_LESSON_KEYS[key]: value for key, value in asked.items() if key in _LESSON_KEYS})
