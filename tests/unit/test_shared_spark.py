"""The logic around a workshop's shared Spark Connect server that needs no server: its command line,
its address, which kernels become its clients, and the kernel's path rule. The server itself, the
foreachBatch relay and the progress totals are proven with real lessons in
tests/stack/test_shared_engines.py and tests/ui/test_shared_spark.py."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import sys
import types
from pathlib import Path

import pytest

from cdc_tutor.course.loader import load_course
from cdc_tutor.course.model import Lesson, Snippet, Step
from cdc_tutor.kernel.launch import kernel_environment
from cdc_tutor.kernel.specs import KernelCommand
from cdc_tutor.practice.runner import LessonRunner
from cdc_tutor.stack.config import StackConfig, free_ports, saved_config
from cdc_tutor.stack.spark_connect import SPARK_CONNECT, listener_uid, parse_remote, server_command
from tests.unit.test_kafka_auth import tutor_module


def test_the_server_binds_loopback_and_keeps_its_files_in_the_stack(tmp_path):
    config = StackConfig(tmp_path / "stack", engines=True, spark_port=25002, flink_slots=8)
    home, jars = tmp_path / "pyspark", [tmp_path / "jars" / "spark-sql-kafka.jar", tmp_path / "jars" / "delta.jar"]
    (home / "jars").mkdir(parents=True)
    (home / "jars" / "spark-connect_2.13-4.2.0.jar").touch()
    command = server_command(config, "/marker", tmp_path / "stack" / "spark", home, jars)
    options = dict(command[i + 1].split("=", 1) for i, arg in enumerate(command) if arg == "--conf")
    for key in ("spark.connect.grpc.binding.address", "spark.driver.host", "spark.driver.bindAddress"):
        assert options[key] == "127.0.0.1", key
    assert options["spark.connect.grpc.binding.port"] == "25002" and options["spark.ui.enabled"] == "false"
    assert options["spark.connect.session.manager.defaultSessionTimeout"] == "12h"  # a workshop day
    for key in ("spark.local.dir", "spark.sql.warehouse.dir"):  # not /tmp or the cwd, shared with every user
        assert Path(options[key]).is_relative_to(tmp_path / "stack"), key
    assert "-Dcdc.tutor.process=" + SPARK_CONNECT in options["spark.driver.extraJavaOptions"].split()
    assert "-Dcdc.tutor.stack=/marker" in options["spark.driver.extraJavaOptions"].split()
    assert options["spark.sql.extensions"] == "io.delta.sql.DeltaSparkSessionExtension"
    assert command[command.index("--jars") + 1] == ",".join(str(jar) for jar in jars)
    assert command[-1].endswith("spark-connect_2.13-4.2.0.jar")  # the server's own jar is the application


def test_a_stack_started_with_engines_keeps_its_spark_port(tmp_path):
    config = StackConfig(tmp_path, engines=True, spark_port=25002)
    (tmp_path / "state.json").write_text(json.dumps({"config": config.as_dict()}))
    again = saved_config(tmp_path)
    assert again is not None and again.spark_remote == "sc://127.0.0.1:25002"
    ports = dataclasses.asdict(StackConfig.with_free_ports(tmp_path))
    assert len({value for key, value in ports.items() if key.endswith("_port")}) == 8  # none shared


@pytest.mark.parametrize(
    ("url", "where"),
    [("sc://127.0.0.1:25002", ("127.0.0.1", 25002)), ("sc://lab.example", ("lab.example", 15002))],
)
def test_an_sc_address_names_host_and_port(url, where):
    assert parse_remote(url) == where


@pytest.mark.parametrize("url", ["http://127.0.0.1:15002", "127.0.0.1:15002", "", "sc://"])
def test_anything_else_is_no_spark_connect_address(url):
    with pytest.raises(ValueError):
        parse_remote(url)


def test_relative_paths_mean_the_kernels_folder_on_the_server(monkeypatch, tmp_path):
    """What the kernel's Connect client sends for lesson paths: the server resolves a relative
    path against its own folder, the same for every student; the kernel's is what the lesson means."""
    monkeypatch.chdir(tmp_path)
    tutor = tutor_module(monkeypatch)
    assert tutor._server_path("checkpoints/orders-archive") == str(tmp_path / "checkpoints" / "orders-archive")
    assert tutor._server_path(["lake/a", "/abs/b"]) == [str(tmp_path / "lake" / "a"), "/abs/b"]
    for untouched in ("/srv/lake", "s3a://bucket/lake", "file:/srv/lake", None, 5):
        assert tutor._server_path(untouched) == untouched


def test_the_kernel_is_a_connect_client_only_when_given_a_server(monkeypatch):
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    assert tutor_module(monkeypatch).use_spark_connect() is False
    tutor = tutor_module(monkeypatch, CDC_TUTOR_SPARK_REMOTE="sc://127.0.0.1:25002")
    assert tutor.spark_remote == "sc://127.0.0.1:25002"
    assert tutor.use_spark_connect() is False  # no pyspark in the tutor's own Python: nothing to point
    assert "SPARK_REMOTE" not in os.environ


@dataclasses.dataclass
class Settings:
    data_dir: Path
    spark_remote: str | None = "sc://127.0.0.1:25002"
    flink_url: str | None = "http://127.0.0.1:18081"


def _lesson(engine: str, lab: dict) -> Lesson:
    step = Step("s", "s", "text", (), "", snippets=(Snippet(1, "pass", 1),))
    return Lesson("engines/01-x", Path("lesson.md"), "t", "d", 1, "beginner", 1, (), (), engine, (), "", (step,), lab)


@pytest.mark.parametrize(
    ("engine", "lab", "spark", "flink"),
    [
        ("spark", {}, True, False),
        ("flink", {}, False, True),
        ("spark", {"sharedEngine": False}, False, False),  # lessons 06/07: DeltaTable needs a local driver
        ("flink-spark", {}, False, True),  # the capstone's environment has no Spark Connect client
        ("python", {}, False, False),
    ],
)
def test_which_kernels_use_the_workshops_engines(tmp_path, monkeypatch, engine, lab, spark, flink):
    # The tutor itself may run with the lab's settings in its environment (`source lab.env`): a
    # kernel inherits it, so the runner must blank what this kernel is not to use.
    monkeypatch.setenv("CDC_TUTOR_SPARK_REMOTE", "sc://127.0.0.1:25002")
    monkeypatch.setenv("CDC_TUTOR_FLINK_URL", "http://127.0.0.1:18081")
    runner = LessonRunner(_lesson(engine, lab), Settings(tmp_path), user="ann")
    assert (runner.spark_remote is not None, runner.flink_url is not None) == (spark, flink)
    environment = kernel_environment(KernelCommand(engine, [sys.executable], True), runner.kernel.env)
    given = (bool(environment["CDC_TUTOR_SPARK_REMOTE"]), bool(environment["CDC_TUTOR_FLINK_URL"]))
    assert given == (spark, flink)


def test_the_delta_lessons_keep_spark_in_the_kernel_and_05_does_not():
    course = load_course(Path(__file__).resolve().parents[2] / "lessons")
    assert course.find("module-5/05-pyspark-structured-streaming").lab.get("sharedEngine", True) is True
    for lesson in ("module-5/06-etl-elt-patterns", "module-5/07-feature-engineering"):
        assert course.find(lesson).lab["sharedEngine"] is False, lesson


class _Session:
    """Stands in for a Spark Connect session: only the lookup of a batch's DataFrame by its id."""

    def _create_remote_dataframe(self, df_id):
        return f"dataframe {df_id}"


class _Batch:
    """Stands in for the DataFrame the server's worker hands the relay (its cached relation's id)."""

    def __init__(self, df_id):
        self._plan = types.SimpleNamespace(_relation_id=df_id)


def test_the_relay_runs_the_students_function_in_the_kernel_and_returns_its_error(monkeypatch):
    """The foreachBatch bridge over real loopback sockets: the relay (what the server's worker runs)
    reaches the kernel's function with the batch's DataFrame and id; the function's error comes back
    as the relay's, so the query fails as locally; strangers and garbage get nothing and break nothing."""
    tutor = tutor_module(monkeypatch)
    bridge = tutor._BatchBridge()
    seen = []
    relay = bridge.relay(lambda data, batch_id: seen.append((data, batch_id)), _Session())
    relay(_Batch("df-1"), 7)
    assert seen == [("dataframe df-1", 7)]

    def failing(data, batch_id):
        raise ZeroDivisionError("the student's bug")

    with pytest.raises(RuntimeError, match="ZeroDivisionError: the student's bug"):
        bridge.relay(failing, _Session())(_Batch("df-2"), 8)

    port = bridge.listener.getsockname()[1]
    for garbage in (b"not json\n", json.dumps({"token": "guess", "key": "x"}).encode() + b"\n", b""):
        with socket.create_connection(("127.0.0.1", port)) as stranger:
            stranger.sendall(garbage)
            stranger.shutdown(socket.SHUT_WR)
            assert stranger.recv(100) == b""  # no answer, not even a traceback
    relay(_Batch("df-3"), 9)  # the bridge still serves its own relays
    assert seen[-1] == ("dataframe df-3", 9)

    gone = bridge._relay_for(free_ports(1)[0], bridge.token, "x")  # a kernel that no longer listens
    with pytest.raises(RuntimeError, match="kernel is gone"):
        gone(_Batch("df-4"), 10)


def test_the_servers_os_user_is_read_from_its_listening_socket():
    """doctor warns a student when the server runs as another OS user (it then cannot write the
    student's lesson folder); the owner comes from the kernel's socket table, no tool needed."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        assert listener_uid(listener.getsockname()[1]) == os.getuid()
    assert listener_uid(free_ports(1)[0]) is None
