"""The broker lab: a real Apache Kafka broker (KRaft) the tutor runs as a child JVM, fed by the
embedded inventory source. What the mock cluster cannot do works here: read_committed hides an
aborted transaction, offsets sent in a transaction are committed. The JVM listens on 127.0.0.1,
dies with the tutor and leaves no state behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

from cdc_tutor.lab import embedded_lab
from cdc_tutor.lab.jvm_broker import BrokerUnavailable, JvmBroker, setup_kafka_lab
from cdc_tutor.lab.options import LabOptions

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def kafka_data(tmp_path_factory) -> Path:
    """A data dir with the broker lab set up (jars through Maven, template, CDS archive)."""
    data = tmp_path_factory.mktemp("kafka-lab-data")
    setup_kafka_lab(data, report=lambda line: None)
    return data


@pytest.fixture(scope="module")
def jvm_lab(kafka_data):
    lab = embedded_lab(LabOptions(broker="kafka", workload=False), kafka_data).start()
    yield lab
    lab.close()


def consumer(bootstrap: str, **config) -> Consumer:
    return Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"t-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "log_level": 0,
            **config,
        }
    )


def drain(client: Consumer, until: int, timeout: float = 30.0) -> list:
    got, deadline = [], time.monotonic() + timeout
    while len(got) < until and time.monotonic() < deadline:
        for message in client.consume(100, 0.5):
            if message.error() is None or message.error().code() != KafkaError._PARTITION_EOF:
                got.append(message)
    return got


def test_debezium_events_of_the_embedded_source_arrive_on_the_real_broker(jvm_lab):
    assert isinstance(jvm_lab.broker, JvmBroker) and jvm_lab.broker.alive
    assert jvm_lab.broker.bootstrap_servers.startswith("127.0.0.1:")
    reader = consumer(jvm_lab.bootstrap_servers)  # through the outage proxy, as every client
    reader.assign([TopicPartition("dbserver1.inventory.products", p, 0) for p in range(4)])
    events = drain(reader, 9)
    reader.close()
    payloads = [json.loads(m.value())["payload"] for m in events if m.value() is not None]
    assert len(payloads) == 9 and {p["op"] for p in payloads} == {"r"}
    assert {p["source"]["table"] for p in payloads} == {"products"}


def test_read_committed_hides_an_aborted_transaction(jvm_lab):
    topic = f"txn-{uuid.uuid4().hex[:6]}"
    producer = Producer({"bootstrap.servers": jvm_lab.bootstrap_servers, "transactional.id": topic, "log_level": 0})
    producer.init_transactions(30)
    producer.begin_transaction()
    producer.produce(topic, b"aborted", partition=0)
    producer.flush(30)  # in the log before the abort (an abort purges what is still queued)
    producer.abort_transaction(30)
    producer.begin_transaction()
    producer.produce(topic, b"committed", partition=0)
    producer.commit_transaction(30)
    seen = {}
    for isolation in ("read_committed", "read_uncommitted"):
        reader = consumer(jvm_lab.bootstrap_servers, **{"isolation.level": isolation})
        reader.assign([TopicPartition(topic, 0, 0)])
        seen[isolation] = [m.value() for m in drain(reader, 2 if isolation == "read_uncommitted" else 1)]
        time.sleep(1)  # and nothing else comes
        seen[isolation] += [m.value() for m in reader.consume(10, 1.0) if m.error() is None]
        reader.close()
    assert seen["read_committed"] == [b"committed"]  # the mock delivers the aborted one too
    assert seen["read_uncommitted"] == [b"aborted", b"committed"]


def test_offsets_sent_in_a_transaction_are_committed(jvm_lab):
    source, sink = f"in-{uuid.uuid4().hex[:6]}", f"out-{uuid.uuid4().hex[:6]}"
    seed = Producer({"bootstrap.servers": jvm_lab.bootstrap_servers, "log_level": 0})
    for n in range(5):
        seed.produce(source, str(n).encode(), partition=0)
    seed.flush(30)
    group = f"eos-{uuid.uuid4().hex[:6]}"
    reader = consumer(jvm_lab.bootstrap_servers, **{"group.id": group, "isolation.level": "read_committed"})
    reader.assign([TopicPartition(source, 0, 0)])
    batch = drain(reader, 5)
    writer = Producer({"bootstrap.servers": jvm_lab.bootstrap_servers, "transactional.id": group, "log_level": 0})
    writer.init_transactions(30)
    writer.begin_transaction()
    for message in batch:
        writer.produce(sink, message.value(), partition=0)
    writer.send_offsets_to_transaction(
        [TopicPartition(source, 0, batch[-1].offset() + 1)], reader.consumer_group_metadata(), 30
    )
    writer.commit_transaction(30)
    (committed,) = reader.committed([TopicPartition(source, 0)], timeout=30)
    reader.close()
    assert committed.offset == 5  # the mock drops these offsets: the group would have none


def test_a_fresh_read_committed_consumer_reads_the_first_transaction_at_once(kafka_data):
    """The trap of a fresh broker: a read_committed consumer made right after the first commit
    stalled 40 s or more. The lab's start-up goes through it (warm_up_transactions) first."""
    with JvmBroker(kafka_data) as broker:
        topic = f"first-{uuid.uuid4().hex[:6]}"
        producer = Producer({"bootstrap.servers": broker.bootstrap_servers, "transactional.id": topic})
        producer.init_transactions(30)
        producer.begin_transaction()
        producer.produce(topic, b"first", partition=0)
        producer.commit_transaction(30)
        reader = consumer(broker.bootstrap_servers, **{"isolation.level": "read_committed"})
        reader.assign([TopicPartition(topic, 0, 0)])
        got = drain(reader, 1, timeout=15)  # well under the 40 s stall
        reader.close()
    assert [m.value() for m in got] == [b"first"]


def test_the_outage_proxy_cuts_and_restores_clients_of_the_real_broker(jvm_lab):
    from cdc_tutor.kafka.topics import list_topics

    jvm_lab.cut()
    try:
        with pytest.raises(ConnectionError):
            list_topics(jvm_lab.bootstrap_servers, timeout=2)
    finally:
        jvm_lab.restore()
    assert "dbserver1.inventory.orders" in list_topics(jvm_lab.bootstrap_servers, timeout=10)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGHUP])
def test_the_broker_never_outlives_the_tutor(kafka_data, how):
    script = (
        "import sys, threading; from pathlib import Path; from cdc_tutor.lab.jvm_broker import JvmBroker\n"
        "holder = {}\n"
        "def start(): holder['b'] = JvmBroker(Path(sys.argv[1])).start()\n"
        "t = threading.Thread(target=start); t.start(); t.join()  # started from a thread that ends\n"
        "print(holder['b'].process.pid, holder['b'].run_dir, flush=True)\n"
        "threading.Event().wait()\n"
    )
    tutor = subprocess.Popen(
        [sys.executable, "-c", script, str(kafka_data)], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    pid_text, run_dir = tutor.stdout.readline().split()
    pid = int(pid_text)
    assert Path(f"/proc/{pid}").exists()  # alive after its starting thread ended
    tutor.send_signal(how)  # SIGHUP: the SSH session dropped
    tutor.wait(timeout=30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _running(pid):
        time.sleep(0.1)
    assert not _running(pid)
    assert Path(run_dir).exists()  # a killed tutor cannot clean up: the next start does
    JvmBroker(kafka_data).start(warm_up=False).close()
    assert not Path(run_dir).exists()


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_lab_command_runs_the_real_broker_and_prints_its_address_first(kafka_data):
    env = {**os.environ, "CDC_TUTOR_CONFIG": str(kafka_data / "none.toml")}
    env.pop("CDC_TUTOR_BOOTSTRAP_SERVERS", None)
    lab = subprocess.Popen(
        [sys.executable, "-m", "cdc_tutor", "--data-dir", str(kafka_data), "lab", "--broker", "kafka"],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        first = lab.stdout.readline().strip()
        assert first.startswith("bootstrap.servers=127.0.0.1:"), first
        from cdc_tutor.kafka.topics import list_topics

        assert "dbserver1.inventory.customers" in list_topics(first.split("=", 1)[1], timeout=10)
    finally:
        lab.terminate()
        lab.wait(timeout=60)


def test_without_java_the_lab_says_how_to_get_it_in_one_line(kafka_data, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no java anywhere
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(BrokerUnavailable) as raised:
        JvmBroker(kafka_data).start()
    message = str(raised.value)
    assert "Java 17+" in message and "\n" not in message.strip()


def test_an_unset_lab_says_which_command_sets_it_up(tmp_path):
    with pytest.raises(BrokerUnavailable, match="cdc-tutor setup kafka"):
        JvmBroker(tmp_path).start()


def test_a_python_lesson_falls_back_to_the_mock_when_the_broker_lab_cannot_run(tmp_path):
    """No set-up in this data dir: lesson 01 (broker: kafka) opens on the mock, saying why; an
    engine lesson, which cannot use the mock, still fails with the one-line reason."""
    from types import SimpleNamespace

    from cdc_tutor.lab import open_lab

    settings = SimpleNamespace(bootstrap_servers=None, data_dir=tmp_path)
    lab = open_lab(settings, SimpleNamespace(engine="python", lab={"broker": "kafka", "workload": False}))
    try:
        assert not lab.real_kafka and "cdc-tutor setup kafka" in lab.fallback
        assert lab.bootstrap_servers
    finally:
        lab.close()
    with pytest.raises(BrokerUnavailable, match="cdc-tutor setup kafka"):
        open_lab(settings, SimpleNamespace(engine="flink", lab={"workload": False}))


def test_the_broker_lab_is_real_kafka_and_the_mock_is_not(jvm_lab):
    assert jvm_lab.real_kafka and jvm_lab.fallback is None
    assert not embedded_lab(LabOptions(), None).real_kafka
