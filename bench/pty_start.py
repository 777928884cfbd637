"""Time a command from spawn until a marker text is painted on a pseudo-terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time


def time_to_marker(
    argv: list[str], marker: str, env: dict[str, str], timeout: float = 20.0, columns: int = 120, rows: int = 40
) -> float:
    """Seconds from fork to the first time `marker` appears in what the program writes."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child: exec the program on the pty
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    seen = b""
    needle = marker.encode()
    try:
        while True:
            remaining = timeout - (time.perf_counter() - start)
            if remaining <= 0:
                raise TimeoutError(f"{marker!r} not painted within {timeout}s by {argv}")
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                raise RuntimeError(f"{argv} exited before painting {marker!r}: {seen[-500:]!r}") from None
            seen += chunk
            if needle in seen:
                return time.perf_counter() - start
            if len(seen) > 1_000_000:
                seen = seen[-10_000:]
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
