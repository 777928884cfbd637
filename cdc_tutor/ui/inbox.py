"""Inbox: a thread-safe, bounded hand-over from kernel worker threads to a pane's UI timer."""

from __future__ import annotations

import threading
from collections import deque
from typing import Generic, TypeVar

Item = TypeVar("Item")


class Inbox(Generic[Item]):
    """Workers `put` from any thread; the pane `drain`s on its timer, one repaint per batch.

    Bounded: when more than `limit` items wait (a pane hidden for long, a flood of displays),
    the oldest are dropped and counted, so memory never grows with the output.
    """

    def __init__(self, limit: int = 10_000) -> None:
        self._items: deque[Item] = deque(maxlen=limit)
        self._lock = threading.Lock()
        self.dropped = 0

    def put(self, item: Item) -> None:
        with self._lock:
            if len(self._items) == self._items.maxlen:
                self.dropped += 1
            self._items.append(item)

    def drain(self) -> list[Item]:
        with self._lock:
            items = list(self._items)
            self._items.clear()
            return items

    def __len__(self) -> int:
        return len(self._items)
