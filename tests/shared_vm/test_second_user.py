"""Bob, another local user, against alice's tutor (the user running the tests), on loopback.

Each test reproduces a finding of the shared-VM issue and asserts that it now holds: bob can reach
no listener of alice's lab (her proxy closes his connections; the mock broker's own port is in a
network namespace of its own), a fuzzer over the Kafka request space run by bob leaves her lab
serving her, and her kernel's sockets, run folders and progress are closed to him.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer

from cdc_tutor.course.progress import ProgressStore
from cdc_tutor.kernel.session import KernelSession
from cdc_tutor.lab import EmbeddedLab, LabOptions, embedded_lab
from cdc_tutor.lab.jvm_broker import setup_kafka_lab
from tests.procfs import listening_ports

FUZZ_REQUESTS = 400  # bounded: each is one connection, refused at once

# Bob's side: ApiVersions to every port (a broker answers it before anything else), then random
# requests over the request space (api key 0-74, version 0-15, up to 200 random body bytes).
PROBE = r"""
import json, random, socket, struct, sys
ports, count = json.loads(sys.argv[1]), int(sys.argv[2])
rng = random.Random(20261203)
def exchange(port, request):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
            s.sendall(struct.pack(">i", len(request)) + request)
            s.settimeout(3)
            return len(s.recv(4096))
    except OSError:
        return 0
api_versions = struct.pack(">hhih", 18, 0, 7, 3) + b"bob"
answered = {str(port): exchange(port, api_versions) for port in ports}
fuzz_answered = 0
for i in range(count):
    body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200)))
    request = struct.pack(">hhi", rng.randrange(0, 75), rng.randrange(0, 16), i) + body
    fuzz_answered += exchange(rng.choice(ports), request) > 0
print(json.dumps({"answered": answered, "fuzz_answered": fuzz_answered}))
"""

# Bob's side: what happens when he lists, connects to or reads each path.
TOUCH = r"""
import errno, json, os, socket, sys
result = {}
for path, how in json.loads(sys.argv[1]).items():
    try:
        if how == "list":
            os.listdir(path)
        elif how == "connect":
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(path)
        else:
            open(path, "rb").read(1)
        result[path] = "ok"
    except OSError as error:
        result[path] = errno.errorcode.get(error.errno, str(error.errno))
print(json.dumps(result))
"""


def still_serves(lab) -> bool:
    topic = "alice-after-bob"
    producer = Producer({"bootstrap.servers": lab.bootstrap_servers, "log_level": 0})
    producer.produce(topic, value=b"still mine")
    if producer.flush(15):
        return False
    consumer = Consumer(
        {
            "bootstrap.servers": lab.bootstrap_servers,
            "group.id": "alice",
            "auto.offset.reset": "earliest",
            "log_level": 0,
        }
    )
    try:
        consumer.subscribe([topic])
        for _ in range(60):
            message = consumer.poll(0.5)
            if message is not None and not message.error():
                return message.value() == b"still mine"
        return False
    finally:
        consumer.close()


@pytest.fixture
def lab():
    with EmbeddedLab(LabOptions(workload=False)) as started:
        yield started


def test_bob_reaches_no_listener_of_alices_lab_and_his_fuzzing_leaves_it_serving(bob, lab):
    ports = listening_ports([os.getpid(), lab.broker.pid])
    # Only the two proxies listen: the one clients get and the broker's own front (the source
    # relay's way in); the mock's port lives in its own network namespace.
    assert lab.broker.isolated, "unprivileged user namespaces are off: the mock's port is on the loopback"
    assert listening_ports([lab.broker.pid]) == set()
    assert ports == {lab.proxy.port, lab.broker.port}

    probe = bob.run(PROBE, json.dumps(sorted(ports)), str(FUZZ_REQUESTS))
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)
    assert seen == {"answered": {str(port): 0 for port in sorted(ports)}, "fuzz_answered": 0}
    refused = lab.proxy.refusals["other user"] + lab.broker._front.refusals["other user"]
    assert refused == FUZZ_REQUESTS + len(ports)

    assert lab.broker.lost is None
    assert still_serves(lab)


def test_bob_reaches_no_port_of_alices_broker_lab_either(bob, tmp_path):
    """The broker lab's Kafka (a JVM) listens in a network namespace of its own too: from the
    machine only its two proxies are reachable, and they close bob's connections."""
    data = tmp_path / "data"
    setup_kafka_lab(data, report=lambda line: None)
    with embedded_lab(LabOptions(broker="kafka", workload=False), data) as lab:
        launcher = lab.broker.process.pid
        jvm = [int(pid) for pid in Path(f"/proc/{launcher}/task/{launcher}/children").read_text().split()]
        assert lab.broker.isolated and jvm
        assert listening_ports([launcher, *jvm]) == set()
        ports = listening_ports([os.getpid(), launcher, *jvm])
        assert ports == {lab.proxy.port, lab.broker.port}
        probe = bob.run(PROBE, json.dumps(sorted(ports)), "50")
        assert probe.returncode == 0, probe.stderr
        assert json.loads(probe.stdout) == {"answered": {str(port): 0 for port in sorted(ports)}, "fuzz_answered": 0}
        assert lab.broker.lost is None
        assert still_serves(lab)


def test_bob_cannot_open_the_brokers_socket_alices_kernel_sockets_or_her_progress(bob, lab, tmp_path):
    data = tmp_path / "data"
    store = ProgressStore.open(data / "progress.sqlite3")
    store.close()
    lesson = tmp_path / "lesson"
    lesson.mkdir()
    with KernelSession(cwd=lesson) as kernel:
        runtime = kernel._runtime
        assert runtime is not None
        for _ in range(300):  # the kernel binds its sockets once it runs
            sockets = [path for path in runtime.iterdir() if path.is_socket()]
            if len(sockets) == 5:
                break
            time.sleep(0.1)
        assert len(sockets) == 5, f"the kernel's Unix sockets: {sorted(p.name for p in runtime.iterdir())}"
        targets = {
            str(lab.broker.run_dir): "list",
            str(lab.broker.run_dir / "broker.sock"): "connect",
            str(runtime): "list",
            **{str(path): "connect" for path in sockets},
            str(runtime / "kernel.json"): "read",
            str(data / "progress.sqlite3"): "read",
        }
        touched = bob.run(TOUCH, json.dumps(targets))
    assert touched.returncode == 0, touched.stderr
    assert json.loads(touched.stdout) == dict.fromkeys(targets, "EACCES")
    assert still_serves(lab)


def test_alices_own_client_still_gets_through_the_uid_check(lab):
    with socket.create_connection(("127.0.0.1", lab.proxy.port), timeout=5) as client:
        client.sendall(bytes.fromhex("0000000f00120000000000070005616c696365"))
        client.settimeout(5)
        assert client.recv(4096)  # an ApiVersions answer, not a closed connection
    assert lab.proxy.refusals["other user"] == 0


# Bob's side: bind the port (SO_REUSEADDR, as the attack did) and report what happened.
BIND = r"""
import errno, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.listen()
    print("bound")
except OSError as error:
    print(errno.errorcode.get(error.errno, error.errno))
"""


def test_bob_cannot_take_the_proxy_port_during_an_outage(bob, lab):
    lab.cut()
    try:
        taken = bob.run(BIND, str(lab.proxy.port))
        assert taken.returncode == 0, taken.stderr
        assert taken.stdout.strip() == "EADDRINUSE"
    finally:
        lab.restore()
    assert still_serves(lab)
