"""Starts the broker lab's JVM in a private network (cdc_tutor.kafka.private_net).

Run as `python -m cdc_tutor.kafka.jvm_launch SOCKET PORT -- java ...`: it moves into its own
network namespace where the kernel allows, serves SOCKET as the only way to the broker's PORT,
prints `ready <isolated>` and runs the JVM as its child until the JVM ends, with the JVM's exit
status. SIGTERM is passed on to the JVM (a graceful Kafka shutdown); if this launcher dies the
JVM dies with it (PR_SET_PDEATHSIG), as the launcher dies with the tutor.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys

from cdc_tutor.kafka.private_net import enter_private_network, start_bridge

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def main(argv: list[str]) -> int:
    _die_with_parent()  # the launcher goes with the tutor's thread that started it
    path, port, separator, *command = argv
    if separator != "--" or not command:
        print("usage: jvm_launch SOCKET PORT -- COMMAND...", file=sys.stderr)
        return 2
    isolated = enter_private_network()
    start_bridge(path, int(port))
    jvm = subprocess.Popen(command, preexec_fn=_die_with_parent)  # noqa: PLW1509 - only prctl
    signal.signal(signal.SIGTERM, lambda *_: jvm.send_signal(signal.SIGTERM))
    print(f"ready {int(isolated)}", flush=True)
    while True:
        try:
            return jvm.wait()
        except InterruptedError:
            continue


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
