"""Just enough of the Kafka wire protocol to point broker addresses in responses at a proxy.

A Kafka client learns broker addresses from Metadata and FindCoordinator responses and then
connects to them directly; a proxy that forwarded those untouched would be bypassed after the
first request. Host strings stay the same (loopback), so only the int32 port is patched in place
and no length field changes.
"""

from __future__ import annotations

import struct

METADATA = 3
FIND_COORDINATOR = 10

# First version of each API whose messages use the flexible (compact, tagged) encoding.
_FIRST_FLEXIBLE = {METADATA: 9, FIND_COORDINATOR: 3}
# DescribeCluster (admin only) also carries addresses; librdkafka's mock broker does not serve it.


class _Reader:
    """A cursor over a response body; raises IndexError/struct.error past the end."""

    def __init__(self, buf: bytearray, pos: int, flexible: bool) -> None:
        self.buf, self.pos, self.flexible = buf, pos, flexible

    def skip(self, n: int) -> None:
        if self.pos + n > len(self.buf):
            raise IndexError("read past the end of a response")
        self.pos += n

    def uvarint(self) -> int:
        shift = value = 0
        while True:
            byte = self.buf[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7

    def int16(self) -> int:
        (value,) = struct.unpack_from(">h", self.buf, self.pos)
        self.pos += 2
        return value

    def int32(self) -> int:
        (value,) = struct.unpack_from(">i", self.buf, self.pos)
        self.pos += 4
        return value

    def skip_string(self) -> None:
        """Skip a (nullable) string in this message's encoding."""
        length = self.uvarint() - 1 if self.flexible else self.int16()
        if length > 0:
            self.skip(length)

    def array_length(self) -> int:
        return self.uvarint() - 1 if self.flexible else self.int32()

    def skip_tags(self) -> None:
        if self.flexible:
            for _ in range(self.uvarint()):
                self.uvarint()
                self.skip(self.uvarint())

    def patch_port(self, port: int) -> None:
        struct.pack_into(">i", self.buf, self.pos, port)
        self.pos += 4


def rewrite_ports(api_key: int, version: int, frame: bytearray, port: int) -> bool:
    """Rewrite every broker port in a response frame (without its size prefix) to `port`.

    Returns True when the frame was an address-carrying response and was patched. A frame
    that cannot be parsed is left as it is: better a client that bypasses the proxy than a
    corrupted response.
    """
    first_flexible = _FIRST_FLEXIBLE.get(api_key)
    if first_flexible is None:
        return False
    flexible = version >= first_flexible
    reader = _Reader(frame, 4, flexible)  # after the correlation id
    try:
        reader.skip_tags()  # response header v1 carries tagged fields in flexible versions
        if api_key == METADATA:
            _patch_metadata(reader, version, port)
        else:
            _patch_find_coordinator(reader, version, port)
    except (IndexError, struct.error):
        return False
    return True


def _patch_broker_list(reader: _Reader, port: int, with_rack: bool) -> None:
    for _ in range(reader.array_length()):
        reader.skip(4)  # node_id
        reader.skip_string()  # host
        reader.patch_port(port)
        if with_rack:
            reader.skip_string()
        reader.skip_tags()


def _patch_metadata(reader: _Reader, version: int, port: int) -> None:
    if version >= 3:
        reader.skip(4)  # throttle_time_ms
    _patch_broker_list(reader, port, with_rack=version >= 1)


def _patch_find_coordinator(reader: _Reader, version: int, port: int) -> None:
    if version >= 1:
        reader.skip(4)  # throttle_time_ms
    if version >= 4:  # batched: one entry per coordinator key
        for _ in range(reader.array_length()):
            reader.skip_string()  # key
            reader.skip(4)  # node_id
            reader.skip_string()  # host
            reader.patch_port(port)
            reader.skip(2)  # error_code
            reader.skip_string()  # error_message
            reader.skip_tags()
        return
    reader.skip(2)  # error_code
    if version >= 1:
        reader.skip_string()  # error_message
    reader.skip(4)  # node_id
    reader.skip_string()  # host
    reader.patch_port(port)


def metadata_request_topics(version: int, frame: bytearray) -> tuple[list[str] | None, int | None]:
    """The topic names a Metadata request (whole frame, without its size prefix) asks for (None:
    all topics) and the position of its allow_auto_topic_creation byte (None before version 4).
    Raises IndexError/struct.error on a frame that does not parse."""
    flexible = version >= _FIRST_FLEXIBLE[METADATA]
    reader = _Reader(frame, 8, False)  # after api_key, api_version, correlation_id
    reader.skip_string()  # client_id: a plain nullable string even in flexible headers
    reader.flexible = flexible
    reader.skip_tags()  # request header v2's tagged fields
    count = reader.array_length()
    names: list[str] | None = None if count < 0 else []
    for _ in range(max(count, 0)):
        if version >= 10:
            reader.skip(16)  # topic_id
        length = reader.uvarint() - 1 if flexible else reader.int16()
        start = reader.pos
        reader.skip(max(length, 0))
        if names is not None and length >= 0:
            names.append(bytes(frame[start : reader.pos]).decode("utf-8", "replace"))
        reader.skip_tags()
    if version < 4:
        return names, None
    if reader.pos >= len(frame):
        raise IndexError("no allow_auto_topic_creation byte")
    return names, reader.pos
