"""The `tutor` module that lesson code finds in every kernel (`tutor.bootstrap`, `tutor.show_changelog`...).

The runner sends this file's source to the kernel (it is never imported by the tutor itself), so
it uses only the standard library and IPython, and runs on the engines' Pythons. The Kafka
helpers delegate to `_kafka`: cdc_tutor/kafka/state.py, run in the same kernel by the installer
(see tutor_module.py); when confluent_kafka cannot load there, they raise saying why.
"""

import decimal
import json
import os
import threading as _threading  # private names: lesson code sees only tutor's own helpers
import time as _time

bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "")
"""The lab's Kafka address, as lesson code should use it (also in $KAFKA_BOOTSTRAP_SERVERS)."""
topic_prefix = os.environ.get("CDC_TUTOR_TOPIC_PREFIX", "dbserver1")
"""The prefix of this lab's CDC topics: `topic("orders")` is f"{topic_prefix}.inventory.orders"."""
user = os.environ.get("CDC_TUTOR_USER", "")
"""This student's prefix for consumer groups and topics on a shared broker."""
jars = [path for path in os.environ.get("CDC_TUTOR_JARS", "").split(os.pathsep) if path]
"""The engine's Kafka connector jars (flink: pipeline.jars, spark: spark.jars); [] for python."""


def jars_for(engine):
    """The jars of one engine: "flink" (its connector, for pipeline.jars) or "spark" (spark.jars).
    The same as `jars` in a one-engine kernel; the capstone's kernel has both engines' jars."""
    if engine not in ("flink", "spark"):
        raise ValueError(f"jars_for() takes 'flink' or 'spark', not {engine!r}")
    return [path for path in jars if os.path.basename(path).startswith("flink-") == (engine == "flink")]


def _login():
    """(username, password) of this student's Kafka user on the broker the kernel uses, or None:
    only a secure workshop stack asks who connects (the rule is the Kafka helpers', state.py's)."""
    return _state().login_from_environment(bootstrap)


def _jaas(module, login):
    return f'{module} required username="{login[0]}" password="{login[1]}";'


_SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule"


def kafka_auth(client="python"):
    """Your Kafka user's settings on a workshop stack that asks who connects (SASL/SCRAM-SHA-512,
    per-student ACLs); {} on any other lab, so lesson code always adds them.
    "python": confluent-kafka keys, {"bootstrap.servers": tutor.bootstrap, **tutor.kafka_auth(), ...};
    "spark": options of Spark's Kafka source and sink, .options(**tutor.kafka_auth("spark")): the
    Java client's login plus a consumer-group prefix under {user}- (Spark's own group names have no
    ACL). Flink SQL: flink_kafka_auth()."""
    if client not in ("python", "spark"):
        raise ValueError(f"kafka_auth() takes 'python' or 'spark', not {client!r} (Flink SQL: flink_kafka_auth())")
    login = _login()
    if login is None:
        return {}
    if client == "python":
        return _state().sasl(*login)
    return {
        "kafka.security.protocol": "SASL_PLAINTEXT",
        "kafka.sasl.mechanism": "SCRAM-SHA-512",
        "kafka.sasl.jaas.config": _jaas(_SCRAM_MODULE, login),
        "groupIdPrefix": name("{user}-spark"),
    }


def flink_kafka_auth():
    """The same login as WITH options of Flink's SQL Kafka connector, a line ending in a comma, or
    "" on any other lab: put {tutor.flink_kafka_auth()} after 'properties.bootstrap.servers'. The
    connector jar shades the Kafka client, so the login module is its relocated class."""
    login = _login()
    if login is None:
        return ""
    module = "org.apache.flink.kafka.shaded." + _SCRAM_MODULE
    return (
        "'properties.security.protocol' = 'SASL_PLAINTEXT', 'properties.sasl.mechanism' = 'SCRAM-SHA-512', "
        f"'properties.sasl.jaas.config' = '{_jaas(module, login)}',"
    )


redis_url = os.environ.get("CDC_TUTOR_REDIS_URL", "")
"""The lab's Redis (the online store of a lesson with `lab: {redis: true}`); "" when there is none."""

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


def redis(decode_responses=True):
    """A redis-py client of the lab's Redis: the embedded lab's own server (a Unix socket) or the
    stack's. Keys are shared on a stack: put them under name("{user}:...")."""
    if not redis_url:
        raise RuntimeError(
            "this lab has no Redis: the lesson needs `redis: true` under `lab:` (lab mode: set "
            "CDC_TUTOR_REDIS_URL, or use your own native stack)"
        )
    import redis as redis_py

    return redis_py.Redis.from_url(redis_url, decode_responses=decode_responses)


def topic(table):
    """The CDC topic of `table` on the lab this kernel runs on, e.g. topic("orders") ->
    "dbserver1.inventory.orders". The real stack serves Flink-readable string decimals under
    another prefix (lessons/README.md), so lesson code asks here instead of writing the name."""
    table = str(table)
    if "." in table:
        raise ValueError(f"topic() takes a table name such as 'orders', not a topic name: {table!r}")
    return f"{topic_prefix}.inventory.{table}"


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


# --- streaming queries into the windows pane ------------------------------------------------

_streams = []


class Stream:
    """A streaming query shown live in the windows pane (see `stream`); `stop()` cancels it."""

    def __init__(self, name, key, limit, every):
        self.name, self.key, self.limit, self.every = name, list(key or []), int(limit), float(every)
        self.columns = None  # Flink's rows carry no field names: the result's schema gives them
        self.shown = 0  # changes published so far
        self.error = None  # what ended it, when it was not stopped
        self.done = _threading.Event()
        self._stop = _threading.Event()
        self._cancel = None  # cancels the engine's job (Flink: close the iterator; Spark: query.stop)
        self._job = None

    @property
    def running(self):
        return not self.done.is_set()

    def stop(self):
        """Cancel the job (for real: no job is left running) and wait for the stream to end."""
        self._stop.set()
        if self._cancel is not None:
            try:
                self._cancel()
            except Exception:  # noqa: BLE001 - already ended
                pass
        self.done.wait(30)
        deadline = _time.monotonic() + 30
        while _time.monotonic() < deadline:  # back only once the job is over, not CANCELLING
            try:
                if self.job_status() in (None, "CANCELED", "FINISHED", "FAILED", "GONE", "STOPPED"):
                    break
            except Exception:  # noqa: BLE001 - cannot tell: stop waiting
                break
            _time.sleep(0.2)
        return self

    def job_status(self):
        """Flink: the job's status name (RUNNING, CANCELED, FINISHED...; GONE once the cluster has
        forgotten a cancelled job); Spark: ACTIVE or STOPPED."""
        job = self._job
        if job is None:
            return None
        if hasattr(job, "isActive"):
            return "ACTIVE" if job.isActive else "STOPPED"
        try:
            return str(job.get_job_status().result()).rsplit(".", 1)[-1]
        except Exception:  # noqa: BLE001 - the mini-cluster forgets a cancelled job soon
            if self._stop.is_set() and self.done.is_set():
                return "GONE"  # we cancelled it and the cluster no longer knows it: not running
            raise

    def __repr__(self):
        state = "running" if self.running else ("failed: %s" % self.error if self.error else "stopped")
        return "<stream %s: %d changes shown, %s>" % (self.name, self.shown, state)


def _publish(stream, rows, first):
    if rows or first:
        show_changelog(rows, key=stream.key, columns=stream.columns, reset=first, name=stream.name)
        stream.shown += len(rows)


def _run_flink(stream, result):
    stream.columns = list(result.get_table_schema().get_field_names())
    stream._job = result.get_job_client()
    rows_iter = result.collect()
    stream._cancel = rows_iter.close  # closing the iterator cancels the job (FLINK-36298: never interrupt it)
    pending, first, next_at = [], True, _time.monotonic() + stream.every
    try:
        for row in rows_iter:
            pending.append(row)
            if stream.shown + len(pending) >= stream.limit or _time.monotonic() >= next_at:
                _publish(stream, pending, first)
                pending, first, next_at = [], False, _time.monotonic() + stream.every
            if stream.shown >= stream.limit or stream._stop.is_set():
                break
        _publish(stream, pending, first)
    finally:
        try:
            rows_iter.close()
        except Exception:  # noqa: BLE001
            pass


def _start_spark(stream, frame, output_mode):
    state = {"first": True}

    def batch(data, batch_id):
        rows = [dict(row.asDict(), kind="+I") for row in data.collect()]
        complete = output_mode == "complete"
        _publish(stream, rows, state["first"] or complete)
        state["first"] = False
        if stream.shown >= stream.limit:
            _threading.Thread(target=stream.stop, daemon=True).start()

    query = frame.writeStream.outputMode(output_mode).foreachBatch(batch).start()
    stream._job, stream._cancel = query, query.stop
    return query


def stream(source, key=None, *, name="stream", limit=2000, every=0.5, output_mode="append"):
    """Run a streaming query in the background of the kernel and show its changes live in the
    windows pane, beside the table they produce, until `stop()` (or `tutor.stop_streams()`, or
    Ctrl+Z in the tutor), `limit` changes, or the step ends.

    `source`: a PyFlink TableResult or Table (its changelog: +I/-U/+U/-D as Flink emits them), or a
    streaming Spark DataFrame (each micro-batch's rows; `output_mode` "complete" replaces the table
    each batch). Returns the Stream; the cell finishes at once."""
    handle = Stream(name, key, limit, every)
    if hasattr(source, "isStreaming"):
        if not source.isStreaming:
            raise TypeError("tutor.stream needs a streaming DataFrame (spark.readStream...)")
        _start_spark(handle, source, output_mode)
        _streams.append(handle)

        def watch():
            try:
                handle._job.awaitTermination()
            except Exception as error:  # noqa: BLE001 - shown through repr
                handle.error = error
            finally:
                handle.done.set()

        _threading.Thread(target=watch, name="tutor-stream-" + name, daemon=True).start()
        return handle
    result = source.execute() if hasattr(source, "execute") and not hasattr(source, "collect") else source
    if not hasattr(result, "collect"):
        raise TypeError("tutor.stream takes a PyFlink TableResult or Table, or a streaming Spark DataFrame")
    _streams.append(handle)

    def run():
        try:
            _run_flink(handle, result)
        except Exception as error:  # noqa: BLE001 - a cancelled job ends its iterator with an error
            if not handle._stop.is_set():
                handle.error = error
                print("tutor.stream %s ended: %s" % (name, error), flush=True)
        finally:
            handle.done.set()

    _threading.Thread(target=run, name="tutor-stream-" + name, daemon=True).start()
    return handle


def stop_streams():
    """Stop every running stream (their jobs are cancelled); returns how many were running."""
    running = [handle for handle in _streams if handle.running]
    for handle in running:
        handle.stop()
    _streams[:] = [handle for handle in _streams if handle.running]
    return len(running)
