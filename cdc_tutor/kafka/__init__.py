"""The only confluent_kafka importer: embedded broker, outage proxy, topic tail, producer sink."""
