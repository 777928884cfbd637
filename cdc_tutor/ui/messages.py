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
    """A lab is up; `lab` is the running cdc_tutor.lab.Lab, `key` the lab_key it was opened for."""

    def __init__(self, lab, key=None) -> None:
        super().__init__()
        self.lab, self.key = lab, key


class LabFailed(Message):
    """The lab could not start; `problem` says why (the tutor still works without it)."""

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem


# -- lesson code: the kernel and its snippets (posted by the lesson screen's kernel driver) ------


class KernelReady(Message):
    """The lesson's kernel answered and can run snippets."""

    def __init__(self, lesson_id: str, bootstrap: str | None) -> None:
        super().__init__()
        self.lesson_id, self.bootstrap = lesson_id, bootstrap


class KernelFailed(Message):
    """The lesson's kernel could not start (engine missing, start failed); `problem` says why."""

    def __init__(self, lesson_id: str, problem: str) -> None:
        super().__init__()
        self.lesson_id, self.problem = lesson_id, problem


class SnippetStarted(Message):
    def __init__(self, lesson_id: str, step_id: str, index: int) -> None:
        super().__init__()
        self.lesson_id, self.step_id, self.index = lesson_id, step_id, index


class SnippetFinished(Message):
    """A snippet ended; `status` is ExecutionResult.status ("ok", "error", "interrupted", "died"...)."""

    def __init__(self, lesson_id: str, step_id: str, index: int, status: str, result=None) -> None:
        super().__init__()
        self.lesson_id, self.step_id, self.index = lesson_id, step_id, index
        self.status, self.result = status, result


class KernelInterrupted(Message):
    def __init__(self, lesson_id: str) -> None:
        super().__init__()
        self.lesson_id = lesson_id


class KernelStuck(Message):
    """The running code did not answer an interrupt (a wait inside C): only a restart helps."""

    def __init__(self, lesson_id: str) -> None:
        super().__init__()
        self.lesson_id = lesson_id


class KernelDied(Message):
    """The kernel process exited under a snippet (or while idle); a restart follows."""

    def __init__(self, lesson_id: str, exit_code: int | None) -> None:
        super().__init__()
        self.lesson_id, self.exit_code = lesson_id, exit_code


class KernelRestarted(Message):
    """A fresh kernel is ready; every variable of the old one is gone."""

    def __init__(self, lesson_id: str) -> None:
        super().__init__()
        self.lesson_id = lesson_id


class CheckpointChecking(Message):
    """A checkpoint that needs the kernel or Kafka is being evaluated in a worker."""

    def __init__(self, lesson_id: str, step_id: str, checkpoint_id: str) -> None:
        super().__init__()
        self.lesson_id, self.step_id, self.checkpoint_id = lesson_id, step_id, checkpoint_id
