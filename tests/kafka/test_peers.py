"""peer_uid finds the owner of a loopback client socket, IPv4 or IPv6 (IPv4-mapped, as Java connects)."""

import os
import socket

import pytest

from cdc_tutor.kafka.peers import _entry_address6, peer_uid

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="needs Linux /proc/net/tcp")


def _pair(family: int) -> tuple[socket.socket, socket.socket, socket.socket]:
    server = socket.socket(socket.AF_INET)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.socket(family)
    client.connect(("127.0.0.1" if family == socket.AF_INET else "::ffff:127.0.0.1", server.getsockname()[1]))
    accepted, _ = server.accept()
    return server, client, accepted


@pytest.mark.parametrize("family", [socket.AF_INET, socket.AF_INET6])
def test_the_owner_of_an_ipv4_or_ipv4_mapped_ipv6_client_is_found(family: int) -> None:
    if family == socket.AF_INET6 and not os.path.exists("/proc/net/tcp6"):
        pytest.skip("no IPv6 in this kernel")
    server, client, accepted = _pair(family)
    try:
        assert accepted.getpeername()[0] == "127.0.0.1"  # the IPv4 server sees an IPv4 peer either way
        assert peer_uid(accepted.getpeername()[:2], server.getsockname()[:2]) == os.getuid()
    finally:
        for sock in (accepted, client, server):
            sock.close()


def test_ipv4_mapped_addresses_are_written_as_proc_net_tcp6_does(tmp_path) -> None:
    local = _entry_address6("127.0.0.1", 9092)
    assert local in ("0000000000000000FFFF00000100007F:2384", "00000000000000000000FFFF7F000001:2384")
    table = tmp_path / "tcp"
    table.write_text("  sl  local_address rem_address   st\n", encoding="ascii")
    table6 = tmp_path / "tcp6"
    remote = _entry_address6("127.0.0.1", 40000)
    row = f"   0: {local} {remote} 01 00000000:00000000 00:00000000 00000000  1234        0 1\n"
    table6.write_text("  sl  local_address remote_address st\n" + row, encoding="ascii")
    assert peer_uid(("127.0.0.1", 9092), ("127.0.0.1", 40000), str(table), str(table6)) == 1234
    assert peer_uid(("127.0.0.1", 9093), ("127.0.0.1", 40000), str(table), str(table6)) is None
