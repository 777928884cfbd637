"""OutageProxy: a loopback TCP proxy in front of one broker that the tutor can cut and restore.

Clients get the proxy's address as their bootstrap server. `cut()` drops every connection and
stops listening, so clients see real transport errors (connection refused, `_TRANSPORT`,
`_ALL_BROKERS_DOWN`); `restore()` listens on the same port again and they reconnect on their
own. The broker behind it keeps running, so nothing committed is lost.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading

from cdc_tutor.kafka.wire import rewrite_ports

_SIZE = struct.Struct(">i")


class OutageProxy:
    """Forwards Kafka traffic from 127.0.0.1:<port> to `upstream_host:upstream_port`."""

    def __init__(self, upstream_host: str, upstream_port: int, *, host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.host = host
        self.port = _free_port(host)
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._connections: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, name="outage-proxy", daemon=True)
        self._thread.start()
        self.restore()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def reachable(self) -> bool:
        return self._server is not None

    def cut(self) -> None:
        """Make the broker unreachable: close the listener and every open connection."""
        self._call(self._cut())

    def restore(self) -> None:
        """Make the broker reachable again on the same address."""
        self._call(self._restore())

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def _call(self, coroutine) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _restore(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._serve, self.host, self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._connections):
            _abort(writer)
        self._connections.clear()

    async def _shutdown(self) -> None:
        # Finish every connection's tasks, so none is destroyed pending when the loop closes.
        # Aborting the connections ends their pumps; cancelling would make asyncio log noise.
        await self._cut()
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        if tasks:
            _, stuck = await asyncio.wait(tasks, timeout=1.0)
            for task in stuck:
                task.cancel()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            _abort(client_writer)
            return
        self._connections.update((client_writer, upstream_writer))
        pending: dict[int, tuple[int, int]] = {}  # correlation id -> (api key, api version)
        await asyncio.gather(
            self._pump(client_reader, upstream_writer, lambda frame: _note_request(frame, pending)),
            self._pump(upstream_reader, client_writer, lambda frame: self._fix_response(frame, pending)),
            return_exceptions=True,
        )
        for writer in (client_writer, upstream_writer):
            self._connections.discard(writer)
            _abort(writer)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, inspect) -> None:
        # Whole frames only: a response can be patched only once it is complete.
        try:
            while True:
                size = _SIZE.unpack(await reader.readexactly(4))[0]
                frame = bytearray(await reader.readexactly(size))
                inspect(frame)
                writer.write(_SIZE.pack(size) + frame)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass  # either side went away (or the proxy was cut): the connection ends
        finally:
            _abort(writer)

    def _fix_response(self, frame: bytearray, pending: dict[int, tuple[int, int]]) -> None:
        if len(frame) < 4:
            return
        request = pending.pop(_SIZE.unpack_from(frame)[0], None)
        if request is not None:
            rewrite_ports(request[0], request[1], frame, self.port)


def _note_request(frame: bytearray, pending: dict[int, tuple[int, int]]) -> None:
    if len(frame) >= 8:
        api_key, api_version, correlation_id = struct.unpack_from(">hhi", frame)
        pending[correlation_id] = (api_key, api_version)


def _abort(writer: asyncio.StreamWriter) -> None:
    transport = writer.transport
    if transport is not None and not transport.is_closing():
        transport.abort()


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
