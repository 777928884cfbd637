"""Debezium change events: decoding Kafka messages, typed values, events to DataFrames (pure)."""
