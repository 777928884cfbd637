"""The room as the instructor sees it: one row per student, folded from their progress events."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from cdc_tutor.workshop.events import ProgressEvent


@dataclass
class StudentRow:
    student: str
    lesson: str = ""
    step: str = ""
    step_since: float = 0.0
    """When the student came to this step (or last passed a check in it): what "stuck" counts from."""
    passed: int = 0
    failed: int = 0
    last_failure: str = ""
    last_seen: float = 0.0
    health: str = ""
    """The verdict of the student's last `cdc-tutor doctor` ("" until they run it)."""
    health_detail: str = ""

    def stuck_for(self, now: float) -> float:
        return max(0.0, now - self.step_since) if self.step_since else 0.0


@dataclass
class Room:
    rows: dict[str, StudentRow] = field(default_factory=dict)
    wrong_answers: dict[tuple[str, str, str], Counter[str]] = field(default_factory=dict)
    """(lesson, step, checkpoint) -> how often each wrong answer was given."""
    events: int = 0

    def apply(self, event: ProgressEvent) -> None:
        row = self.rows.setdefault(event.student, StudentRow(event.student))
        self.events += 1
        row.last_seen = max(row.last_seen, event.at)
        if event.kind == "doctor":  # says nothing about where the student is in the course
            row.health, row.health_detail = event.health, event.reason
            return
        if (event.lesson, event.step) != (row.lesson, row.step):
            row.lesson, row.step, row.step_since = event.lesson, event.step, event.at
        if event.kind == "passed":
            row.passed += 1
            row.step_since = event.at  # progress: the clock of being stuck starts again
        elif event.kind == "failed":
            row.failed += 1
            row.last_failure = event.reason
            if event.answer is not None:
                key = (event.lesson, event.step, event.checkpoint)
                self.wrong_answers.setdefault(key, Counter())[event.answer.strip().lower()] += 1

    def by_stuck(self, now: float) -> list[StudentRow]:
        """Students, the one stuck longest first."""
        return sorted(self.rows.values(), key=lambda row: (-row.stuck_for(now), row.student))

    def unhealthy(self) -> list[StudentRow]:
        """Students whose last doctor run failed, then those with warnings, by name."""
        order = {"fail": 0, "warn": 1}
        return sorted(
            (row for row in self.rows.values() if row.health in order),
            key=lambda row: (order[row.health], row.student),
        )

    def common_wrong_answers(self, limit: int = 5) -> list[tuple[tuple[str, str, str], str, int]]:
        """The most given wrong answers over all checkpoints: (checkpoint key, answer, count)."""
        every = [(key, answer, count) for key, counts in self.wrong_answers.items() for answer, count in counts.items()]
        return sorted(every, key=lambda item: (-item[2], item[0], item[1]))[:limit]
