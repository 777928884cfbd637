"""OutageProxy: a loopback TCP proxy in front of one broker that the tutor can cut and restore.

Clients get the proxy's address as their bootstrap server. `cut()` drops every connection and
closes each new one at once, so clients see real transport errors (`_TRANSPORT`,
`_ALL_BROKERS_DOWN`); `restore()` lets them through again and they reconnect on their own. The
broker behind it keeps running, so nothing committed is lost.

The listener stays bound from start to close: a port given up during a cut could be taken by
another local user, who would then receive the student's clients (and the restore would fail).
What a client may send is bounded, so no client can make the tutor buffer without limit: a request
frame above MAX_REQUEST_BYTES (Kafka's own `socket.request.max.bytes` is 100 MB; the lessons send
far less) and connections beyond MAX_CONNECTIONS are closed, and `refusals` counts why.

On a shared machine only the student's own processes get through: on loopback the proxy looks up
each peer's socket in /proc/net/tcp and closes connections of other users at once. In front of
the mock broker it also refuses request types no Kafka client of the lessons sends
(`allowed_api_keys`), so odd requests never reach the mock's handlers.
"""

from __future__ import annotations

import asyncio
import os
import struct
import threading

from cdc_tutor.kafka.peers import peer_uid
from cdc_tutor.kafka.wire import METADATA, metadata_request_topics, rewrite_ports

_SIZE = struct.Struct(">i")
MAX_REQUEST_BYTES = 16 * 1024 * 1024
"""Largest request frame forwarded to the broker (a produce batch of the lessons is < 1 MB)."""
MAX_CONNECTIONS = 200
"""Open client connections at once (librdkafka opens ~2 per broker per client)."""
MAX_AUTO_TOPICS = 100
"""Topic names a proxy with `limit_auto_topics` lets clients create on demand (the mock keeps up to
~5 MB per partition of each, in memory): beyond it, Metadata requests for new names go on with
auto-creation off, so the client sees an unknown topic, and `refusals["topic limit"]` counts it."""


class OutageProxy:
    """Forwards Kafka traffic from 127.0.0.1:<port> to `upstream_host:upstream_port`, or to the
    Unix socket `upstream_path`."""

    def __init__(
        self,
        upstream_host: str = "127.0.0.1",
        upstream_port: int = 0,
        *,
        host: str = "127.0.0.1",
        upstream_path: str | None = None,
        allowed_api_keys: frozenset[int] | None = None,
        limit_auto_topics: bool = False,
    ) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.upstream_path = upstream_path
        self.host = host
        self.allowed_api_keys = allowed_api_keys
        self._auto_topics: set[str] | None = set() if limit_auto_topics else None  # names asked to create
        # Only on loopback: a peer elsewhere has no entry in this machine's socket table.
        self.owner_only = host.startswith("127.")
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._open = False  # False during a cut: new connections are closed at once
        self._connections: set[asyncio.StreamWriter] = set()
        self._clients = 0
        self.refusals: dict[str, int] = {
            "cut": 0,
            "too many connections": 0,
            "request too large": 0,
            "other user": 0,
            "request type not served": 0,
            "topic limit": 0,
        }
        """Connections the proxy closed, by reason (a cut, the caps above)."""
        self._thread = threading.Thread(target=self._loop.run_forever, name="outage-proxy", daemon=True)
        self._thread.start()
        self._call(self._listen())
        self.port: int = self._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def reachable(self) -> bool:
        return self._open

    def cut(self) -> None:
        """Make the broker unreachable: close every open connection and each new one."""
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

    async def _listen(self) -> None:
        # Port 0: the kernel picks a free port and nobody can take it between a probe and the bind.
        self._server = await asyncio.start_server(self._serve, self.host, 0)
        self._open = True

    async def _restore(self) -> None:
        self._open = True

    async def _cut(self) -> None:
        self._open = False
        for writer in list(self._connections):
            _abort(writer)
        self._connections.clear()

    async def _shutdown(self) -> None:
        # Finish every connection's tasks, so none is destroyed pending when the loop closes.
        # Aborting the connections ends their pumps; cancelling would make asyncio log noise.
        await self._cut()
        if self._server is not None:
            self._server.close()
            self._server = None
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        if tasks:
            _, stuck = await asyncio.wait(tasks, timeout=1.0)
            for task in stuck:
                task.cancel()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        refused = (
            "cut"
            if not self._open
            else "too many connections"
            if self._clients >= MAX_CONNECTIONS
            else "other user"
            if self.owner_only and not self._from_owner(client_writer)
            else None
        )
        if refused:
            self.refusals[refused] += 1
            _abort(client_writer)
            return
        self._clients += 1
        try:
            await self._forward(client_reader, client_writer)
        finally:
            self._clients -= 1

    def _from_owner(self, client_writer: asyncio.StreamWriter) -> bool:
        peer = client_writer.get_extra_info("peername")
        return peer_uid(peer[:2], (self.host, self.port)) == os.getuid()

    async def _open_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.upstream_path is not None:
            return await asyncio.open_unix_connection(self.upstream_path)
        return await asyncio.open_connection(*self.upstream)

    async def _forward(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await self._open_upstream()
        except OSError:
            _abort(client_writer)
            return
        self._connections.update((client_writer, upstream_writer))
        pending: dict[int, tuple[int, int]] = {}  # correlation id -> (api key, api version)
        check = lambda frame: self._check_request(frame, pending)  # noqa: E731 - a one-line callback
        await asyncio.gather(
            self._pump(client_reader, upstream_writer, check, MAX_REQUEST_BYTES),
            self._pump(upstream_reader, client_writer, lambda frame: self._fix_response(frame, pending)),
            return_exceptions=True,
        )
        for writer in (client_writer, upstream_writer):
            self._connections.discard(writer)
            _abort(writer)

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, inspect, limit: int | None = None
    ) -> None:
        # Whole frames only: a response can be patched only once it is complete. `limit` caps
        # what a client may make the proxy buffer (the broker's responses are trusted).
        try:
            while True:
                size = _SIZE.unpack(await reader.readexactly(4))[0]
                if size < 0 or (limit is not None and size > limit):
                    self.refusals["request too large"] += 1
                    return
                frame = bytearray(await reader.readexactly(size))
                if inspect(frame) is False:
                    return
                writer.write(_SIZE.pack(size) + frame)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass  # either side went away (or the proxy was cut): the connection ends
        finally:
            _abort(writer)

    def _check_request(self, frame: bytearray, pending: dict[int, tuple[int, int]]) -> bool:
        """Note the request for its response; False (the connection ends) for a request type
        this proxy does not forward, or one too short to have a header."""
        if len(frame) < 8:
            self.refusals["request type not served"] += 1
            return False
        api_key, api_version, correlation_id = struct.unpack_from(">hhi", frame)
        if self.allowed_api_keys is not None and api_key not in self.allowed_api_keys:
            self.refusals["request type not served"] += 1
            return False
        if api_key == METADATA and self._auto_topics is not None and not self._limit_auto_topics(api_version, frame):
            self.refusals["topic limit"] += 1
            return False
        pending[correlation_id] = (api_key, api_version)
        return True

    def _limit_auto_topics(self, version: int, frame: bytearray) -> bool:
        """Turn auto-creation off in a Metadata request that would create a topic past the limit;
        False (refuse it) for an old version (< 4) that always creates."""
        known = self._auto_topics
        assert known is not None
        try:
            names, allow_at = metadata_request_topics(version, frame)
        except (IndexError, struct.error):
            return True  # the broker answers a malformed request with an error of its own
        if not names or (allow_at is not None and not frame[allow_at]):
            return True
        new = [name for name in names if name not in known]
        if len(known) + len(new) <= MAX_AUTO_TOPICS:
            known.update(new)
            return True
        if allow_at is None:
            return False
        frame[allow_at] = 0
        self.refusals["topic limit"] += 1
        return True

    def _fix_response(self, frame: bytearray, pending: dict[int, tuple[int, int]]) -> None:
        if len(frame) < 4:
            return
        request = pending.pop(_SIZE.unpack_from(frame)[0], None)
        if request is not None:
            rewrite_ports(request[0], request[1], frame, self.port)


def _abort(writer: asyncio.StreamWriter) -> None:
    transport = writer.transport
    if transport is not None and not transport.is_closing():
        transport.abort()
