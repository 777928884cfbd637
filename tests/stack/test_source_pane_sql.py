"""Lab mode's source pane: SQL through psql against the stack's PostgreSQL, one transaction,
errors reported, and the password never on psql's command line."""

from __future__ import annotations

from cdc_tutor.lab import ExternalLab


def test_sql_runs_against_the_stack_postgres(native_stack):
    lab = ExternalLab(native_stack.config.bootstrap_servers, native_stack.postgres.dsn)
    try:
        result = lab.database.execute_script("SELECT id, email FROM customers ORDER BY id LIMIT 2")
        assert result.ok, result.error
        assert result.columns == ["id", "email"] and [row[0] for row in result.rows] == ["1001", "1002"]
        failed = lab.database.execute_script("UPDATE customers SET email = NULL WHERE id = 1001")
        assert not failed.ok and "null" in failed.error.lower()
        unchanged = lab.database.execute_script("SELECT email FROM customers WHERE id = 1001")
        assert unchanged.ok and unchanged.rows[0][0] is not None and unchanged.rows[0][0] != ""
    finally:
        lab.close()


def test_own_stack_gives_its_postgres_without_a_dsn(native_stack):
    """`--bootstrap-servers` to this user's own native stack is enough for «База» and `source`
    checks: open_lab finds the stack's PostgreSQL in the data dir; another broker gets none."""
    from types import SimpleNamespace

    from cdc_tutor.lab import open_lab

    data_dir = native_stack.config.state_dir.parent
    own = SimpleNamespace(data_dir=data_dir, bootstrap_servers=native_stack.config.bootstrap_servers, postgres_dsn=None)
    lab = open_lab(own)
    try:
        result = lab.database.execute_script("SELECT count(*) FROM customers WHERE id = 1001")
        assert result.ok and result.rows == [("1",)], result.error
    finally:
        lab.close()
    other = SimpleNamespace(data_dir=data_dir, bootstrap_servers="127.0.0.1:1", postgres_dsn=None)
    assert open_lab(other).database is None
