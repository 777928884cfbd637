"""Embedded inventory source: SQLite database, change capture, Debezium 3.x encoder, workload."""
