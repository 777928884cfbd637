"""The workshop's progress topic: students' tutors publish to it, the instructor's view follows it.

Publishing never blocks or fails the student's tutor: a full local queue or a broker that is gone
drops the event (counted in `dropped`), because progress is also kept in the student's own file.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from cdc_tutor.kafka.client import client_config
from cdc_tutor.workshop.events import ProgressEvent, decode

PARTITIONS = 4  # keyed by student: one student's events stay in order


class ProgressPublisher:
    def __init__(self, bootstrap_servers: str, topic: str) -> None:
        self.topic = topic
        self.dropped = 0
        self._producer = Producer(
            client_config(bootstrap_servers)
            | {
                "linger.ms": 20,
                "queue.buffering.max.messages": 1000,
                "message.timeout.ms": 30000,
                "log_level": 0,
                "error_cb": lambda error: None,  # a gone broker is not the student's problem
            }
        )

    def publish(self, event: ProgressEvent) -> None:
        try:
            self._producer.produce(self.topic, key=event.student.encode(), value=event.encode(), on_delivery=self._sent)
        except (BufferError, KafkaException):
            self.dropped += 1
        self._producer.poll(0)

    def observer(self, student: str, share_answers: bool = False) -> Callable[..., None]:
        """A LessonSession observer that publishes what it is told, as `student`."""

        def tell(kind: str, lesson: str, step: str, *, checkpoint: str = "", reason: str = "", answer=None) -> None:
            shared = answer if share_answers and isinstance(answer, str) else None
            self.publish(ProgressEvent(student, kind, lesson, step, time.time(), checkpoint, reason, shared))

        return tell

    def _sent(self, error, message) -> None:
        if error is not None:
            self.dropped += 1

    def close(self, timeout: float = 3.0) -> bool:
        """Send what is queued, waiting at most `timeout`; True when every event got through."""
        waiting = self._producer.flush(timeout)
        return waiting == 0 and self.dropped == 0


def ensure_topic(bootstrap_servers: str, topic: str, timeout: float = 10.0) -> None:
    """Create the progress topic if it is missing (the instructor's view does it before following)."""
    admin = AdminClient(client_config(bootstrap_servers) | {"log_level": 0})
    if topic in admin.list_topics(timeout=timeout).topics:
        return
    future = admin.create_topics([NewTopic(topic, PARTITIONS, 1)], operation_timeout=timeout)[topic]
    try:
        future.result(timeout)
    except KafkaException as error:
        if "TOPIC_ALREADY_EXISTS" not in str(error):
            raise


def _reader(bootstrap_servers: str, role: str) -> Consumer:
    """A consumer of the progress topic that assigns partitions itself; its group is never
    committed, so readers share no state."""
    return Consumer(
        client_config(bootstrap_servers)
        | {"group.id": f"cdc-tutor-{role}-{uuid.uuid4().hex[:8]}", "enable.auto.commit": False, "log_level": 0}
    )


def follow(
    bootstrap_servers: str,
    topic: str,
    on_events: Callable[[list[ProgressEvent]], None],
    stop: threading.Event,
    *,
    on_skipped: Callable[[int], None] | None = None,
) -> None:
    """Read the whole topic from its start, then new events as they come, in batches, until `stop`.
    Messages that are not progress events are counted (`on_skipped`) and left out."""
    consumer = _reader(bootstrap_servers, "instructor")
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        consumer.assign([TopicPartition(topic, number, OFFSET_BEGINNING) for number in partitions])
        while not stop.is_set():
            messages = consumer.consume(500, timeout=0.2)
            events, skipped = [], 0
            for message in messages:
                if message.error():
                    continue
                event = decode(message.value())
                if event is None:
                    skipped += 1
                else:
                    events.append(event)
            if events:
                on_events(events)
            if skipped and on_skipped:
                on_skipped(skipped)
    finally:
        consumer.close()


def read_to_end(bootstrap_servers: str, topic: str, timeout: float = 15.0) -> list[ProgressEvent]:
    """Every progress event in the topic up to now (its end when called), for a one-shot report
    such as `cdc-tutor workshop status`. Raises ConnectionError when the broker does not answer."""
    consumer = _reader(bootstrap_servers, "workshop")
    deadline = time.monotonic() + timeout
    try:
        try:
            metadata = consumer.list_topics(topic, timeout=timeout).topics[topic]
        except KafkaException as error:
            raise ConnectionError(f"the broker {bootstrap_servers} did not answer: {error}") from error
        if metadata.error is not None:
            raise ConnectionError(f"no topic {topic}: {metadata.error}")
        ends = {}
        for number in metadata.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, number), timeout=timeout)
            if high > low:
                ends[number] = high
        consumer.assign([TopicPartition(topic, number, OFFSET_BEGINNING) for number in ends])
        events: list[ProgressEvent] = []
        while ends and time.monotonic() < deadline:
            for message in consumer.consume(500, timeout=0.2):
                if message.error():
                    continue
                if message.offset() + 1 >= ends.get(message.partition(), 0):
                    ends.pop(message.partition(), None)
                if (event := decode(message.value())) is not None:
                    events.append(event)
        if ends:
            raise ConnectionError(f"the topic {topic} was not read to its end in {timeout:.0f} s")
        return events
    finally:
        consumer.close()
