"""Port rewriting in Metadata and FindCoordinator responses, on hand-built frames."""

from __future__ import annotations

import struct

from cdc_tutor.kafka.wire import FIND_COORDINATOR, METADATA, rewrite_ports


def _string(text: str, flexible: bool) -> bytes:
    data = text.encode()
    return (bytes([len(data) + 1]) if flexible else struct.pack(">h", len(data))) + data


def _null_string(flexible: bool) -> bytes:
    return b"\x00" if flexible else struct.pack(">h", -1)


def _metadata(version: int, ports: list[int]) -> bytearray:
    flexible = version >= 9
    frame = struct.pack(">i", 7) + (b"\x00" if flexible else b"")  # correlation id, header tags
    if version >= 3:
        frame += struct.pack(">i", 0)
    frame += bytes([len(ports) + 1]) if flexible else struct.pack(">i", len(ports))
    for node, port in enumerate(ports, start=1):
        frame += struct.pack(">i", node) + _string("127.0.0.1", flexible) + struct.pack(">i", port)
        if version >= 1:
            frame += _string("rack-a", flexible) if node == 1 else _null_string(flexible)
        if flexible:
            frame += b"\x01\x05\x02ab"  # one unknown tagged field the parser must skip
    return bytearray(frame + b"trailing topics section")


def _ports_in(frame: bytearray, count: int, version: int) -> list[int]:
    found, at = [], 0
    for _ in range(count):
        at = frame.index(b"127.0.0.1", at) + len("127.0.0.1")
        found.append(struct.unpack_from(">i", frame, at)[0])
    return found


def test_metadata_ports_are_rewritten_in_old_and_flexible_versions():
    for version in (0, 1, 5, 9, 12):
        frame = _metadata(version, [9092, 9093])
        assert rewrite_ports(METADATA, version, frame, 40000) is True
        assert _ports_in(frame, 2, version) == [40000, 40000]
        assert frame.endswith(b"trailing topics section")


def test_find_coordinator_v2_and_batched_v4():
    v2 = bytearray(
        struct.pack(">iih", 1, 0, 0)
        + _string("", False)
        + struct.pack(">i", 1)
        + _string("127.0.0.1", False)
        + struct.pack(">i", 9092)
    )
    assert rewrite_ports(FIND_COORDINATOR, 2, v2, 41000)
    assert struct.unpack_from(">i", v2, len(v2) - 4)[0] == 41000

    v4 = bytearray(
        struct.pack(">i", 1)
        + b"\x00"
        + struct.pack(">i", 0)
        + b"\x02"
        + _string("group-1", True)
        + struct.pack(">i", 1)
        + _string("127.0.0.1", True)
        + struct.pack(">i", 9092)
        + struct.pack(">h", 0)
        + b"\x00"
        + b"\x00"
        + b"\x00"
    )
    assert rewrite_ports(FIND_COORDINATOR, 4, v4, 41000)
    assert _ports_in(v4, 1, 4) == [41000]


def test_other_responses_and_truncated_frames_are_left_alone():
    produce = bytearray(b"\x00\x00\x00\x07some produce response")
    assert rewrite_ports(0, 9, produce, 1) is False
    assert produce == bytearray(b"\x00\x00\x00\x07some produce response")

    truncated = _metadata(12, [9092])[:15]
    before = bytes(truncated)
    assert rewrite_ports(METADATA, 12, truncated, 1) is False
    assert bytes(truncated) == before
