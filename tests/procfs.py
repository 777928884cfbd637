"""What /proc says about processes, for tests that check what a process exposes."""

from __future__ import annotations

import os
from pathlib import Path


def listening_ports(pids: list[int]) -> set[int]:
    """TCP ports (IPv4 and IPv6: Java listens on IPv6 sockets) listened on, in this network
    namespace, by sockets of `pids`: their socket inodes matched against /proc/net/tcp{,6}."""
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports
