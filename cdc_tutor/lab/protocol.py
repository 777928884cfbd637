"""What every lab offers the tutor (the Lab Protocol) and what its source database answers."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class SourceDatabase(Protocol):
    """The source pane's SQL: the embedded SQLite inventory or the stack's PostgreSQL via psql."""

    def execute_script(self, script: str) -> Any:
        """Run `script` in one transaction; a cdc_tutor.source.changes.SqlResult, never raises."""
        ...


@runtime_checkable
class Lab(Protocol):
    """A started lab: a broker address, a source to change, outages, tails for panes, close().

    EmbeddedLab (librdkafka's mock cluster in this process) and ExternalLab (a real stack) are
    the implementations; open_lab() picks one from the settings and the lesson.
    """

    @property
    def bootstrap_servers(self) -> str:
        """The address every client uses (the outage proxy's, for the embedded lab)."""
        ...

    @property
    def database(self) -> SourceDatabase | None:
        """Where the source pane's SQL goes; None when the lab has no source to change."""
        ...

    @property
    def redis_url(self) -> str | None:
        """The Redis server lesson code reaches with `tutor.redis()` (`unix://` or `redis://`);
        None when the lab has none."""
        ...

    @property
    def real_kafka(self) -> bool:
        """A real Kafka broker (the broker lab, the stack); False for the mock cluster, whose
        gaps (lessons/README.md) waive the checks marked `realKafka`."""
        ...

    @property
    def fallback(self) -> str | None:
        """Why the lesson got the mock instead of the real broker it asked for; None otherwise."""
        ...

    @property
    def can_cut(self) -> bool:
        """Whether cut()/restore() work here (outage steps and F12 need them)."""
        ...

    @property
    def reachable(self) -> bool:
        """False between cut() and restore()."""
        ...

    @property
    def lost(self) -> str | None:
        """Why the lab's own broker is gone (its process ended, e.g. `signal SIGABRT`); None while
        it runs, and always for a real stack, which the tutor does not run."""
        ...

    def cut(self) -> None: ...

    def restore(self) -> None: ...

    def open_tail(self, topics: list[str] | None = None, *, from_start: bool = True) -> Any:
        """A started TopicTail of `topics` (default: every CDC topic), stopped with the lab."""
        ...

    def close(self) -> None: ...
