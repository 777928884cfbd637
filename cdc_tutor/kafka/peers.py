"""Who is on the other end of a loopback TCP connection: the owner's uid from /proc/net/tcp.

Linux lists every IPv4 TCP socket of the network namespace in /proc/net/tcp with the uid that
owns it. A server on loopback finds its client's socket there as the entry whose local address is
the client's and whose remote address is the server's own. A client on an IPv6 socket (Java's
default: Spark's and Flink's Kafka clients) reaches an IPv4 server as ::ffff:127.0.0.1 and is
listed in /proc/net/tcp6 instead, with both addresses IPv4-mapped.
"""

from __future__ import annotations

import socket
import struct

_TABLE = "/proc/net/tcp"
_TABLE6 = "/proc/net/tcp6"


def _entry_address(host: str, port: int) -> str:
    """`127.0.0.1:9092` as /proc/net/tcp writes it: `0100007F:2384` (the address in host order)."""
    (packed,) = struct.unpack("=I", socket.inet_aton(host))
    return f"{packed:08X}:{port:04X}"


def _entry_address6(host: str, port: int) -> str:
    """`127.0.0.1:9092` IPv4-mapped (::ffff:127.0.0.1) as /proc/net/tcp6 writes it: four 32-bit
    words in host order, `0000000000000000FFFF00000100007F:2384`."""
    packed = socket.inet_pton(socket.AF_INET6, "::ffff:" + host)
    words = struct.unpack("=4I", packed)
    return "".join(f"{word:08X}" for word in words) + f":{port:04X}"


def _find(table: str, local: str, remote: str) -> int | None:
    try:
        with open(table, encoding="ascii") as rows:
            next(rows, None)  # the header
            for row in rows:
                fields = row.split()
                if len(fields) > 7 and fields[1] == local and fields[2] == remote:
                    return int(fields[7])
    except (OSError, ValueError):
        return None
    return None


def peer_uid(peer: tuple[str, int], server: tuple[str, int], table: str = _TABLE, table6: str = _TABLE6) -> int | None:
    """The uid owning the client socket `peer` connected to `server` (an IPv4 socket, or an IPv6
    one reaching it IPv4-mapped); None when it is not listed (a peer on another machine, or no
    /proc)."""
    try:
        found = _find(table, _entry_address(*peer), _entry_address(*server))
        if found is None:
            found = _find(table6, _entry_address6(*peer), _entry_address6(*server))
    except (OSError, ValueError):
        return None
    return found
