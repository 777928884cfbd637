"""Workload: a deterministic stream of shop activity (orders, payments, prices, customers) at a set rate."""

from __future__ import annotations

import random
import sqlite3
import threading
import time

from cdc_tutor.source.database import InventoryDatabase
from cdc_tutor.source.schema import TABLE_BY_NAME

NEXT_STATUS = {"NEW": "PAID", "PAID": "SHIPPED", "SHIPPED": "DELIVERED"}
_FIRST_NAMES = ("Liam", "Olivia", "Noah", "Emma", "Mia", "Lucas", "Ava", "Ethan", "Zoe", "Ivan", "Mei", "Omar")
_LAST_NAMES = ("Han", "Garcia", "Smith", "Novak", "Okafor", "Rossi", "Kim", "Petrov", "Silva", "Weber")
_PRICE_FACTORS = ("0.90", "0.95", "0.97", "1.03", "1.05", "1.10")
_MAX_BURST = 500  # steps per wake-up at high rates, so stop/pause stay responsive
_TICK = 0.1
_OLDEST = 30  # longest sleep: stop_event and rate changes are noticed within this


class Workload:
    """`step()` runs one transaction of realistic changes; `run(stop_event)` repeats it at `rate`/s.

    The operations (kind, row chosen, values) come from random.Random(seed) and the workload's
    own memory of what it created, so the same seed on a fresh database gives the same changes.
    """

    def __init__(self, db: InventoryDatabase, seed: int = 5, rate: float = 2.0) -> None:
        self.db = db
        self._random = random.Random(seed)
        self._rate = float(rate)
        self._paused = False
        self._changed = threading.Event()  # wakes run() when rate or pause changes
        self.steps = 0
        self.failed = 0
        self._customers = [row[0] for row in TABLE_BY_NAME["customers"].seed]
        self._products = [row[0] for row in TABLE_BY_NAME["products"].seed]
        self._open_orders: list[list] = []  # [order id, status] of orders this workload placed
        # What a failed step raises: sqlite3's errors here; a PostgreSQL-backed database
        # (cdc_tutor.stack.pg_session) names its own.
        self._errors = getattr(db, "errors", (sqlite3.Error,))

    @property
    def rate(self) -> float:
        return self._rate

    @rate.setter
    def rate(self, value: float) -> None:
        self._rate = max(0.0, float(value))
        self._changed.set()

    @property
    def paused(self) -> bool:
        return self._paused or self._rate <= 0

    def pause(self) -> None:
        self._paused = True
        self._changed.set()

    def resume(self) -> None:
        self._paused = False
        self._changed.set()

    def step(self) -> str:
        """One transaction; returns its kind. A step the student's edits made impossible (a
        deleted customer, a duplicate email) rolls back and counts in `failed`."""
        draw = self._random.random()
        # Orders enter at about the rate they leave (delivered after three advances, or cancelled).
        kind = (
            "order"
            if draw < 0.25 or not self._open_orders
            else "advance"
            if draw < 0.80
            else "cancel"
            if draw < 0.86
            else "price"
            if draw < 0.92
            else "customer"
            if draw < 0.96
            else "restock"
        )
        plan = getattr(self, f"_plan_{kind}")()
        self.steps += 1
        try:
            with self.db.transaction() as conn:
                plan(conn)
        except self._errors:
            self.failed += 1
        return kind

    # Each _plan_* draws every random choice first, then returns the SQL to run, so the random
    # sequence never depends on what the database answers.

    def _plan_order(self):
        customer, product = self._random.choice(self._customers), self._random.choice(self._products)
        quantity = self._random.randint(1, 4)

        def run(conn):
            row = conn.execute(
                "INSERT INTO orders (order_date, purchaser, quantity, product_id, status, total) "
                "SELECT date('now'), ?, ?, id, 'NEW', dec_mul(price, ?) FROM products WHERE id = ? "
                "RETURNING id",
                (customer, quantity, quantity, product),
            ).fetchone()
            if row is not None:
                conn.execute(  # an empty shelf stays as it is: no "quantity 0 → 0" event for the student
                    "UPDATE products_on_hand SET quantity = max(quantity - ?, 0) WHERE product_id = ? AND quantity > 0",
                    (quantity, product),
                )
                self._open_orders.append([row[0], "NEW"])

        return run

    def _plan_advance(self):
        # Among the oldest open orders: a shop ships in roughly first-come order.
        order = self._random.choice(self._open_orders[:_OLDEST]) if self._open_orders else None

        def run(conn):
            if order is None:
                return
            status = NEXT_STATUS[order[1]]
            cursor = conn.execute("UPDATE orders SET status = ?, updated_at = now() WHERE id = ?", (status, order[0]))
            order[1] = status
            if status == "DELIVERED" or cursor.rowcount == 0:
                self._open_orders.remove(order)

        return run

    def _plan_price(self):
        product, factor = self._random.choice(self._products), self._random.choice(_PRICE_FACTORS)
        return lambda conn: conn.execute(
            "UPDATE products SET price = dec_mul(price, ?) WHERE id = ?", (factor, product)
        )

    def _plan_cancel(self):
        # Customers cancel what they ordered recently and nobody has paid for yet.
        pending = [order for order in self._open_orders[-_OLDEST:] if order[1] == "NEW"]
        order = self._random.choice(pending) if pending else None

        def run(conn):
            if order is None:
                return
            conn.execute("DELETE FROM orders WHERE id = ?", (order[0],))
            self._open_orders.remove(order)

        return run

    def _plan_customer(self):
        first, last = self._random.choice(_FIRST_NAMES), self._random.choice(_LAST_NAMES)
        email = f"{first}.{last}{self.steps}@example.com".lower()

        def run(conn):
            row = conn.execute(
                "INSERT INTO customers (first_name, last_name, email) VALUES (?, ?, ?) RETURNING id",
                (first, last, email),
            ).fetchone()
            self._customers.append(row[0])

        return run

    def _plan_restock(self):
        product, amount = self._random.choice(self._products), self._random.randint(5, 30)
        return lambda conn: conn.execute(
            "UPDATE products_on_hand SET quantity = quantity + ? WHERE product_id = ?", (amount, product)
        )

    def run(self, stop_event: threading.Event) -> None:
        """Step at `rate` per second until stop_event is set; sleeps (never spins) while paused."""
        anchor, done, anchor_rate = time.monotonic(), 0, None
        while not stop_event.is_set():
            if self.paused:
                self._changed.clear()
                self._changed.wait(_TICK)
                anchor_rate = None
                continue
            if anchor_rate != self._rate:  # (re)start pacing after a pause or a rate change
                anchor, done, anchor_rate = time.monotonic(), 0, self._rate
            due = int((time.monotonic() - anchor) * anchor_rate) + 1 - done
            for _ in range(min(due, _MAX_BURST)):
                self.step()
                done += 1
            if due > _MAX_BURST:  # fell behind: drop the backlog instead of bursting forever
                anchor, done = time.monotonic(), 0
                continue
            wait = (done / anchor_rate) - (time.monotonic() - anchor)
            if wait > 0:
                self._changed.clear()
                if stop_event.wait(min(wait, _TICK)):
                    break
