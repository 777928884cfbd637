"""The logic around a workshop's shared Flink cluster that needs no cluster: job names and their
owners, the cluster's configuration file, the kernel's options. The cluster itself is proven in
tests/stack/test_shared_engines.py and tests/ui/test_shared_flink.py."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from cdc_tutor.engines.flink_rest import FlinkUnreachable, job_name, overview, owner_of
from cdc_tutor.stack.config import StackConfig, free_ports, saved_config
from cdc_tutor.stack.flink_cluster import JOBMANAGER, TASKMANAGER, cluster_options, write_conf_dir
from tests.unit.test_kafka_auth import tutor_module


def test_a_job_name_says_whose_it_is():
    assert job_name("ann", "module-5/03-pyflink-cdc-connector") == "ann: module-5/03-pyflink-cdc-connector"
    assert owner_of(job_name("ann-verify-1a2b3c", "x/y")) == "ann-verify-1a2b3c"
    assert owner_of("insert-into_default_catalog.default_database.sink") == ""  # not one of the tutor's


def test_the_cluster_binds_loopback_and_keeps_its_files_in_the_stack(tmp_path):
    config = StackConfig(tmp_path / "stack", engines=True, flink_slots=6, flink_port=18081, flink_rpc_port=16123)
    options = cluster_options(config, "/marker", tmp_path / "stack" / "flink", tmp_path / "logs")
    for key in ("jobmanager.rpc.address", "jobmanager.bind-host", "taskmanager.bind-host", "taskmanager.host",
                "rest.address", "rest.bind-address"):  # fmt: skip
        assert options[key] == "127.0.0.1", key
    assert (options["rest.port"], options["taskmanager.numberOfTaskSlots"]) == ("18081", "6")
    for key in ("web.tmpdir", "io.tmp.dirs", "blob.storage.directory"):  # not /tmp, shared with every user
        assert Path(options[key]).is_relative_to(tmp_path / "stack"), key
    assert "-Dcdc.tutor.process=" + JOBMANAGER in options["env.java.opts.jobmanager"].split()
    assert "-Dcdc.tutor.process=" + TASKMANAGER in options["env.java.opts.taskmanager"].split()


def test_the_config_file_reads_back_as_written(tmp_path):
    """config.yaml as Flink's YAML parser sees it: JVM options with spaces and paths stay whole."""
    flink = tmp_path / "pyflink"
    (flink / "conf").mkdir(parents=True)
    for name in ("log4j-console.properties", "log4j-cli.properties", "log4j.properties"):
        (flink / "conf" / name).write_text("rootLogger.level = INFO\n")
    options = cluster_options(StackConfig(tmp_path / "s", engines=True), "/a b/marker", tmp_path / "s" / "f", tmp_path)
    write_conf_dir(options, tmp_path / "conf", flink)
    written = tmp_path / "conf" / "config.yaml"
    assert {key: _text(value) for key, value in yaml.safe_load(written.read_text()).items()} == options
    assert written.stat().st_mode & 0o777 == 0o600


def _text(value) -> str:
    """A YAML scalar as Flink reads it: a string (true -> "true", 0.05 -> "0.05")."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def test_a_stack_started_with_engines_is_one_again_after_a_restart(tmp_path):
    import json

    config = StackConfig(tmp_path, engines=True, flink_slots=24, flink_port=18081)
    (tmp_path / "state.json").write_text(json.dumps({"config": config.as_dict()}))
    again = saved_config(tmp_path)
    assert again is not None and (again.engines, again.flink_slots, again.flink_port) == (True, 24, 18081)
    assert dataclasses.replace(again, engines=False).flink_url == "http://127.0.0.1:18081"


def test_the_kernel_sends_jobs_to_the_cluster_only_when_given_one(monkeypatch):
    tutor = tutor_module(monkeypatch, CDC_TUTOR_USER="ann", CDC_TUTOR_LESSON="module-5/03-x")
    assert tutor.flink_cluster_options() == {} and tutor.use_flink_cluster() is False
    tutor = tutor_module(
        monkeypatch,
        CDC_TUTOR_USER="ann",
        CDC_TUTOR_LESSON="module-5/03-x",
        CDC_TUTOR_FLINK_URL="http://127.0.0.1:18081",
    )
    assert tutor.flink_cluster_options() == {
        "execution.target": "remote",
        "rest.address": "127.0.0.1",
        "rest.port": "18081",
        "pipeline.name": job_name("ann", "module-5/03-x"),  # the name the tutor cancels by
    }
    assert tutor.use_flink_cluster() is False  # no pyflink in the tutor's own Python: nothing to point


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}", "not a url"])
def test_a_cluster_that_is_not_there_is_one_error(url):
    with pytest.raises(FlinkUnreachable):
        overview(url.format(port=free_ports(1)[0]), timeout=1)


def test_lab_up_with_engines_but_no_flink_environment_starts_nothing(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "cdc_tutor", "--data-dir", str(tmp_path), "lab", "up", "--native", "--engines"],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert done.returncode == 1 and "cdc-tutor setup flink" in done.stderr, done.stderr
    assert not (tmp_path / "stack" / "postgres").exists()  # nothing was started or created
    assert not (tmp_path / "stack" / "state.json").exists()
