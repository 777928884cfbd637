"""Workload: deterministic per seed, realistic changes, pause/resume, rate, prompt stop."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

from cdc_tutor.source.database import InventoryDatabase
from cdc_tutor.source.workload import NEXT_STATUS, Workload

_TIMES = ("updated_at", "order_date")


def _run(seed: int, steps: int):
    db = InventoryDatabase()
    workload = Workload(db, seed=seed)
    kinds = [workload.step() for _ in range(steps)]
    changes = db.changes_since(0, 100_000)
    db.close()
    return kinds, changes


def _comparable(change):
    rows = [
        None if row is None else {k: v for k, v in row.items() if k not in _TIMES}
        for row in (change.before, change.after)
    ]
    return change.seq, change.txid, change.table, change.op, rows[0], rows[1]


def test_same_seed_gives_the_same_changes_and_another_seed_does_not():
    kinds, changes = _run(5, 400)
    again_kinds, again = _run(5, 400)
    assert kinds == again_kinds
    assert [_comparable(c) for c in changes] == [_comparable(c) for c in again]
    other_kinds, other = _run(6, 400)
    assert other_kinds != kinds


def test_changes_are_realistic():
    kinds, changes = _run(11, 1500)
    assert {"order", "advance", "price", "cancel", "customer", "restock"} <= set(kinds)
    assert {(c.table, c.op) for c in changes} >= {
        ("orders", "c"),
        ("orders", "u"),
        ("orders", "d"),
        ("products", "u"),
        ("customers", "c"),
        ("products_on_hand", "u"),
    }
    prices = {}
    for change in changes:
        if change.table == "products":
            prices[change.after["id"]] = change.after["price"]
        if change.table == "orders" and change.op == "c":
            after = change.after
            assert after["status"] == "NEW" and after["updated_at"] is None
            # price changes are seen in order: the total is the price at that moment times quantity
            price = prices.get(after["product_id"])
            if price is not None:
                assert Decimal(after["total"]) == Decimal(price) * after["quantity"]
            assert after["total"].count(".") == 1 and len(after["total"].split(".")[1]) == 2
        if change.table == "orders" and change.op == "u":
            assert NEXT_STATUS[change.before["status"]] == change.after["status"]
            assert change.after["updated_at"] is not None
        if change.table == "orders" and change.op == "d":
            assert change.before["status"] == "NEW"
    new_orders = [c for c in changes if c.table == "orders" and c.op == "c"]
    stock = [c for c in changes if c.table == "products_on_hand" and c.txid in {o.txid for o in new_orders}]
    assert stock  # an order also takes its goods off the shelf, in the same transaction
    # Every update changes something: an empty shelf is not "updated" from 0 to 0.
    assert all(c.before != c.after for c in changes if c.op == "u")


def test_a_step_the_student_broke_is_counted_not_raised():
    db = InventoryDatabase()
    workload = Workload(db, seed=3)
    db.query("PRAGMA foreign_keys = OFF")
    db.query("DELETE FROM customers")
    db.query("PRAGMA foreign_keys = ON")
    for _ in range(50):
        workload.step()
    assert workload.failed > 0 and workload.steps == 50


def test_run_honours_rate_pause_resume_and_stop():
    db = InventoryDatabase()
    workload = Workload(db, seed=5, rate=200)
    stop = threading.Event()
    thread = threading.Thread(target=workload.run, args=(stop,))
    thread.start()
    time.sleep(0.5)
    ran = workload.steps
    assert 20 <= ran <= 200  # about 100 expected; generous for slow machines
    workload.pause()
    assert workload.paused
    time.sleep(0.15)
    held = workload.steps
    time.sleep(0.3)
    assert workload.steps == held
    workload.resume()
    workload.rate = 0  # rate 0 pauses too
    assert workload.paused
    time.sleep(0.15)
    held = workload.steps
    time.sleep(0.3)
    assert workload.steps == held
    workload.rate = 5000
    time.sleep(0.3)
    assert workload.steps > held + 100
    started = time.monotonic()
    stop.set()
    thread.join(2)
    assert not thread.is_alive() and time.monotonic() - started < 0.2 + 0.1
    db.close()


def test_paused_run_does_not_spin():
    db = InventoryDatabase()
    workload = Workload(db, seed=5, rate=10)
    workload.pause()
    stop = threading.Event()
    thread = threading.Thread(target=workload.run, args=(stop,))
    started = time.process_time()
    thread.start()
    time.sleep(0.5)
    stop.set()
    thread.join(1)
    assert time.process_time() - started < 0.2  # CPU seconds in half a second of waiting
    assert workload.steps == 0
    db.close()
