"""Benchmark: events_to_frame on 100k schema'd Debezium order messages, against pd.json_normalize."""

from __future__ import annotations

import base64
import json
import random
import statistics
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MESSAGES = 100_000
TARGET_RATIO = 8.0


def _field(column: str, kind: str, optional: bool = True, **extra) -> dict:
    return {"type": kind, "optional": optional, **extra, "field": column}


def _orders_row_schema(side: str) -> dict:
    decimal = {
        "name": "org.apache.kafka.connect.data.Decimal",
        "version": 1,
        "parameters": {"scale": "2", "connect.decimal.precision": "10"},
    }
    return {
        "type": "struct",
        "fields": [
            _field("id", "int32", False, default=0),
            _field("order_date", "int32", False, name="io.debezium.time.Date", version=1),
            _field("purchaser", "int32", False),
            _field("quantity", "int32", False),
            _field("product_id", "int32", False),
            _field("status", "string", default="PENDING"),
            _field("total", "bytes", **decimal),
            _field("updated_at", "int64", name="io.debezium.time.MicroTimestamp", version=1),
        ],
        "optional": True,
        "name": "dbserver1.inventory.orders.Value",
        "field": side,
    }


def orders_envelope_schema() -> dict:
    """The JsonConverter schema of a 3.x `inventory.orders` value, as the spec (§3) describes it."""
    source = {
        "type": "struct",
        "fields": [
            _field("version", "string", False),
            _field("connector", "string", False),
            _field("name", "string", False),
            _field("ts_ms", "int64", False),
            _field(
                "snapshot",
                "string",
                name="io.debezium.data.Enum",
                version=1,
                parameters={
                    "allowed": "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"
                },
                default="false",
            ),
            _field("db", "string", False),
            _field("sequence", "string"),
            _field("ts_us", "int64"),
            _field("ts_ns", "int64"),
            _field("schema", "string", False),
            _field("table", "string", False),
            _field("txId", "int64"),
            _field("lsn", "int64"),
            _field("xmin", "int64"),
        ],
        "optional": False,
        "name": "io.debezium.connector.postgresql.Source",
        "version": 1,
        "field": "source",
    }
    block = {
        "type": "struct",
        "fields": [
            _field("id", "string", False),
            _field("total_order", "int64", False),
            _field("data_collection_order", "int64", False),
        ],
        "optional": True,
        "name": "event.block",
        "version": 1,
        "field": "transaction",
    }
    return {
        "type": "struct",
        "fields": [
            _orders_row_schema("before"),
            _orders_row_schema("after"),
            source,
            block,
            _field("op", "string", False),
            _field("ts_ms", "int64"),
            _field("ts_us", "int64"),
            _field("ts_ns", "int64"),
        ],
        "optional": False,
        "name": "dbserver1.inventory.orders.Envelope",
        "version": 2,
    }


def encode_decimal(value: Decimal, scale: int) -> str:
    """Connect Decimal: base64 of the big-endian two's-complement unscaled integer."""
    unscaled = int(value.scaleb(scale))
    size = max(1, (unscaled.bit_length() + 8) // 8)
    return base64.b64encode(unscaled.to_bytes(size, "big", signed=True)).decode("ascii")


def _row(rng: random.Random, order_id: int, status: str) -> dict:
    day = date(2024, 1, 1).toordinal() + rng.randrange(700) - date(1970, 1, 1).toordinal()
    micros = 1_704_067_200_000_000 + rng.randrange(60_000_000_000_000)
    return {
        "id": order_id,
        "order_date": day,
        "purchaser": 1001 + rng.randrange(400),
        "quantity": 1 + rng.randrange(9),
        "product_id": 101 + rng.randrange(50),
        "status": status,
        "total": encode_decimal(Decimal(rng.randrange(-500, 2_000_000)).scaleb(-2), 2),
        "updated_at": micros,
    }


def orders_messages(count: int = MESSAGES, seed: int = 7) -> list[bytes]:
    """Compact JsonConverter values (schema + payload) of creates, reads, updates (FULL) and deletes."""
    rng = random.Random(seed)
    schema_text = json.dumps(orders_envelope_schema(), separators=(",", ":"))
    messages = []
    for number in range(count):
        order_id = 10_001 + number
        op = rng.choices("cuudr", k=1)[0]
        old = _row(rng, order_id, "PENDING")
        new = (
            dict(
                old,
                status=rng.choice(["SHIPPED", "PAID", "CANCELLED"]),
                quantity=old["quantity"] + 1,
                updated_at=old["updated_at"] + 1000,
            )
            if op == "u"
            else old
        )
        commit_ms = 1_720_000_000_000 + number * 7
        payload = {
            "before": old if op in "ud" else None,
            "after": None if op == "d" else new,
            "source": {
                "version": "3.1.3.Final",
                "connector": "postgresql",
                "name": "dbserver1",
                "ts_ms": commit_ms,
                "snapshot": "true" if op == "r" else "false",
                "db": "postgres",
                "sequence": f'["{34_000_000 + number}","{34_000_056 + number}"]',
                "ts_us": commit_ms * 1000,
                "ts_ns": commit_ms * 1_000_000,
                "schema": "inventory",
                "table": "orders",
                "txId": 700 + number,
                "lsn": 34_000_056 + number,
                "xmin": None,
            },
            "transaction": None,
            "op": op,
            "ts_ms": commit_ms + 300,
            "ts_us": (commit_ms + 300) * 1000,
            "ts_ns": (commit_ms + 300) * 1_000_000 + 123,
        }
        text = '{"schema":' + schema_text + ',"payload":' + json.dumps(payload, separators=(",", ":")) + "}"
        messages.append(text.encode("utf-8"))
    return messages


def _anchor(messages: list[bytes]):
    import pandas as pd

    return pd.json_normalize([json.loads(message)["payload"] for message in messages])


def _ours(messages: list[bytes]):
    from cdc_tutor.cdc.frame import events_to_frame

    return events_to_frame(messages)


def check_same_values(ours, anchor) -> None:
    """Same rows and, for a sample of columns, the same values (raw encodings decoded for the anchor)."""
    import pandas as pd

    from cdc_tutor.cdc.values import decimal_from_base64

    assert len(ours) == len(anchor), (len(ours), len(anchor))
    assert list(ours["op"]) == list(anchor["op"])
    assert list(ours["source_ts_ms"]) == list(anchor["source.ts_ms"])
    assert list(ours["ts_ms"]) == list(anchor["ts_ms"])
    for side in ("before", "after"):
        present = anchor[f"{side}.id"].notna()
        assert (ours[f"{side}_id"].notna() == present).all()
        assert list(ours.loc[present, f"{side}_id"]) == list(anchor.loc[present, f"{side}.id"].astype("int64"))
        assert list(ours.loc[present, f"{side}_status"]) == list(anchor.loc[present, f"{side}.status"])
        totals = [decimal_from_base64(value, 2) for value in anchor.loc[present, f"{side}.total"]]
        assert list(ours.loc[present, f"{side}_total"]) == totals
        days = anchor.loc[present, f"{side}.order_date"].astype("int64")
        assert list(ours.loc[present, f"{side}_order_date"]) == list(
            pd.Timestamp("1970-01-01") + pd.to_timedelta(days, unit="D")
        )
        micros = anchor.loc[present, f"{side}.updated_at"].astype("int64")
        assert list(ours.loc[present, f"{side}_updated_at"]) == [
            datetime(1970, 1, 1) + pd.Timedelta(microseconds=int(value)) for value in micros
        ]


def _timed(function, messages) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(messages)
    return time.perf_counter() - started, result


def measure(runs: int = 5) -> list[dict]:
    messages = orders_messages()
    ours_times, anchor_times = [], []
    ours, anchor = _ours(messages[:1000]), _anchor(messages[:1000])  # warm imports and caches
    for _ in range(runs):  # interleaved, so drift hits both alike
        elapsed, ours = _timed(_ours, messages)
        ours_times.append(elapsed)
        elapsed, anchor = _timed(_anchor, messages)
        anchor_times.append(elapsed)
    check_same_values(ours, anchor)
    ours_median, anchor_median = statistics.median(ours_times), statistics.median(anchor_times)
    ratio = anchor_median / ours_median
    return [
        {
            "metric": "events_to_frame_100k",
            "median": round(ours_median, 4),
            "runs": runs,
            "anchor": "json_normalize_100k_seconds",
            "anchor_median": round(anchor_median, 4),
            "ratio": round(ratio, 3),
            "target": f"ratio >= {TARGET_RATIO:g}",
            "met": ratio >= TARGET_RATIO,
        }
    ]


if __name__ == "__main__":
    for result in measure(runs=int(sys.argv[1]) if len(sys.argv) > 1 else 5):
        print(json.dumps(result, ensure_ascii=False))
