"""Messages the UI posts: past-tense events that bubble from screens to the app."""

from __future__ import annotations

from textual.message import Message


class LessonChosen(Message):
    """The student picked a lesson in the catalog."""

    def __init__(self, lesson_id: str) -> None:
        super().__init__()
        self.lesson_id = lesson_id


class CheckpointPassed(Message):
    def __init__(self, lesson_id: str, step_id: str, checkpoint_id: str) -> None:
        super().__init__()
        self.lesson_id, self.step_id, self.checkpoint_id = lesson_id, step_id, checkpoint_id


class CheckpointFailed(Message):
    def __init__(self, lesson_id: str, step_id: str, checkpoint_id: str, reason: str) -> None:
        super().__init__()
        self.lesson_id, self.step_id, self.checkpoint_id = lesson_id, step_id, checkpoint_id
        self.reason = reason


class StepUnlocked(Message):
    def __init__(self, lesson_id: str, step_index: int) -> None:
        super().__init__()
        self.lesson_id, self.step_index = lesson_id, step_index


class LessonCompleted(Message):
    def __init__(self, lesson_id: str) -> None:
        super().__init__()
        self.lesson_id = lesson_id


class HintRevealed(Message):
    def __init__(self, lesson_id: str, step_id: str, checkpoint_id: str, level: int) -> None:
        super().__init__()
        self.lesson_id, self.step_id, self.checkpoint_id = lesson_id, step_id, checkpoint_id
        self.level = level


class SolutionShown(Message):
    def __init__(self, lesson_id: str, step_id: str) -> None:
        super().__init__()
        self.lesson_id, self.step_id = lesson_id, step_id


class StepReset(Message):
    def __init__(self, lesson_id: str, step_id: str) -> None:
        super().__init__()
        self.lesson_id, self.step_id = lesson_id, step_id


class LessonReset(Message):
    def __init__(self, lesson_id: str) -> None:
        super().__init__()
        self.lesson_id = lesson_id


class LabStarted(Message):
    """The embedded lab (broker, source, workload) is up; `lab` is the running EmbeddedLab."""

    def __init__(self, lab) -> None:
        super().__init__()
        self.lab = lab


class LabFailed(Message):
    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem
