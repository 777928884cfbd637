"""Whatever the bytes, decode_message raises DecodeError or nothing (TypeError only for non-bytes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdc_tutor.cdc.decode import DecodeError, decode_message
from cdc_tutor.cdc.frame import events_to_frame

FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "debezium").glob("*.json"))
RAW = [path.read_bytes() for path in FIXTURES]
COMPACT = [json.dumps(json.loads(raw), separators=(",", ":")).encode() for raw in RAW]
SCALES = {"weight": 2, "customers.email": 1, "inventory.products.name": 0}
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "op",
                    "before",
                    "after",
                    "source",
                    "schema",
                    "payload",
                    "table",
                    "ts_ms",
                    "scale",
                    "value",
                    "fields",
                    "field",
                    "type",
                    "name",
                    "message",
                    "weight",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


def decodes_or_refuses(key, value, scales=None) -> None:
    try:
        decode_message(key, value, scales=scales)
    except DecodeError:
        pass


@FAST
@given(st.binary(max_size=200))
def test_random_bytes(value: bytes) -> None:
    decodes_or_refuses(None, value)
    decodes_or_refuses(value, None)


@FAST
@given(json_values)
def test_random_json_values(document) -> None:
    text = json.dumps(document)
    decodes_or_refuses(text.encode(), text.encode(), SCALES)
    decodes_or_refuses(None, json.dumps({"schema": document, "payload": document}))


@pytest.mark.parametrize("raw", COMPACT, ids=[path.name for path in FIXTURES])
def test_every_truncation_of_every_fixture(raw: bytes) -> None:
    step = max(1, len(raw) // 400)  # the schema'd captures are long: a sample of their cuts
    for end in range(0, len(raw), step):
        decodes_or_refuses(raw[:end], raw[:end], SCALES)
        decodes_or_refuses(None, raw[end:])


@FAST
@given(st.sampled_from(COMPACT + RAW), st.data())
def test_mutated_fixtures(raw: bytes, data) -> None:
    mutated = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.integers(0, len(mutated) - 1))
        action = data.draw(st.sampled_from(["replace", "delete", "insert"]))
        byte = data.draw(st.sampled_from(list(b'{}[]":,0-9aZ\x00\xff ') + [data.draw(st.integers(0, 255))]))
        if action == "replace":
            mutated[where] = byte
        elif action == "delete":
            del mutated[where]
        else:
            mutated.insert(where, byte)
    decodes_or_refuses(None, bytes(mutated), SCALES)
    try:  # the frame refuses the same messages, and nothing else
        events_to_frame([bytes(mutated)], errors="skip", scales=SCALES)
    except DecodeError:
        pytest.fail("errors='skip' raised")


@FAST
@given(st.sampled_from(COMPACT), st.data())
def test_mutated_values_inside_valid_json(raw: bytes, data) -> None:
    """Swap one JSON value for a random one: structure stays valid, types go wrong."""
    document = json.loads(raw)
    payload = document.get("payload", document)
    part = data.draw(st.sampled_from(["before", "after", "source", "op", "ts_ms", "transaction"]))
    target = payload
    if isinstance(payload.get(part), dict) and payload[part] and data.draw(st.booleans()):
        target, part = payload[part], data.draw(st.sampled_from(sorted(payload[part])))
    target[part] = data.draw(json_values)
    decodes_or_refuses(None, json.dumps(document).encode(), SCALES)


@pytest.mark.parametrize("value", [12, 1.5, ["x"], {"op": "c"}, object()])
def test_non_bytes_values_are_type_errors(value) -> None:
    with pytest.raises(TypeError):
        decode_message(None, value)
