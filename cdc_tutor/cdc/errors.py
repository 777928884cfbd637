"""DecodeError: the one exception the decoder raises for input it cannot read as a Debezium event."""

from __future__ import annotations


class DecodeError(ValueError):
    """A Kafka message that is not a (well-formed) Debezium change event; the text says why."""
