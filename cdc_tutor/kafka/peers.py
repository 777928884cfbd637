"""Who is on the other end of a loopback TCP connection: the owner's uid from /proc/net/tcp.

Linux lists every IPv4 TCP socket of the network namespace in /proc/net/tcp with the uid that
owns it. A server on loopback finds its client's socket there as the entry whose local address is
the client's and whose remote address is the server's own.
"""

from __future__ import annotations

import socket
import struct

_TABLE = "/proc/net/tcp"


def _entry_address(host: str, port: int) -> str:
    """`127.0.0.1:9092` as /proc/net/tcp writes it: `0100007F:2384` (the address in host order)."""
    (packed,) = struct.unpack("=I", socket.inet_aton(host))
    return f"{packed:08X}:{port:04X}"


def peer_uid(peer: tuple[str, int], server: tuple[str, int], table: str = _TABLE) -> int | None:
    """The uid owning the client socket `peer` connected to `server`; None when it is not listed
    (a peer on another machine, or no /proc)."""
    try:
        local, remote = _entry_address(*peer), _entry_address(*server)
        with open(table, encoding="ascii") as rows:
            next(rows, None)  # the header
            for row in rows:
                fields = row.split()
                if len(fields) > 7 and fields[1] == local and fields[2] == remote:
                    return int(fields[7])
    except (OSError, ValueError):
        return None
    return None
