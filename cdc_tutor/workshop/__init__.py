"""Workshop mode: students' tutors publish progress events to the workshop's broker, and the
instructor's view folds them into one row per student. Textual-free and Kafka-free: the events'
format (events.py) and the room they describe (room.py); cdc_tutor.kafka.progress_topic moves them."""
