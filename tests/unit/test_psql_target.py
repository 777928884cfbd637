"""psql gets a DSN's password through PGPASSWORD, never in argv, where every user's ps sees it."""

from __future__ import annotations

import os

from cdc_tutor.stack.config import psql_target


def test_the_password_moves_from_the_dsn_to_the_environment():
    dsn, env = psql_target("postgresql://postgres:s%40cret@127.0.0.1:5432/postgres", PGCONNECT_TIMEOUT="5")
    assert dsn == "postgresql://postgres@127.0.0.1:5432/postgres"
    assert env["PGPASSWORD"] == "s@cret" and env["PGCONNECT_TIMEOUT"] == "5"


def test_a_dsn_without_a_password_is_left_as_it_is():
    dsn, env = psql_target("postgresql://postgres@127.0.0.1/postgres")
    assert dsn == "postgresql://postgres@127.0.0.1/postgres"
    assert env.get("PGPASSWORD") == os.environ.get("PGPASSWORD")  # nothing added
