"""The embedded broker's own process: librdkafka's mock cluster, behind a Unix socket only.

Run as `python -m cdc_tutor.kafka.mock_process SOCKET`. The mock lives in this process, not in
the tutor's, so a request that trips one of its assertions (it aborts the whole process) ends the
lab, never the tutor. Where the kernel allows it (unprivileged user namespaces), the process first
moves into network namespaces of its own: the mock's TCP port then exists on a loopback nobody
else can reach, and the only way in is SOCKET, a Unix socket in the tutor's private (0700) run
folder. The tutor's loopback proxy (cdc_tutor.kafka.proxy) forwards its clients through it.

Protocol with the tutor: one line on stdout when ready, `ready <isolated>` (1: own network
namespace, 0: the mock's port is on the machine's loopback); then it serves until stdin closes,
which also happens when the tutor dies.
"""

from __future__ import annotations

import asyncio
import ctypes
import fcntl
import os
import socket
import struct
import sys
import threading

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1


def enter_private_network() -> bool:
    """Move this (still single-threaded) process into its own user and network namespaces with
    loopback up; False where the kernel refuses (e.g. Ubuntu's AppArmor restriction)."""
    uid, gid = os.getuid(), os.getgid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return False
    try:  # the same ids inside, so the socket file belongs to the student
        with open("/proc/self/setgroups", "w") as setgroups:
            setgroups.write("deny")
        with open("/proc/self/uid_map", "w") as uid_map:
            uid_map.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as gid_map:
            gid_map.write(f"{gid} {gid} 1")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as control:
            request = struct.pack("16sH14x", b"lo", 0)
            flags = struct.unpack("16sH14x", fcntl.ioctl(control, _SIOCGIFFLAGS, request))[1]
            fcntl.ioctl(control, _SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | _IFF_UP))
    except OSError:
        return False
    return True


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


async def _bridge(path: str, port: int) -> None:
    async def serve(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            broker_reader, broker_writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(_pipe(client_reader, broker_writer), _pipe(broker_reader, client_writer))

    old_mask = os.umask(0o177)  # the socket file is 0600 from the start
    try:
        server = await asyncio.start_unix_server(serve, path)
    finally:
        os.umask(old_mask)
    async with server:
        await server.serve_forever()


def main(path: str) -> int:
    isolated = enter_private_network()
    from confluent_kafka import Producer  # after unshare: librdkafka starts threads

    owner = Producer({"test.mock.num.brokers": 1, "log_level": 0})
    brokers = owner.list_topics(timeout=10).brokers
    if not brokers:
        return 1
    port = next(iter(brokers.values())).port
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_until_complete, args=(_bridge(path, port),), daemon=True).start()
    while not os.path.exists(path):
        threading.Event().wait(0.01)
    print(f"ready {int(isolated)}", flush=True)
    sys.stdin.buffer.read()  # until the tutor closes the pipe or dies
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
