"""CheckContext: the live state a checkpoint may look at (kernel, Kafka, snippet runs); no Textual."""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from cdc_tutor.course.evaluation import Evaluation

USER_ENV = "CDC_TUTOR_USER"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def default_user() -> str:
    """The namespace prefix for this student's groups and topics on a shared broker.

    $CDC_TUTOR_USER when set, else the login name; reduced to characters Kafka names allow.
    """
    name = os.environ.get(USER_ENV, "")
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = f"uid{os.getuid()}" if hasattr(os, "getuid") else "student"
    return _UNSAFE.sub("-", name).strip("-") or "student"


class KafkaProbe(Protocol):
    """What `kafka` checkpoints ask the broker (cdc_tutor.kafka.state.KafkaState implements it)."""

    def committed(self, group: str, topic: str) -> dict[int, int]:
        """partition -> committed offset of `group` in `topic` (partitions without a commit left out)."""
        ...

    def count(self, topic: str, predicate: Callable[[dict[str, Any]], bool], *, isolation: str, limit: int) -> int:
        """How many of the topic's messages (read now, from the start) satisfy `predicate`,
        stopping at `limit`; messages are dicts as `tutor.read_topic` returns them."""
        ...


@dataclass(frozen=True)
class CheckContext:
    """A snapshot of what checks can see; `LessonRunner.context()` builds it.

    Every field is optional: a kind that needs something missing fails with a Russian reason
    ("run the lesson's code first"), it never raises.
    """

    alive: Callable[[], bool] | None = None
    """Whether the lesson's kernel is alive now; None: taken as alive when there is an evaluator."""
    bootstrap: str | None = None
    """Kafka bootstrap servers of the lab the lesson's code talks to."""
    snippet_status: Mapping[tuple[str, int], str] = field(default_factory=dict)
    """(step id, snippet index) -> the status its last run ended with ("ok", "error", ...)."""
    user: str = field(default_factory=default_user)
    step_id: str | None = None
    """The step whose checkpoint is judged (`ran` looks up its snippets); LessonSession sets it."""
    busy: bool = False
    """A snippet was running when the snapshot was taken: the kernel cannot answer until it ends."""
    kafka: KafkaProbe | None = None
    """Kafka queries against `bootstrap` (the runner sets cdc_tutor.kafka.state.KafkaState)."""
    real_kafka: bool = True
    """Whether the lab's broker is real Kafka; False on the embedded mock, where `realKafka`
    checks (read_committed, offsets in transactions...) are waived, not judged."""
    evaluator: Callable[[str, float], Evaluation] | None = None
    """Evaluates an expression in the kernel (the practice layer's runner supplies it); None: no kernel."""
    source: Callable[[str], Any] | None = None
    """Runs SQL in the lab's source database, as the «База» pane does (a SqlResult); None: no source."""

    def for_step(self, step_id: str) -> CheckContext:
        return replace(self, step_id=step_id)

    def names(self, text: str) -> str:
        """`{user}` in a group or topic name replaced by this student's prefix."""
        return text.replace("{user}", self.user)

    @property
    def has_kernel(self) -> bool:
        return self.evaluator is not None

    def kernel_alive(self) -> bool:
        if self.alive is None:
            return self.evaluator is not None
        try:
            return bool(self.alive())
        except Exception:  # a kernel torn down in between: as good as dead
            return False

    def evaluate(self, expression: str, timeout: float = 10.0) -> Evaluation:
        """`expression` evaluated in the kernel (no output, no history); needs `has_kernel`."""
        if self.evaluator is None:
            return Evaluation(False, error="no kernel")
        return self.evaluator(expression, timeout)
