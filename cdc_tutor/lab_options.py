"""LabOptions: how the embedded lab encodes and generates changes (cheap to import, no Kafka)."""

from __future__ import annotations

from dataclasses import dataclass

CDC_TOPICS = "dbserver1.inventory.*"
"""Every topic of the embedded source (a TopicTail prefix pattern)."""


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
