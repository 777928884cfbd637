"""A secure workshop stack (`cdc-tutor workshop up --secure`): Kafka asks every client who it is
(SASL/SCRAM) and ACLs keep each student to their own `{user}-` topics, groups and transactional ids.
Two students on a real native stack: the second cannot read, commit or even see the first's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tomllib
import uuid

import pytest
from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import (
    AclBinding,
    AclOperation,
    AclPermissionType,
    AdminClient,
    NewTopic,
    ResourcePatternType,
    ResourceType,
)

from cdc_tutor.kafka.client import sasl
from cdc_tutor.stack.config import StackConfig
from cdc_tutor.stack.native import NativeStack
from tests.engines import link_engine

from .test_workshop import cli, student

ORDERS = "dbserver1.inventory.orders"


@pytest.fixture(scope="module")
def secure_workshop(stack_deps, tmp_path_factory):
    """A second native stack, secure, with students ann and bob: (stack, their config files)."""
    data_dir = tmp_path_factory.mktemp("secure")
    stack = NativeStack(StackConfig.with_free_ports(data_dir / "stack", secure=True), report=lambda line: None)
    try:
        stack.up()
        roster = data_dir / "roster.txt"
        roster.write_text("ann\nbob\n", encoding="utf-8")
        up = cli(data_dir, "workshop", "up", "--roster", str(roster), "--secure")
        assert up.returncode == 0, up.stdout + up.stderr
        yield stack, {name: data_dir / "workshop" / "students" / f"{name}.toml" for name in ("ann", "bob")}
    finally:
        stack.down(purge=True)


def client(config_file, **extra) -> dict:
    """A confluent-kafka config as the student of `config_file` logs in."""
    values = tomllib.loads(config_file.read_text(encoding="utf-8"))
    login = sasl(values["kafka_username"], values["kafka_password"])
    return {"bootstrap.servers": values["bootstrap_servers"], "log_level": 0, **login, **extra}


def first_message(consumer: Consumer, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (message := consumer.poll(0.5)) is not None:
            return message
    return None


def test_one_student_cannot_read_commit_or_see_anothers_topics_and_groups(secure_workshop):
    stack, configs = secure_workshop
    ann, bob = configs["ann"], configs["bob"]
    values = tomllib.loads(ann.read_text(encoding="utf-8"))
    assert values["user"] == values["kafka_username"] == "ann" and values["kafka_password"]
    assert tomllib.loads(bob.read_text(encoding="utf-8"))["kafka_password"] != values["kafka_password"]

    topic, group = f"ann-private-{uuid.uuid4().hex[:6]}", "ann-orders-reader"
    ann_admin = AdminClient(client(ann))  # kept: a collected client cancels its requests
    for future in ann_admin.create_topics([NewTopic(topic, 1, 1)]).values():
        future.result(30)
    producer = Producer(client(ann))
    producer.produce(topic, b"ann's secret")
    assert producer.flush(30) == 0
    reader = Consumer(client(ann, **{"group.id": group, "auto.offset.reset": "earliest", "enable.auto.commit": False}))
    reader.subscribe([topic])
    message = first_message(reader)
    assert message is not None and message.error() is None and message.value() == b"ann's secret"
    reader.commit(message=message, asynchronous=False)
    reader.close()

    # bob: ann's topic is not there for him, and her group refuses him
    spy = Consumer(client(bob, **{"group.id": "bob-spy", "auto.offset.reset": "earliest"}))
    spy.subscribe([topic])
    denied = first_message(spy)
    spy.close()
    assert denied is not None and denied.error().code() == 29, denied.error()  # TOPIC_AUTHORIZATION_FAILED
    bob_admin = AdminClient(client(bob))
    assert topic not in bob_admin.list_topics(timeout=20).topics
    move = [ConsumerGroupTopicPartitions(group, [TopicPartition(topic, 0, 0)])]
    for attempt in (bob_admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)]),
                    bob_admin.alter_consumer_group_offsets(move)):  # fmt: skip
        with pytest.raises(KafkaException, match="GROUP_AUTHORIZATION_FAILED|Group authorization failed"):
            attempt[group].result(30)
    grab = AclBinding(ResourceType.TOPIC, "ann-", ResourcePatternType.PREFIXED, "User:bob", "*", AclOperation.ALL,
                      AclPermissionType.ALLOW)  # fmt: skip
    with pytest.raises(KafkaException, match="CLUSTER_AUTHORIZATION_FAILED"):
        next(iter(bob_admin.create_acls([grab]).values())).result(30)
    # transactional ids too: ann's are hers
    for who, allowed in (("ann", True), ("bob", False)):
        producer = Producer(client(configs[who], **{"transactional.id": "ann-orders-tx"}))
        if allowed:
            producer.init_transactions(30)
        else:
            with pytest.raises(KafkaException, match="TRANSACTIONAL_ID_AUTHORIZATION_FAILED|authorization"):
                producer.init_transactions(30)
    # ann's commit is untouched
    offsets = ann_admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])
    assert [tp.offset for tp in offsets[group].result(30).topic_partitions] == [1]

    # bob still reads the shared CDC topics; a client without a user gets nothing at all
    cdc = Consumer(client(bob, **{"group.id": "bob-cdc", "auto.offset.reset": "earliest"}))
    cdc.subscribe([ORDERS])
    event = first_message(cdc, 30)
    cdc.close()
    assert event is not None and event.error() is None and b'"payload"' in event.value()
    anonymous = AdminClient({"bootstrap.servers": stack.config.bootstrap_servers, "log_level": 0})
    with pytest.raises(KafkaException):
        anonymous.list_topics(timeout=5)


def test_students_report_to_the_workshop_but_cannot_read_its_progress_topic(secure_workshop):
    stack, configs = secure_workshop
    done = student(configs["ann"], "--only", "deps", "--only", "stack")
    assert done.returncode == 0 and "Отчёт отправлен преподавателю" in done.stdout, done.stdout + done.stderr
    status = cli(configs["ann"].parents[2], "workshop", "status")  # the instructor, logged in as the stack's admin
    lines = {line.split()[0]: line for line in status.stdout.splitlines() if line.strip()}
    assert "doctor: ✓" in lines["ann"] and "нет отчёта" in lines["bob"], status.stdout + status.stderr
    peek = Consumer(client(configs["bob"], **{"group.id": "bob-peek", "auto.offset.reset": "earliest"}))
    peek.subscribe(["workshop.progress"])
    denied = first_message(peek)
    peek.close()
    assert denied is not None and denied.error().code() == 29, denied.error()


@pytest.mark.parametrize(
    ("lesson", "engine", "only"),
    [("module-5/02-pandas-integration", None, ()),
     ("module-5/03-pyflink-cdc-connector", "flink", ("--step", "table-env")),
     ("module-5/05-pyspark-structured-streaming", "spark", ("--step", "read-stream"))],
    ids=["python", "flink", "spark"],
)  # fmt: skip
def test_a_students_tutor_passes_a_lesson_of_each_engine_under_the_acls(
    secure_workshop, lesson, engine, only, tmp_path_factory
):
    """The lesson's own code and checks, run by ann's real tutor with the file the workshop gave
    her, while the workload changes the stack's database: confluent-kafka, Flink's SQL connector and
    Spark's Kafka source all log in (tutor.kafka_auth / flink_kafka_auth) and stay in her names.
    The engine lessons' first step (their Kafka source and its checks) keeps CI's time; the whole
    lessons passed the same way in a full run of this test (commit 969f69f)."""
    stack, configs = secure_workshop
    if engine is not None:  # the engine environment, set up once per session, in ann's data dir
        link_engine(configs["ann"].parent / "home-ann", engine, tmp_path_factory)
    workload = _tutor_workload(stack.config.state_dir.parent)
    try:
        done = student(configs["ann"], lesson, *only, command="verify")
    finally:
        workload.send_signal(signal.SIGINT)
        workload.communicate(timeout=30)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "verify OK" in done.stdout and " 0 failed" in done.stdout, done.stdout[-2000:]


def _tutor_workload(data_dir) -> subprocess.Popen:
    """`cdc-tutor lab workload` on the stack of `data_dir`: PostgreSQL changes for Debezium to capture."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CDC_TUTOR_")}
    env["CDC_TUTOR_CONFIG"] = str(data_dir / "no-config.toml")
    command = [sys.executable, "-m", "cdc_tutor", "--data-dir", str(data_dir), "lab", "workload", "--rate", "5"]
    return subprocess.Popen(command, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_running_open_stack_is_not_turned_secure_under_its_users(native_stack):
    done = cli(native_stack.config.state_dir.parent, "workshop", "up", "--students", "2", "--secure")
    assert done.returncode == 1 and "lab down" in done.stderr, done.stderr
