"""jupyter_client glue: launching a kernel from an in-memory spec, and its polled channels."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, TypeVar

import zmq
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import Instance

from cdc_tutor.kernel.specs import KernelCommand, KernelStartFailed

T = TypeVar("T")

KERNEL_SIDE = Path(__file__).with_name("kernel_side.py")
LEAKY_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")


_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def run_async(coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """Run one of jupyter_client's coroutines on a single shared loop thread, from any thread.

    Its blocking KernelManager would give every calling thread (a new one per UI worker) an
    asyncio loop of its own that is never closed; and it cannot run inside Textual's loop.
    """
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="cdc-tutor-kernel-loop", daemon=True).start()
    return asyncio.run_coroutine_threadsafe(coro, _loop).result(timeout)


class SingleKernelSpecManager(KernelSpecManager):
    """Serves one spec built in memory, so nothing has to be installed under ~/.local/share/jupyter."""

    spec = Instance(KernelSpec)

    def find_kernel_specs(self) -> dict[str, str]:
        return {}

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return self.spec


def kernel_environment(command: KernelCommand, extra: Mapping[str, str]) -> dict[str, str]:
    """The tutor's environment, plus `extra`, minus what would break an engine's own Python."""
    env = dict(os.environ)
    if command.own_environment:
        for name in LEAKY_VARIABLES:  # the tutor's pandas 3 must not shadow the engine's own
            env.pop(name, None)
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start_manager(
    command: KernelCommand, cwd: Path, env: Mapping[str, str], log_path: Path, runtime_dir: Path
) -> AsyncKernelManager:
    """Launch the kernel process (returns at once, before the kernel answers).

    The kernel's sockets are Unix sockets (ZeroMQ `ipc`) in `runtime_dir`, a private 0700 folder,
    with its connection file: over TCP any local user could connect to them, and subscribing to
    IOPub needs no key, so another user on a shared VM would read every cell's code and output."""
    spec = KernelSpec(argv=command.argv, display_name=f"cdc-tutor {command.engine}", language="python")
    manager = AsyncKernelManager(
        kernel_spec_manager=SingleKernelSpecManager(spec=spec),
        kernel_name=command.engine,
        transport="ipc",
        ip=str(runtime_dir / "k"),  # the sockets are k-1 ... k-5 (ZeroMQ's path limit: ~107 bytes)
        connection_file=str(runtime_dir / "kernel.json"),
    )
    with log_path.open("ab") as log:
        # The kernel's own warnings must never reach the terminal the UI draws on.
        run_async(manager.start_kernel(cwd=str(cwd), env=dict(env), stdout=log, stderr=log))
    return manager


class Channels:
    """One client's shell and IOPub sockets, polled together (no stdin, heartbeat or threads)."""

    def __init__(self, manager: AsyncKernelManager) -> None:
        # A blocking client: plain zmq sockets that one thread at a time polls directly.
        info = manager.get_connection_info(session=True)
        self.client = BlockingKernelClient(**info, connection_file=manager.connection_file)
        self.client.start_channels(shell=True, iopub=True, stdin=False, hb=False, control=False)
        self.shell = self.client.shell_channel.socket
        self.iopub = self.client.iopub_channel.socket
        self._poller = zmq.Poller()
        self._poller.register(self.iopub, zmq.POLLIN)
        self._poller.register(self.shell, zmq.POLLIN)

    def poll(self, timeout_ms: int) -> dict[Any, int]:
        return dict(self._poller.poll(timeout_ms))

    def recv(self, socket: Any) -> dict[str, Any]:
        session = self.client.session
        _idents, parts = session.feed_identities(socket.recv_multipart())
        return session.deserialize(parts)

    def handshake(
        self, timeout: float, is_alive: Callable[[], bool], describe: Callable[[str], KernelStartFailed]
    ) -> dict:
        """Wait for the kernel; returns its kernel_info. `describe` builds the error to raise."""
        # Ready = a kernel_info reply on shell *and* proof that our IOPub subscription is live
        # (ipykernel 7 greets it with iopub_welcome; older kernels: the status of a re-sent request).
        deadline = time.monotonic() + timeout
        self.client.kernel_info()
        sent_at = time.monotonic()
        info: dict | None = None
        subscribed = False
        while info is None or not subscribed:
            ready = self.poll(50)
            if self.iopub in ready:
                self.recv(self.iopub)
                subscribed = True
            if self.shell in ready:
                msg = self.recv(self.shell)
                if msg["msg_type"] == "kernel_info_reply":
                    info = msg["content"]
            now = time.monotonic()
            if not ready and not is_alive():
                raise describe("exited while starting")
            if now > deadline:
                raise describe(f"did not answer in {timeout:g} s")
            if info is not None and not subscribed and now - sent_at > 0.2:
                self.client.kernel_info()
                sent_at = now
        return info

    def close(self) -> None:
        self.client.stop_channels()


def bootstrap_code(frame_rows: int) -> str:
    """Code run silently at kernel start: installs the DataFrame formatter, leaves no names behind."""
    source = KERNEL_SIDE.read_text(encoding="utf-8")
    return (
        "def __cdc_tutor_bootstrap():\n"
        "    namespace = {'__name__': 'cdc_tutor_kernel_side'}\n"
        f"    exec(compile({source!r}, 'cdc_tutor_kernel_side', 'exec'), namespace)\n"
        f"    namespace['register'](get_ipython(), max_rows={int(frame_rows)})\n"
        "__cdc_tutor_bootstrap()\n"
        "del __cdc_tutor_bootstrap\n"
    )
