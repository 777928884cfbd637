"""EmbeddedBroker: a real Kafka-protocol broker from librdkafka's mock cluster, on loopback.

The mock runs in a child process of its own (cdc_tutor.kafka.mock_process), reachable only
through a Unix socket in a private run folder; this object puts a loopback proxy in front of it
that lets in only this user's processes and only the request types Kafka clients of the lessons
send. So nothing a client sends can take the tutor down: a request that aborts the mock ends the
child, `lost` says so, and the lab can be started again. Its known gaps are listed in
lessons/README.md ("The embedded broker: how it differs from real Kafka").
"""

from __future__ import annotations

import select
import shutil
import subprocess
import sys

from confluent_kafka import KafkaException

from cdc_tutor.kafka.private_net import socket_dir
from cdc_tutor.kafka.proxy import OutageProxy
from cdc_tutor.stack.processes import exit_reason

START_TIMEOUT = 15.0

# Request types librdkafka's mock serves that the lessons' clients (producer, consumer, admin,
# transactions) send: Produce..ListGroups (0-16), ApiVersions 18, CreateTopics 19, DeleteTopics
# 20, InitProducerId 22, OffsetForLeaderEpoch 23, AddPartitions/AddOffsetsToTxn 24-25, EndTxn 26,
# TxnOffsetCommit 28, DescribeConfigs 32, DeleteGroups 42, IncrementalAlterConfigs 44,
# OffsetDelete 47, DescribeCluster 60, ConsumerGroupHeartbeat 68, telemetry 71-72.
MOCK_API_KEYS = frozenset([*range(0, 17), 18, 19, 20, 22, 23, 24, 25, 26, 28, 32, 42, 44, 47, 60, 68, 71, 72])


class EmbeddedBroker:
    """One mock broker; topics auto-create (4 partitions by default) on first use."""

    def __init__(self) -> None:
        self.run_dir = socket_dir()
        self.socket_path = socket_path = self.run_dir / "broker.sock"
        self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-m", "cdc_tutor.kafka.mock_process", str(socket_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # the tutor draws on this terminal
            start_new_session=True,  # Ctrl+C in a console reaches the tutor, which closes it
        )
        self.isolated = self._wait_ready()
        """Whether the mock's own port is on a loopback of its own (no other user can reach it)."""
        self._front: OutageProxy | None = OutageProxy(
            upstream_path=str(socket_path), allowed_api_keys=MOCK_API_KEYS, limit_auto_topics=True
        )
        self.host, self.port = self._front.host, self._front.port

    def _wait_ready(self) -> bool:
        process = self._process
        assert process is not None and process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
        line = process.stdout.readline().decode(errors="replace").split() if ready else []
        if not line or line[0] != "ready":
            self.close()
            raise KafkaException("the embedded broker did not start")
        return line[1:] == ["1"]

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def refusals(self) -> dict[str, int]:
        """What the broker's front refused, by reason (cdc_tutor.kafka.proxy)."""
        return dict(self._front.refusals) if self._front is not None else {}

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def lost(self) -> str | None:
        """Why the broker is gone although nobody closed it (its process ended); None while it runs."""
        process = self._process
        if process is None or process.poll() is None:
            return None
        return exit_reason(process.returncode)

    def close(self) -> None:
        """Stop the broker; its topics are gone with it."""
        if self._front is not None:
            self._front.close()
            self._front = None
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()  # the child's signal to stop
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            if process.stdout is not None:
                process.stdout.close()
        shutil.rmtree(self.run_dir, ignore_errors=True)

    def __enter__(self) -> EmbeddedBroker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
