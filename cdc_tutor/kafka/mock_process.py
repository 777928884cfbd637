"""The embedded broker's own process: librdkafka's mock cluster, behind a Unix socket only.

Run as `python -m cdc_tutor.kafka.mock_process SOCKET`. The mock lives in this process, not in
the tutor's, so a request that trips one of its assertions (it aborts the whole process) ends the
lab, never the tutor. Where the kernel allows it, the process first moves into a private network
(cdc_tutor.kafka.private_net): the mock's TCP port then exists on a loopback nobody else can
reach, and the only way in is SOCKET, which the tutor's loopback proxy (cdc_tutor.kafka.proxy)
forwards its clients through.

Protocol with the tutor: one line on stdout when ready, `ready <isolated>` (1: own network
namespace, 0: the mock's port is on the machine's loopback); then it serves until stdin closes,
which also happens when the tutor dies.
"""

from __future__ import annotations

import sys

from cdc_tutor.kafka.private_net import enter_private_network, start_bridge


def main(path: str) -> int:
    isolated = enter_private_network()
    from confluent_kafka import Producer  # after unshare: librdkafka starts threads

    owner = Producer({"test.mock.num.brokers": 1, "log_level": 0})
    brokers = owner.list_topics(timeout=10).brokers
    if not brokers:
        return 1
    start_bridge(path, next(iter(brokers.values())).port)
    print(f"ready {int(isolated)}", flush=True)
    sys.stdin.buffer.read()  # until the tutor closes the pipe or dies
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
