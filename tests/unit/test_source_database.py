"""InventoryDatabase: student SQL, change capture, refusals, exact types, concurrency."""

from __future__ import annotations

import json
import threading
import time

import pytest

from cdc_tutor.source.database import MAX_ROWS, InventoryDatabase


@pytest.fixture
def db():
    database = InventoryDatabase()
    yield database
    database.close()


def test_student_insert_update_delete_produce_one_transaction_of_changes(db):
    result = db.execute_script("""
        INSERT INTO inventory.customers (first_name, last_name, email) VALUES ('Liam', 'Han', 'l@h.io');
        UPDATE inventory.products SET price = price * 2 WHERE id = 103;
        DELETE FROM inventory.orders WHERE id = 10003;
    """)
    assert result.ok and result.error is None
    assert (result.statements, result.rowcount, result.changes) == (3, 3, 3)
    changes = db.changes_since(0)
    assert [(c.table, c.op) for c in changes] == [("customers", "c"), ("products", "u"), ("orders", "d")]
    assert len({c.txid for c in changes}) == 1 and len({c.ts_us for c in changes}) == 1
    assert [c.seq for c in changes] == [1, 2, 3] and db.last_seq == 3
    lsns = [c.lsn for c in changes]
    assert lsns == sorted(lsns) and len(set(lsns)) == 3
    assert changes[0].after == {"id": 1005, "first_name": "Liam", "last_name": "Han", "email": "l@h.io"}
    assert changes[1].before["price"] == "12.50" and changes[1].after["price"] == "25.00"
    assert changes[2].before["id"] == 10003 and changes[2].after is None


def test_transactions_get_increasing_txids_and_sequences(db):
    for n in range(3):
        assert db.execute_script(f"UPDATE products_on_hand SET quantity = {n} WHERE product_id = 101").ok
    changes = db.changes_since(0)
    assert [c.txid for c in changes] == [changes[0].txid + n for n in range(3)]
    for previous, change in zip(changes, changes[1:]):
        assert change.last_commit_lsn > previous.lsn  # the previous commit lies after its change
        assert change.lsn > change.last_commit_lsn


def test_a_failing_script_rolls_back_and_logs_nothing(db):
    result = db.execute_script("UPDATE customers SET last_name = 'X' WHERE id = 1001; SELEC 1")
    assert not result.ok and "statement 2" in result.error and "SQLite's dialect" in result.error
    assert db.changes_since(0) == [] and db.last_seq == 0
    assert db.query("SELECT last_name FROM customers WHERE id = 1001") == [("Thomas",)]


@pytest.mark.parametrize(
    "script",
    [
        "DROP TABLE orders",
        "ALTER TABLE customers ADD COLUMN age INTEGER",
        "CREATE TABLE t (x)",
        "CREATE INDEX i ON orders (status)",
    ],
)
def test_ddl_is_refused(db, script):
    result = db.execute_script(script)
    assert not result.ok and "schema is fixed" in result.error
    assert db.query("SELECT count(*) FROM orders") == [(4,)]


@pytest.mark.parametrize("script", ["SELECT * FROM _cdc_changes", "DELETE FROM _cdc_tx", "DELETE FROM sqlite_sequence"])
def test_internal_tables_are_refused(db, script):
    result = db.execute_script(script)
    assert not result.ok and "internal" in result.error or "fixed" in (result.error or "")


def test_truncate_is_refused_with_a_pointer_to_delete(db):
    result = db.execute_script("TRUNCATE inventory.orders")
    assert not result.ok and "DELETE FROM" in result.error
    assert db.execute_script("DELETE FROM orders").changes == 4


def test_begin_commit_are_accepted_and_rollback_discards(db):
    assert db.execute_script("BEGIN; UPDATE orders SET status = 'PAID' WHERE id = 10001; COMMIT;").changes == 1
    result = db.execute_script("BEGIN; UPDATE orders SET status = 'NEW' WHERE id = 10001; ROLLBACK;")
    assert result.ok and result.changes == 0 and "ROLLBACK" in result.notice
    assert db.query("SELECT status FROM orders WHERE id = 10001") == [("PAID",)]


def test_postgres_spellings(db):
    result = db.execute_script(
        'UPDATE "inventory"."orders" SET updated_at = NOW(), total = \'9.99\'::numeric WHERE id = 10001 '
        "RETURNING updated_at, total"
    )
    assert result.ok, result.error
    assert result.columns == ["updated_at", "total"] and result.rows[0][1] == "9.99"
    literal = db.execute_script("SELECT 'inventory.orders::text'")
    assert literal.rows == [("inventory.orders::text",)]  # literals are never rewritten


def test_types_are_exact_and_checked(db):
    assert db.execute_script("UPDATE products SET price = 19.999 WHERE id = 101").ok
    [change] = db.changes_since(0)
    assert change.after["price"] == "20.00" and isinstance(change.after["weight"], float)
    assert change.before["price"] == "129.99"
    for bad in (
        "UPDATE products SET price = 'cheap' WHERE id = 101",
        "UPDATE products SET price = 123456789.00 WHERE id = 101",  # NUMERIC(10,2) overflow
        "UPDATE orders SET order_date = '2020-02-30' WHERE id = 10001",
        "UPDATE orders SET quantity = 'two' WHERE id = 10001",
        "UPDATE orders SET status = NULL WHERE id = 10001",
        "INSERT INTO orders (order_date, purchaser, quantity, product_id, total) "
        "VALUES ('2020-01-01', 424242, 1, 101, 1)",
    ):  # foreign key
        result = db.execute_script(bad)
        assert not result.ok, bad
    assert db.last_seq == 1
    stored = db.query("SELECT typeof(total), total, order_date, updated_at FROM orders WHERE id = 10002")
    assert stored == [("text", "32.98", "2016-01-17", "2016-01-20 16:42:10")]


def test_rows_are_capped_with_the_total_counted(db):
    values = ", ".join(f"('n{i}', 'l', 'e{i}@x')" for i in range(MAX_ROWS + 50))
    assert db.execute_script(f"INSERT INTO customers (first_name, last_name, email) VALUES {values}").ok
    result = db.execute_script("SELECT * FROM customers")
    assert len(result.rows) == MAX_ROWS and result.total_rows == MAX_ROWS + 54 and result.truncated


def test_concurrent_writers_lose_nothing(db):
    def write(prefix):
        for i in range(300):
            assert db.execute_script(
                f"INSERT INTO customers (first_name, last_name, email) VALUES ('{prefix}', 'x', '{prefix}{i}@x')"
            ).ok

    threads = [threading.Thread(target=write, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    changes = []
    while any(t.is_alive() for t in threads):  # a reader pumping while they write, as the relay does
        changes += db.changes_since(changes[-1].seq if changes else 0)
        time.sleep(0.002)  # a tight loop would starve the writers of the (unfair) lock
    for thread in threads:
        thread.join()
    changes += db.changes_since(changes[-1].seq if changes else 0)
    assert [c.seq for c in changes] == list(range(1, 601))
    assert len({c.txid for c in changes}) == 600
    assert sorted(c.after["email"] for c in changes) == sorted(f"{p}{i}@x" for p in "ab" for i in range(300))


def test_snapshot_has_the_tutorial_rows_and_a_resume_point(db):
    db.execute_script("UPDATE customers SET first_name = 'Sal' WHERE id = 1001")
    snapshot = db.snapshot()
    counts = {}
    for table, _ in snapshot:
        counts[table] = counts.get(table, 0) + 1
    assert counts == {"customers": 4, "orders": 4, "products": 9, "products_on_hand": 9}
    assert snapshot.rows[0] == (
        "customers",
        {"id": 1001, "first_name": "Sal", "last_name": "Thomas", "email": "sally.thomas@acme.com"},
    )
    assert snapshot.last_seq == 1 and snapshot.lsn == db.changes_since(0)[0].lsn + 48
    assert db.snapshot().txid == snapshot.txid + 1
    assert [table for table, _ in db.snapshot_rows()] == [table for table, _ in snapshot]


def test_log_survives_reopening_a_file_database(tmp_path):
    path = str(tmp_path / "inventory.db")
    first = InventoryDatabase(path)
    first.execute_script("UPDATE customers SET first_name = 'A' WHERE id = 1001")
    [change] = first.changes_since(0)
    first.close()
    again = InventoryDatabase(path)
    assert again.changes_since(0) == [change]
    again.execute_script("UPDATE customers SET first_name = 'B' WHERE id = 1001")
    later = again.changes_since(1)[0]
    assert later.seq == 2 and later.txid == change.txid + 1 and later.lsn > change.lsn
    again.close()


def test_discard_keeps_what_is_not_relayed(db):
    for n in range(5):
        db.execute_script(f"UPDATE products_on_hand SET quantity = {n} WHERE product_id = 102")
    db.discard_through(3)
    assert [c.seq for c in db.changes_since(0)] == [4, 5]
    db.discard_through(5)  # the newest entry stays, so seq numbers never restart
    assert db.last_seq == 5 and json.dumps(db.changes_since(5)) == "[]"
