"""DebeziumEncoder: captured changes -> Kafka records byte-for-byte like Debezium 3.x with JsonConverter."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import replace

from cdc_tutor.source.changes import Change, Snapshot
from cdc_tutor.source.connect import DECIMAL_MODES, envelope_schema, key_schema, source_has_origin
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

    def value(self, before: str, after: str, source: str, op: str, now_ns: int) -> bytes:
        payload = (
            f'{{"before":{before},"after":{after},"source":{source},"transaction":null,'
            f'"op":"{op}","ts_ms":{now_ns // 1_000_000},"ts_us":{now_ns // 1000},"ts_ns":{now_ns}}}'
        )
        return self.value_prefix + payload.encode() + self.suffix


class DebeziumEncoder:
    """Encodes Change and Snapshot rows of the inventory tables as (topic, key, value) records.

    `schemas_enabled` is JsonConverter's schemas.enable (keys and values alike); `decimal_mode` is
    Debezium's decimal.handling.mode: "precise" (base64 bytes), "string" or "double".
    """

    def __init__(
        self,
        server: str = "dbserver1",
        schemas_enabled: bool = True,
        decimal_mode: str = "precise",
        version: str = DEBEZIUM_VERSION,
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
        value = codec.value(
            "null" if before is None else codec.row(before),
            "null" if after is None else codec.row(after),
            source,
            change.op,
            time.time_ns(),
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
