"""Starts the broker lab's JVM in a private network (cdc_tutor.kafka.private_net).

Run as `python -m cdc_tutor.kafka.jvm_launch SOCKET PORT -- java ...`: it moves into its own
network namespace where the kernel allows, serves SOCKET as the only way to the broker's PORT,
prints `ready <isolated>` and runs the JVM as its child until the JVM ends, with the JVM's exit
status. SIGTERM is passed on to the JVM (a graceful Kafka shutdown); if this launcher dies the
JVM dies with it (PR_SET_PDEATHSIG), as the launcher dies with the tutor.
"""

from __future__ import annotations

import signal
import subprocess
import sys

from cdc_tutor.kafka.private_net import die_with_parent, enter_private_network, start_bridge


def main(argv: list[str]) -> int:
    die_with_parent()  # the launcher goes with the tutor's thread that started it
    path, port, separator, *command = argv
    if separator != "--" or not command:
        print("usage: jvm_launch SOCKET PORT -- COMMAND...", file=sys.stderr)
        return 2
    isolated = enter_private_network()
    start_bridge(path, int(port))
    jvm = subprocess.Popen(command, preexec_fn=die_with_parent)  # noqa: PLW1509 - only prctl
    signal.signal(signal.SIGTERM, lambda *_: jvm.send_signal(signal.SIGTERM))
    print(f"ready {int(isolated)}", flush=True)
    while True:
        try:
            return jvm.wait()
        except InterruptedError:
            continue


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
