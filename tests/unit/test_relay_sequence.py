"""source.sequence after the snapshot, as real Debezium sends it (tests/stack/test_parity.py)."""

from __future__ import annotations

import json

from cdc_tutor.source.database import InventoryDatabase
from cdc_tutor.source.encoder import DebeziumEncoder
from cdc_tutor.source.relay import SourceRelay


def _sequences(records) -> list[list]:
    return [
        json.loads(json.loads(value)["payload"]["source"]["sequence"])
        for _topic, _key, value in records
        if value is not None
    ]


def test_first_streamed_transaction_has_no_last_commit_lsn_then_each_names_the_previous():
    database = InventoryDatabase()
    sent = []
    relay = SourceRelay(database, DebeziumEncoder(), lambda *record: sent.append(record), prune=False)
    database.execute_script("UPDATE customers SET last_name = 'A' WHERE id = 1001")  # before the snapshot
    relay.pump()
    sent.clear()
    database.execute_script(
        "UPDATE customers SET last_name = 'B' WHERE id = 1001; UPDATE customers SET last_name = 'C' WHERE id = 1002"
    )
    database.execute_script("UPDATE customers SET last_name = 'D' WHERE id = 1003")
    relay.pump()
    first, second, third = _sequences(sent)
    assert first[0] is None and second[0] is None  # one transaction, the first after the snapshot
    assert int(third[0]) > int(second[1])  # the next names the previous transaction's commit
    database.close()
