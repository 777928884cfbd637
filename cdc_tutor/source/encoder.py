"""DebeziumEncoder: captured changes -> Kafka records byte-for-byte like Debezium 3.x with JsonConverter."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import replace

from cdc_tutor.source.changes import Change, Snapshot
from cdc_tutor.source.connect import (
    DECIMAL_MODES,
    TRANSACTION_KEY_SCHEMA,
    TRANSACTION_VALUE_SCHEMA,
    envelope_schema,
    key_schema,
    source_has_origin,
)
from cdc_tutor.source.schema import DATABASE, SCHEMA, TABLE_BY_NAME, Table
from cdc_tutor.source.values import column_writer, row_writer

DEBEZIUM_VERSION = "3.7.0.Final"  # = cdc_tutor.stack.catalog.DEBEZIUM_VERSION (the lab stack)
Record = tuple[str, bytes, bytes | None]


def _compact(document) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


class _TableCodec:
    """Everything about one table that does not change between events, prepared once."""

    def __init__(self, table: Table, server: str, schemas: bool, decimal_mode: str, version: str) -> None:
        self.topic = f"{server}.{SCHEMA}.{table.name}"
        self.row = row_writer(table.columns, decimal_mode)
        key_column = next(column for column in table.columns if column.name == table.key)
        self.key_name, self.key_head = table.key, "{" + json.dumps(table.key) + ":"
        self.key_value = column_writer(key_column, decimal_mode)
        if schemas:  # JsonConverter repeats the schema in every message: splice it in as bytes
            self.key_prefix = (
                '{"schema":' + _compact(key_schema(table, server, decimal_mode)) + ',"payload":'
            ).encode()
            self.value_prefix = (
                '{"schema":' + _compact(envelope_schema(table, server, decimal_mode, version)) + ',"payload":'
            ).encode()
            self.suffix = b"}"
        else:
            self.key_prefix = self.value_prefix = self.suffix = b""
        self.source_head = (
            f'{{"version":{json.dumps(version)},"connector":"postgresql","name":{json.dumps(server)},"ts_ms":'
        )
        self.source_middle = f',"db":"{DATABASE}","sequence":'
        origin = ',"origin":null,"origin_lsn":null' if source_has_origin(version) else ""
        self.source_table = f',"schema":"{SCHEMA}","table":{json.dumps(table.name)},"txId":'
        self.source_tail = ',"xmin":null' + origin + "}"

    def key(self, row: dict) -> bytes:
        return self.key_prefix + (self.key_head + self.key_value(row[self.key_name]) + "}").encode() + self.suffix

    def source(self, ts_us: int, snapshot: str, last_commit_lsn, lsn, txid) -> str:
        if lsn is None:
            sequence = "null"
        else:
            first = "null" if last_commit_lsn is None else f'\\"{last_commit_lsn}\\"'
            sequence = f'"[{first},\\"{lsn}\\"]"'
        return (
            f'{self.source_head}{ts_us // 1000},"snapshot":"{snapshot}"{self.source_middle}{sequence}'
            f',"ts_us":{ts_us},"ts_ns":{ts_us * 1000}{self.source_table}'
            f'{"null" if txid is None else txid},"lsn":{"null" if lsn is None else lsn}{self.source_tail}'
        )

    def value(self, before: str, after: str, source: str, op: str, now_ns: int, transaction: str = "null") -> bytes:
        payload = (
            f'{{"before":{before},"after":{after},"source":{source},"transaction":{transaction},'
            f'"op":"{op}","ts_ms":{now_ns // 1_000_000},"ts_us":{now_ns // 1000},"ts_ns":{now_ns}}}'
        )
        return self.value_prefix + payload.encode() + self.suffix


class _OpenTransaction:
    """Counts of the transaction between begin_transaction() and end_transaction()."""

    def __init__(self, txid: int) -> None:
        self.txid = txid
        self.total = 0
        self.per_table: dict[str, int] = {}

    def block(self, table: str, lsn: int) -> str:
        """The next data event's `transaction` block: 1-based total and per-table order."""
        self.total += 1
        self.per_table[table] = order = self.per_table.get(table, 0) + 1
        return f'{{"id":"{self.txid}:{lsn}","total_order":{self.total},"data_collection_order":{order}}}'


class DebeziumEncoder:
    """Encodes Change and Snapshot rows of the inventory tables as (topic, key, value) records.

    `schemas_enabled` is JsonConverter's schemas.enable (keys and values alike); `decimal_mode` is
    Debezium's decimal.handling.mode: "precise" (base64 bytes), "string" or "double".
    With `transaction_metadata` (Debezium's provide.transaction.metadata), the changes between
    begin_transaction() and end_transaction() carry a `transaction` block, and those two calls
    give the BEGIN and END records of the `<server>.transaction` topic.
    """

    def __init__(
        self,
        server: str = "dbserver1",
        schemas_enabled: bool = True,
        decimal_mode: str = "precise",
        version: str = DEBEZIUM_VERSION,
        transaction_metadata: bool = False,
    ) -> None:
        if decimal_mode not in DECIMAL_MODES:
            raise ValueError(f"decimal_mode must be one of {', '.join(DECIMAL_MODES)}, not {decimal_mode!r}")
        self.server, self.schemas_enabled, self.decimal_mode, self.version = (
            server,
            schemas_enabled,
            decimal_mode,
            version,
        )
        self._codecs = {
            name: _TableCodec(table, server, schemas_enabled, decimal_mode, version)
            for name, table in TABLE_BY_NAME.items()
        }
        self.transaction_metadata = transaction_metadata
        self._open: _OpenTransaction | None = None

    @property
    def transaction_topic(self) -> str:
        return f"{self.server}.transaction"

    @property
    def open_txid(self) -> int | None:
        """The transaction begun and not yet ended, if any."""
        return None if self._open is None else self._open.txid

    def begin_transaction(self, txid: int, lsn: int, ts_us: int) -> Record:
        self._open = _OpenTransaction(txid)
        return self._transaction_record("BEGIN", f"{txid}:{lsn}", ts_us, None, None)

    def end_transaction(self, lsn: int, ts_us: int) -> Record:
        """The END record of the open transaction: its event count, per table."""
        opened, self._open = self._open, None
        if opened is None:
            raise RuntimeError("end_transaction() without begin_transaction()")
        collections = [
            {"data_collection": f"{SCHEMA}.{name}", "event_count": count} for name, count in opened.per_table.items()
        ]
        return self._transaction_record("END", f"{opened.txid}:{lsn}", ts_us, opened.total, collections)

    def _transaction_record(self, status: str, tx: str, ts_us: int, count: int | None, collections) -> Record:
        key = {"id": tx}
        value = {"status": status, "id": tx, "event_count": count, "data_collections": collections}
        value["ts_ms"] = ts_us // 1000
        if self.schemas_enabled:
            key = {"schema": TRANSACTION_KEY_SCHEMA, "payload": key}
            value = {"schema": TRANSACTION_VALUE_SCHEMA, "payload": value}
        return (self.transaction_topic, _compact(key).encode(), _compact(value).encode())

    def topic(self, table: str) -> str:
        return self._codecs[table].topic

    def encode_change(self, change: Change) -> list[Record]:
        """A c/u/d event; a delete is followed by its tombstone (same key, null value)."""
        codec = self._codecs[change.table]
        before, after = change.before, change.after
        if change.op == "u" and before[codec.key_name] != after[codec.key_name]:
            # A primary-key change: Debezium sends delete (old key), tombstone, create (new key).
            # (Its __debezium.newkey/oldkey headers are not modelled: send() takes none.)
            return self.encode_change(replace(change, op="d", after=None)) + self.encode_change(
                replace(change, op="c", before=None)
            )
        key = codec.key(after if after is not None else before)
        source = codec.source(change.ts_us, "false", change.last_commit_lsn, change.lsn, change.txid)
        opened = self._open
        transaction = opened.block(change.table, change.lsn) if opened and opened.txid == change.txid else "null"
        value = codec.value(
            "null" if before is None else codec.row(before),
            "null" if after is None else codec.row(after),
            source,
            change.op,
            time.time_ns(),
            transaction,
        )
        if change.op == "d":
            return [(codec.topic, key, value), (codec.topic, key, None)]
        return [(codec.topic, key, value)]

    def encode_snapshot(
        self,
        rows: Snapshot | Iterable[tuple[str, dict]],
        *,
        txid: int | None = None,
        lsn: int | None = None,
        ts_us: int | None = None,
    ) -> list[Record]:
        """op "r" records with Debezium's snapshot markers: first, first/last_in_data_collection,
        true, last. A Snapshot brings its own txid, LSN and read time."""
        if isinstance(rows, Snapshot):
            txid, lsn, ts_us, rows = rows.txid, rows.lsn, rows.ts_us, rows.rows
        rows = list(rows)
        ts_us = time.time_ns() // 1000 if ts_us is None else ts_us
        records = []
        last = len(rows) - 1
        for index, (table, row) in enumerate(rows):
            codec = self._codecs[table]
            first_of_table = index == 0 or rows[index - 1][0] != table
            last_of_table = index == last or rows[index + 1][0] != table
            # Precedence as in RelationalSnapshotChangeEventSource: last, first, then per table.
            marker = (
                "last"
                if index == last
                else "first"
                if index == 0
                else "last_in_data_collection"
                if last_of_table
                else "first_in_data_collection"
                if first_of_table
                else "true"
            )
            source = codec.source(ts_us, marker, None, lsn, txid)
            value = codec.value("null", codec.row(row), source, "r", time.time_ns())
            records.append((codec.topic, codec.key(row), value))
        return records
