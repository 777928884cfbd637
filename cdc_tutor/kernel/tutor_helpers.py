"""The `tutor` module that lesson code finds in every kernel (`tutor.bootstrap`, `tutor.show_changelog`...).

The runner sends this file's source to the kernel (it is never imported by the tutor itself), so
it uses only the standard library and IPython, and runs on the engines' Pythons. The Kafka
helpers delegate to `_kafka`: cdc_tutor/kafka/state.py, run in the same kernel by the installer
(see tutor_module.py); when confluent_kafka cannot load there, they raise saying why.
"""

import decimal
import json
import os

bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "")
"""The lab's Kafka address, as lesson code should use it (also in $KAFKA_BOOTSTRAP_SERVERS)."""
user = os.environ.get("CDC_TUTOR_USER", "")
"""This student's prefix for consumer groups and topics on a shared broker."""
jars = [path for path in os.environ.get("CDC_TUTOR_JARS", "").split(os.pathsep) if path]
"""The engine's Kafka connector jars (flink: pipeline.jars, spark: spark.jars); [] for python."""

CHANGELOG_MIME = "application/vnd.cdc-tutor.changelog+json"
OPS = ("+I", "-U", "+U", "-D")
_OP_ALIASES = {"INSERT": "+I", "UPDATE_BEFORE": "-U", "UPDATE_AFTER": "+U", "DELETE": "-D"}

_kafka = None  # cdc_tutor/kafka/state.py as loaded in this kernel, set by the installer
_kafka_error = "the Kafka helpers were not installed"


def _state():
    if _kafka is None:
        raise RuntimeError("tutor's Kafka helpers are unavailable in this kernel: " + str(_kafka_error))
    return _kafka


def name(text):
    """`text` with {user} replaced by this student's prefix, e.g. name("{user}-orders")."""
    return str(text).replace("{user}", user)


def committed(group, topic, timeout=10.0):
    """{partition: committed offset} of consumer group `group` in `topic` (no commit: left out)."""
    return _state().committed(bootstrap, name(group), name(topic), timeout)


def end_offsets(topic, timeout=10.0):
    """{partition: the offset the next message will get} for `topic`."""
    return _state().end_offsets(bootstrap, name(topic), timeout)


def read_topic(topic, *, isolation="read_committed", max_messages=10000, timeout=5.0):
    """The topic's messages from the start to its current end, as dicts: topic, partition, offset,
    timestamp, key, value (JSON decoded when possible), headers. A fresh reader, no group."""
    return _state().read_topic(bootstrap, name(topic), isolation=isolation, max_messages=max_messages, timeout=timeout)


def _plain(value):
    """A JSON-friendly value: numpy scalars unboxed, decimals as floats, the rest as str."""
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, float) and value != value:  # NaN: no JSON for it
            return None
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        try:
            return _plain(item())
        except (TypeError, ValueError):
            pass
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _record(item, columns):
    """One row as a dict, from a dict, a Spark/Flink Row, a namedtuple or a plain tuple."""
    if isinstance(item, dict):
        return dict(item)
    for method in ("asDict", "as_dict", "_asdict"):
        convert = getattr(item, method, None)
        if callable(convert):
            try:
                return dict(convert())
            except Exception:  # a PyFlink Row without field names: fall through to positions
                pass
    if columns and hasattr(item, "__iter__") and not isinstance(item, (str, bytes)):
        return dict(zip(columns, list(item)))
    raise TypeError("cannot read a row from %s" % type(item).__name__)


def rows(obj, columns=None):
    """`obj` as a list of row dicts: a pandas DataFrame, a Spark DataFrame, a PyFlink Table or
    TableResult, or a list of dicts/Rows/tuples (tuples need `columns`). `columns` picks and
    orders the columns (a missing one raises KeyError)."""
    if hasattr(obj, "to_dict") and hasattr(obj, "columns") and hasattr(obj, "iloc"):  # pandas
        found = obj.to_dict("records")
    elif hasattr(obj, "toPandas") and hasattr(obj, "collect"):  # Spark DataFrame
        found = [_record(row, None) for row in obj.collect()]
    elif hasattr(obj, "to_pandas") and hasattr(obj, "get_schema"):  # PyFlink Table
        found = obj.to_pandas().to_dict("records")
    elif hasattr(obj, "collect") and hasattr(obj, "get_table_schema"):  # PyFlink TableResult
        names = obj.get_table_schema().get_field_names()
        with obj.collect() as results:
            found = [_record(row, names) for row in results]
    else:
        found = [_record(item, columns) for item in obj]
    records = [{str(k): _plain(v) for k, v in row.items()} for row in found]
    if columns:
        records = [{c: row[c] for c in columns} for row in records]
    return records


def rows_json(obj, columns=None):
    """rows(obj, columns) as a JSON string (what the `window` checkpoint reads)."""
    return json.dumps(rows(obj, columns))


def _op(value):
    text = str(value).strip()
    text = text.rsplit(".", 1)[-1] if text.startswith("RowKind.") else text
    text = _OP_ALIASES.get(text.upper(), text.upper())
    if text not in OPS:
        raise ValueError("unknown changelog op %r: expected one of %s" % (value, ", ".join(OPS)))
    return text


def changelog(data, key=None, columns=None, op_field="op", reset=True, name="changelog"):
    """The changelog payload show_changelog displays (a dict for CHANGELOG_MIME)."""
    if hasattr(data, "to_dict") and hasattr(data, "iloc"):  # a pandas DataFrame
        data = data.to_dict("records")
    changes = []
    for item in data:
        kind = getattr(item, "get_row_kind", None)
        if callable(kind):  # a PyFlink Row carries its change kind
            op, values = _op(kind()), _record(item, columns)
        else:
            values = _record(item, columns)
            op = _op(values.pop(op_field, "+I"))
        changes.append({"op": op, "values": {str(k): _plain(v) for k, v in values.items()}})
    names = list(columns or [])
    for change in changes:
        names.extend(c for c in change["values"] if c not in names)
    return {
        "version": 1,
        "name": str(name),
        "key": list(key or []),
        "columns": names,
        "reset": bool(reset),
        "rows": changes,
    }


def show_changelog(data, key=None, *, columns=None, op_field="op", reset=True, name="changelog"):
    """Show a changelog in the tutor's windows pane: the changes (+I, -U, +U, -D) beside the table
    they produce. `data`: rows as dicts whose `op_field` holds the change kind (default "op";
    use op_field="kind" when "op" is a data column), PyFlink Rows (their row kind is used), or a
    pandas DataFrame. `key`: the columns identifying a row. `reset=False` continues the previous
    changelog (e.g. one micro-batch after another)."""
    from IPython.display import display

    payload = changelog(data, key=key, columns=columns, op_field=op_field, reset=reset, name=name)
    counts = {}
    for change in payload["rows"]:
        counts[change["op"]] = counts.get(change["op"], 0) + 1
    summary = ", ".join("%s %d" % (op, counts[op]) for op in OPS if op in counts) or "empty"
    text = "<changelog %s: %d changes (%s)>" % (payload["name"], len(payload["rows"]), summary)
    display({CHANGELOG_MIME: payload, "text/plain": text}, raw=True)
