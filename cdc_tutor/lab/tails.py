"""Tails opened for a lab's panes, all stopped when the lab closes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cdc_tutor.kafka.tail import TopicTail
from cdc_tutor.lab.options import CDC_TOPICS, TRANSACTION_TOPIC


class Tails:
    """Tails opened for panes, all stopped when the lab closes."""

    if TYPE_CHECKING:  # declared for mypy only: EmbeddedLab computes it, ExternalLab stores it

        @property
        def bootstrap_servers(self) -> str: ...

    def __init__(self) -> None:
        self._tails: list[TopicTail] = []

    def open_tail(self, topics: list[str] | None = None, *, from_start: bool = True) -> TopicTail:
        """A started tail of `topics` (default: every CDC topic); stopped with the lab at the latest."""
        wanted = topics or [CDC_TOPICS, TRANSACTION_TOPIC]
        tail = TopicTail(self.bootstrap_servers, wanted, from_start=from_start).start()
        self._tails = [kept for kept in self._tails if kept.running]  # forget the ones already stopped
        self._tails.append(tail)
        return tail

    def _stop_tails(self) -> None:
        for tail in self._tails:
            tail.stop()
