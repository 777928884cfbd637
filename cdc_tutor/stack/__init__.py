"""The real lab stack run natively (PostgreSQL, Kafka KRaft, Kafka Connect + Debezium): no Docker needed."""
