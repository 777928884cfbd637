"""A private network for a broker process: its own network namespace, reached by a Unix socket.

A process that calls `enter_private_network()` before it starts any thread gets its own user and
network namespaces (unprivileged user namespaces; Debian allows them by default) with only a
loopback of its own: a TCP port it listens on there cannot be reached by any other process of the
machine, whatever their user. `start_bridge(path, port)` then makes that port reachable through the
Unix socket `path` (0600, in a 0700 folder of the student), which the tutor's proxy connects to.
Used by the mock broker's process (cdc_tutor.kafka.mock_process) and the broker lab's JVM launcher
(cdc_tutor.kafka.jvm_launch).
"""

from __future__ import annotations

import asyncio
import ctypes
import fcntl
import os
import signal
import socket
import struct
import tempfile
import threading
import time
from pathlib import Path

from cdc_tutor.paths import owned_run_dir

SOCKET_DIR_PREFIX = "cdc-tutor-broker-"

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


def start_bridge(path: str, port: int, timeout: float = 10.0) -> None:
    """Serve the Unix socket `path` in a daemon thread, each connection piped to 127.0.0.1:`port`;
    returns once the socket file exists."""
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_until_complete, args=(_bridge(path, port),), daemon=True).start()
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the bridge socket {path} did not appear")
        time.sleep(0.01)


_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """SIGKILL this process when the thread that started it ends (prctl PR_SET_PDEATHSIG): for a
    child's preexec_fn (only prctl: async-signal-safe enough), or a process calling it first."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def socket_dir() -> Path:
    """A private (0700) folder for one broker's bridge socket, under the temp dir: Unix socket
    paths are limited to ~107 bytes, which a data dir deep in a home folder could exceed."""
    return owned_run_dir(Path(tempfile.gettempdir()), SOCKET_DIR_PREFIX)


def isolated(pid: int) -> bool:
    """Whether process `pid` lives in another network namespace than this process."""
    try:
        return os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net")
    except OSError:
        return False
