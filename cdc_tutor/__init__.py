"""cdc-tutor: a terminal tutor for Change Data Capture with Debezium, Kafka and Python."""

__version__ = "0.1.0"
