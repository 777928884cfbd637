"""Transaction metadata (Debezium's provide.transaction.metadata): the embedded source writes
BEGIN/END events and a `transaction` block per streamed event as Debezium 3.x does
(../shared/reference/debezium-format.md §7), and the decoder reads them as their own kind."""

from __future__ import annotations

import json

import pytest

from cdc_tutor.cdc.decode import DecodeError, decode_message, decode_record
from cdc_tutor.cdc.event import ChangeEvent, TransactionEvent
from cdc_tutor.cdc.summary import summarize
from cdc_tutor.cdc.tail_buffer import TailBuffer, sniff_op
from cdc_tutor.source.database import InventoryDatabase
from cdc_tutor.source.encoder import DebeziumEncoder
from cdc_tutor.source.relay import SourceRelay

TWO_TABLES = (
    "INSERT INTO orders (id, order_date, purchaser, quantity, product_id, total)"
    " VALUES (20001, '2026-12-03', 1001, 2, 102, 10.50);"
    "UPDATE customers SET last_name = 'Tx' WHERE id = 1002;"
    "UPDATE orders SET quantity = 3 WHERE id = 20001"
)


def _streamed(schemas: bool, *scripts: str, metadata: bool = True) -> list[tuple[str, bytes, bytes | None]]:
    database = InventoryDatabase()
    sent: list = []
    encoder = DebeziumEncoder(schemas_enabled=schemas, transaction_metadata=metadata)
    relay = SourceRelay(database, encoder, lambda *record: sent.append(record), prune=False)
    relay.pump()
    snapshot = len(sent)
    for script in scripts:
        result = database.execute_script(script)
        assert result.ok, result.error
        relay.pump()
    database.close()
    for _topic, _key, value in sent[:snapshot]:  # snapshot events carry no transaction block
        payload = json.loads(value)["payload"] if schemas else json.loads(value)
        assert payload["transaction"] is None
    return sent[snapshot:]


@pytest.mark.parametrize("schemas", [True, False])
def test_a_transaction_is_framed_by_begin_and_end_with_counts_per_table(schemas):
    records = _streamed(schemas, TWO_TABLES)
    events = [decode_record(key, value, topic=topic) for topic, key, value in records]
    assert [e.status if isinstance(e, TransactionEvent) else e.op for e in events] == ["BEGIN", "c", "u", "u", "END"]
    begin, *changes, end = events
    assert {topic for topic, _, _ in records[:1] + records[-1:]} == {"dbserver1.transaction"}
    tx_id = str(changes[0].source["txId"])
    assert begin.tx_id == end.tx_id == tx_id
    assert begin.event_count is None and begin.data_collections is None
    assert end.event_count == 3 and end.data_collections == {"inventory.orders": 2, "inventory.customers": 1}
    blocks = [change.transaction for change in changes]
    assert [b["total_order"] for b in blocks] == [1, 2, 3]
    assert [b["data_collection_order"] for b in blocks] == [1, 1, 2]  # orders 1, customers 1, orders 2
    assert all(b["id"].partition(":")[0] == tx_id for b in blocks)
    assert isinstance(begin.ts_ms, int) and begin.ts_ms == end.ts_ms == changes[0].source["ts_ms"]
    key = json.loads(records[0][1])
    assert (key["payload"] if schemas else key) == {"id": begin.id}


def test_consecutive_transactions_each_get_their_own_frame():
    records = _streamed(
        True,
        "UPDATE customers SET last_name = 'A' WHERE id = 1001",
        "DELETE FROM orders WHERE id = 10004",
    )
    kinds = [sniff_op(value) for _topic, _key, value in records]
    assert kinds == ["BEGIN", "u", "END", "BEGIN", "d", "tombstone", "END"]
    ends = [decode_record(k, v) for t, k, v in records if sniff_op(v) == "END"]
    assert [end.event_count for end in ends] == [1, 1]  # a tombstone is no data event
    assert ends[0].tx_id != ends[1].tx_id


def test_without_the_option_there_is_no_transaction_topic_and_no_block():
    records = _streamed(True, TWO_TABLES, metadata=False)
    assert {topic for topic, _, _ in records} == {"dbserver1.inventory.orders", "dbserver1.inventory.customers"}
    assert all(decode_message(k, v).transaction is None for _t, k, v in records if v is not None)


def test_decode_message_names_a_transaction_event_instead_of_calling_it_no_envelope():
    value = json.dumps({"status": "BEGIN", "id": "571:53195829", "event_count": None, "ts_ms": 1})
    with pytest.raises(DecodeError, match=r"transaction metadata event \(BEGIN\)"):
        decode_message(None, value)
    assert isinstance(decode_record(None, value), TransactionEvent)
    assert isinstance(decode_record(None, json.dumps({"op": "c", "after": {"id": 1}})), ChangeEvent)


@pytest.mark.parametrize(
    "payload, problem",
    [
        ({"status": "END", "id": 5}, "'id' is a JSON number"),
        ({"status": "END", "id": "1:2", "event_count": "3"}, "'event_count' is not an integer"),
        ({"status": "END", "id": "1:2", "data_collections": {"a": 1}}, "not an array"),
        ({"status": "END", "id": "1:2", "data_collections": [{"data_collection": "a"}]}, "entry is not"),
    ],
)
def test_malformed_transaction_events_are_decode_errors(payload, problem):
    with pytest.raises(DecodeError, match=problem):
        decode_record(None, json.dumps(payload))


def test_the_topic_pane_line_of_begin_and_end():
    records = _streamed(True, TWO_TABLES)
    buffer = TailBuffer()
    buffer.add_batch([(topic, 0, offset, 0, key, value) for offset, (topic, key, value) in enumerate(records)])
    view = buffer.view()
    assert view.malformed == 0
    lines = {line.op: line for line in map(summarize, view.entries) if line.op in ("BEGIN", "END")}
    assert lines["BEGIN"].detail.startswith("txId=")
    assert "events=3 (orders 2, customers 1)" in lines["END"].detail
    assert not lines["END"].malformed
