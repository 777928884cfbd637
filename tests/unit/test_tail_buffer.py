"""TailBuffer: op sniffing, bounded memory, counters, filters."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from cdc_tutor.cdc.tail_buffer import NOT_AN_ENVELOPE, TailBuffer, sniff_op

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "debezium"


def _value(op: str, **row) -> bytes:
    return json.dumps({"before": None, "after": row, "source": {"table": "orders"}, "op": op, "ts_ms": 1}).encode()


def test_sniff_op_reads_the_envelope_op_of_every_real_capture():
    captures = sorted(FIXTURES.glob("pg_*.json"))
    assert len(captures) >= 10
    for path in captures:
        data = path.read_bytes()
        assert sniff_op(data) == json.loads(data).get("payload", json.loads(data))["op"], path.name


def test_sniff_op_is_not_fooled_by_a_column_named_op():
    shadow = json.dumps({"before": {"op": "d"}, "after": {"op": "c"}, "source": {}, "op": "u"}).encode()
    assert sniff_op(shadow) == "u"


def test_sniff_op_flags_what_is_not_an_envelope():
    assert sniff_op(None) == "tombstone"
    for junk in (b"", b"not json", b'{"op": 5}', b'{"op":"zz"}', b"\xff\xfe\x00", b'{"op"'):
        assert sniff_op(junk) == NOT_AN_ENVELOPE


@given(st.binary(max_size=200))
def test_sniff_op_never_raises(data):
    assert sniff_op(data) in {"c", "u", "d", "r", "t", "m", NOT_AN_ENVELOPE}


def _fill(buffer: TailBuffer, count: int, topic: str = "dbserver1.inventory.orders", op: str = "c") -> None:
    buffer.add_batch([(topic, 0, n, 0, b'{"id":1}', _value(op, id=n)) for n in range(count)])


def test_memory_is_bounded_and_everything_is_counted():
    buffer = TailBuffer(capacity=100)
    _fill(buffer, 1000)
    view = buffer.view(limit=1000)
    assert view.received == 1000
    assert len(view.entries) == 100
    assert [entry.offset for entry in view.entries] == list(range(900, 1000))
    assert view.dropped == 900  # evicted before any view could show them


def test_entries_already_viewed_do_not_count_as_dropped():
    buffer = TailBuffer(capacity=10)
    _fill(buffer, 10)
    buffer.view()
    _fill(buffer, 10)
    assert buffer.view().dropped == 0


def test_filters_by_table_and_op_and_reports_matches():
    buffer = TailBuffer()
    _fill(buffer, 5, "dbserver1.inventory.orders", "c")
    _fill(buffer, 3, "dbserver1.inventory.customers", "u")
    buffer.add("dbserver1.inventory.orders", 0, 99, 0, b'{"id":1}', None)
    view = buffer.view(tables=frozenset({"orders"}), ops=frozenset({"c", "tombstone"}))
    assert view.matching == 6 and view.received == 9
    assert {entry.op for entry in view.entries} == {"c", "tombstone"}
    assert buffer.view(ops=frozenset({"u"}), limit=2).matching == 3
    assert len(buffer.view(ops=frozenset({"u"}), limit=2).entries) == 2


def test_malformed_messages_are_counted_and_kept_as_raw_lines():
    buffer = TailBuffer()
    buffer.add("t", 0, 0, 0, None, b"\x00\x01binary")
    view = buffer.view()
    assert view.malformed == 1
    assert view.entries[0].value == b"\x00\x01binary" and view.entries[0].op == NOT_AN_ENVELOPE


def test_rate_counts_recent_arrivals():
    buffer = TailBuffer(rate_window=1.0)
    _fill(buffer, 50)
    assert buffer.view().rate == 50.0


def test_a_batch_larger_than_the_ring_counts_only_unseen_evictions_as_dropped():
    buffer = TailBuffer(capacity=10)
    buffer.add_batch([("dbserver1.inventory.orders", 0, n, 0, None, b'{"op":"c"}') for n in range(5)])
    assert buffer.view().dropped == 0  # seqs 1..5 now shown
    buffer.add_batch([("dbserver1.inventory.orders", 0, n, 0, None, b'{"op":"u"}') for n in range(5, 25)])
    view = buffer.view(limit=100)
    assert view.received == 25
    assert [entry.seq for entry in view.entries] == list(range(16, 26))
    assert view.dropped == 10  # seqs 6..15: evicted without ever being shown
