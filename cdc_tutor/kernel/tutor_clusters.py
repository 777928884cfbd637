"""The `tutor` module's part for a workshop's shared engines: run after tutor_helpers.py in the same
module (see tutor_module.py), so the names here are `tutor.*` too. Like tutor_helpers.py it is never
imported by the tutor itself and uses only the standard library and what the engine brings.

Flink: every TableEnvironment the kernel creates submits its jobs to the room's session cluster
(CDC_TUTOR_FLINK_URL). Spark: every SparkSession the kernel builds is a Spark Connect session on
the room's server (CDC_TUTOR_SPARK_REMOTE); what a local session does that a Connect session cannot
(foreachBatch functions that fill the kernel's variables, relative paths) is bridged here, so the
lessons' code is the same in both modes.
"""

import atexit as _atexit
import hmac as _hmac
import json
import os
import secrets as _secrets
import socket as _socket
import threading as _threading
import traceback as _traceback
import warnings as _warnings

flink_url = os.environ.get("CDC_TUTOR_FLINK_URL", "")
"""A workshop's shared Flink session cluster (REST address); "" when jobs run in this kernel."""
FLINK_JOB_NAME = "%s: %s" % (user, os.environ.get("CDC_TUTOR_LESSON", ""))  # noqa: F821 - tutor_helpers' user
"""The name of this kernel's jobs on a shared cluster (cdc_tutor/engines/flink_rest.py job_name)."""


def flink_cluster_options():
    """The options that send a TableEnvironment's jobs to the shared cluster ({} without one):
    lesson code may pass them to EnvironmentSettings.with_configuration itself."""
    if not flink_url:
        return {}
    from urllib.parse import urlsplit

    where = urlsplit(flink_url)
    return {
        "execution.target": "remote",
        "rest.address": where.hostname or "127.0.0.1",
        "rest.port": str(where.port or 8081),
        "pipeline.name": FLINK_JOB_NAME,
    }


def _flink_room_note():
    """One line when the shared cluster has no free slot: a job would wait, then fail."""
    import urllib.request

    try:
        with urllib.request.urlopen(flink_url.rstrip("/") + "/overview", timeout=3) as response:
            room = json.loads(response.read())
    except (OSError, ValueError) as error:
        print("Кластер Flink мастерской (%s) не отвечает: %s" % (flink_url, error), flush=True)
        return
    if room.get("slots-available", 0) == 0:
        print(
            "Кластер Flink мастерской занят: свободных слотов 0 из %s. Задание ждёт слот до 60 с и "
            "завершается ошибкой NoResourceAvailableException; остановите свои потоки "
            "(tutor.stop_streams()) или скажите ведущему." % room.get("slots-total", "?"),
            flush=True,
        )


def use_flink_cluster():
    """In a workshop every TableEnvironment this kernel creates submits to the shared cluster:
    lesson code stays `TableEnvironment.create(...)`, only where its jobs run changes. Its catalog
    (the tables a lesson creates) stays in this kernel; jobs carry FLINK_JOB_NAME."""
    if not flink_url:
        return False
    try:
        from pyflink.table import TableEnvironment
    except ImportError:  # not a Flink kernel
        return False
    create = TableEnvironment.__dict__["create"].__func__
    if getattr(create, "_cdc_tutor", False):
        return True

    def create_on_cluster(environment_settings):
        t_env = create(environment_settings)
        config = t_env.get_config()
        for key, value in flink_cluster_options().items():
            config.set(key, value)
        _flink_room_note()
        return t_env

    create_on_cluster._cdc_tutor = True
    create_on_cluster.__doc__ = create.__doc__
    TableEnvironment.create = staticmethod(create_on_cluster)
    return True


use_flink_cluster()


spark_remote = os.environ.get("CDC_TUTOR_SPARK_REMOTE", "")
"""A workshop's shared Spark Connect server (sc://host:port); "" when Spark runs in this kernel."""

# The function the server runs for each micro-batch of a foreachBatch query. Spark Connect pickles
# it by value into a Python worker of the server, which runs as the server's OS user and shares no
# memory with this kernel: it only hands the batch's id back here (loopback, with this kernel's
# token) and waits until the student's own function has run in the kernel. Compiled in a namespace
# no worker can import, so cloudpickle ships its code rather than a reference to `tutor`.
_RELAY_SOURCE = """
def relay_for(port, token, key):
    def relay(data, batch_id):
        import json, socket
        request = {"token": token, "key": key, "df_id": data._plan._relation_id, "batch_id": batch_id}
        try:
            with socket.create_connection(("127.0.0.1", port)) as connection:
                stream = connection.makefile("rw", encoding="utf-8")
                stream.write(json.dumps(request) + "\\n")
                stream.flush()
                reply = stream.readline()
        except OSError as error:
            raise RuntimeError("the student's kernel is gone (%s): its foreachBatch cannot run" % error)
        if reply.strip() != "ok":
            raise RuntimeError(json.loads(reply) if reply else "the student's kernel closed the batch")
    return relay
"""


class _BatchBridge:
    """This kernel's end of the foreachBatch relay: a loopback socket whose handler runs the
    student's function on the batch (a DataFrame of the same Connect session, by its cached id)
    and answers "ok" or the error, which then fails the query on the server as it would locally."""

    def __init__(self):
        self.token = _secrets.token_hex(16)
        self.functions = {}  # key -> (function, session)
        self.listener = _socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        namespace = {"__name__": "cdc_tutor_spark_relay"}
        exec(compile(_RELAY_SOURCE, "cdc_tutor_spark_relay", "exec"), namespace)
        self._relay_for = namespace["relay_for"]
        _threading.Thread(target=self._serve, name="tutor-foreach-batch", daemon=True).start()

    def relay(self, function, session):
        key = _secrets.token_hex(8)
        self.functions[key] = (function, session)
        return self._relay_for(self.listener.getsockname()[1], self.token, key)

    def _serve(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # the listener was closed
                return
            _threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection):
        with connection:
            stream = connection.makefile("rw", encoding="utf-8")
            try:
                connection.settimeout(10)  # the relay writes its request at once; anyone else waits no longer
                request = json.loads(stream.readline())
                if not _hmac.compare_digest(str(request.get("token")), self.token):
                    return
                function, session = self.functions[request["key"]]
                df_id, batch_id = str(request["df_id"]), int(request["batch_id"])
                connection.settimeout(None)  # the student's function takes as long as it takes
            except (OSError, ValueError, TypeError, KeyError, AttributeError):  # not our relay: no answer
                return
            try:
                function(session._create_remote_dataframe(df_id), batch_id)
                reply = "ok"
            except Exception:  # noqa: BLE001 - the student's error, sent to fail the query
                reply = json.dumps(_traceback.format_exc())
            try:
                stream.write(reply + "\n")
                stream.flush()
            except OSError:  # the query was stopped meanwhile
                pass


_bridge = None


def _server_path(path):
    """A relative local path means the kernel's folder, as with a local Spark: on the server it
    would be the server's folder, the same for every student."""
    if isinstance(path, (list, tuple)):
        return [_server_path(item) for item in path]
    if isinstance(path, str) and path and ":" not in path and not os.path.isabs(path):
        return os.path.abspath(path)
    return path


_PATH_OPTIONS = ("path", "checkpointlocation")


def _patch(cls, name, make):
    original = getattr(cls, name)
    if not getattr(original, "_cdc_tutor", False):
        patched = make(original)
        function = getattr(patched, "__func__", patched)  # a classmethod's function
        function._cdc_tutor, function.__doc__ = True, original.__doc__
        setattr(cls, name, patched)


def _with_path(original):
    def method(self, path=None, *args, **kwargs):
        return original(self, _server_path(path), *args, **kwargs)

    return method


def _with_path_option(original):
    def method(self, key, value):
        return original(self, key, _server_path(value) if str(key).lower() in _PATH_OPTIONS else value)

    return method


def _with_path_options(original):
    def method(self, **options):
        paths = {key: _server_path(value) for key, value in options.items() if key.lower() in _PATH_OPTIONS}
        return original(self, **{**options, **paths})

    return method


def _with_relay(original):
    def foreach_batch(self, func):
        global _bridge
        if _bridge is None:
            _bridge = _BatchBridge()
        return original(self, _bridge.relay(func, self._session))

    return foreach_batch


_connect_sessions = []


def _server_is_master(original):
    # The server is the room's master: `.master("local[1]")` in lesson code would make pyspark
    # refuse to connect (CANNOT_CONFIGURE_SPARK_CONNECT_MASTER).
    def master(self, master):
        return self

    return master


def _on_server(original):
    def get_or_create(self):
        with _warnings.catch_warnings():  # one line below instead of a warning per static option
            _warnings.filterwarnings("ignore", message="Failed to set spark", category=UserWarning)
            session = original(self)
        if type(session).__module__.startswith("pyspark.sql.connect") and session not in _connect_sessions:
            _connect_sessions.append(session)
            print(
                "Spark: сессия на общем сервере Spark Connect мастерской (%s). Настройки запуска "
                "(spark.jars, spark.driver.memory, spark.master...) задаёт сервер, остальные "
                "действуют только в вашей сессии." % spark_remote,
                flush=True,
            )
        return session

    return get_or_create


def _leave_spark_server():
    """On the kernel's way out: stop this student's queries on the shared server and end the
    session (a query whose foreachBatch relays here would fail at its next batch anyway)."""
    for session in _connect_sessions:
        try:
            for query in session.streams.active:
                query.stop()
            session.stop()
        except Exception:  # noqa: BLE001 - the server may be gone already
            pass


def _with_progress_totals(original):
    # pyspark 4.2's Connect client builds StreamingQueryProgress from the server's JSON, which has
    # no numInputRows, inputRowsPerSecond or processedRowsPerSecond (a local session reads them
    # from the JVM object): each is the sum over the sources, as Spark's Scala class defines it.
    def from_json(cls, data):
        sources = data.get("sources") or []
        totals = {}
        for key in ("numInputRows", "inputRowsPerSecond", "processedRowsPerSecond"):
            if key not in data:
                values = [source.get(key) for source in sources]
                totals[key] = float("nan") if None in values else sum(values)
        return original(dict(data, **totals))

    return classmethod(from_json)


def use_spark_connect():
    """In a workshop every SparkSession this kernel builds is a Spark Connect session on the shared
    server: lesson code stays `SparkSession.builder...getOrCreate()`, only where it runs changes."""
    if not spark_remote:
        return False
    try:
        from pyspark.sql import SparkSession
        from pyspark.sql.connect import readwriter
        from pyspark.sql.connect.streaming import readwriter as streaming
        from pyspark.sql.streaming.listener import StreamingQueryProgress
    except ImportError:  # not a Spark kernel, or no Spark Connect client in it
        return False
    os.environ["SPARK_REMOTE"] = "%s/;user_id=%s" % (spark_remote.rstrip("/"), user or "student")  # noqa: F821 - tutor_helpers' user
    for cls in (readwriter.DataFrameReader, readwriter.DataFrameWriter, streaming.DataStreamReader):
        _patch(cls, "load" if cls is not readwriter.DataFrameWriter else "save", _with_path)
    _patch(streaming.DataStreamWriter, "start", _with_path)
    for cls in (readwriter.DataFrameReader, readwriter.DataFrameWriter, streaming.DataStreamReader,
                streaming.DataStreamWriter):  # fmt: skip
        _patch(cls, "option", _with_path_option)
        _patch(cls, "options", _with_path_options)
    _patch(streaming.DataStreamWriter, "foreachBatch", _with_relay)
    _patch(SparkSession.Builder, "master", _server_is_master)
    _patch(StreamingQueryProgress, "fromJson", _with_progress_totals)
    _patch(SparkSession.Builder, "getOrCreate", _on_server)
    _atexit.register(_leave_spark_server)
    return True


use_spark_connect()
