"""Messages the UI posts: past-tense events that bubble from screens to the app.

Some have handlers (LessonChosen opens a lesson, LabStarted/LabFailed hold the lab, LessonCompleted
and the resets refresh the catalog, the kernel's and snippets' drive the lesson screen). The rest
are the tutor's observable event log: nothing inside the app needs them, and they are posted so
that tests (`run_test(message_hook=...)`) and later an instructor view can follow a student
(CheckpointPassed/Failed/Checking, StepUnlocked, HintRevealed, SolutionShown, KernelReady,
KernelFailed, KernelInterrupted, KernelDied). Each says in its docstring what happened.
"""

from __future__ import annotations

from textual.message import Message


class LessonChosen(Message):
    """The student picked a lesson in the catalog."""

    def __init__(self, lesson_id: str) -> None:
        super().__init__()
        self.lesson_id = lesson_id


class CheckpointPassed(Message):
    """A checkpoint of the current step passed (recorded in the progress store)."""

    def __init__(self, lesson_id: str, step_id: str, checkpoint_id: str) -> None:
        super().__init__()
        self.lesson_id, self.step_id, self.checkpoint_id = lesson_id, step_id, checkpoint_id


class CheckpointFailed(Message):
    """A checkpoint failed; `reason` is the Russian explanation shown to the student."""

    def __init__(self, lesson_id: str, step_id: str, checkpoint_id: str, reason: str) -> None:
        super().__init__()
        self.lesson_id, self.step_id, self.checkpoint_id = lesson_id, step_id, checkpoint_id
        self.reason = reason


class StepUnlocked(Message):
    """Passing a step opened the next one (`step_index`, 0-based)."""

    def __init__(self, lesson_id: str, step_index: int) -> None:
        super().__init__()
        self.lesson_id, self.step_index = lesson_id, step_index


class LessonCompleted(Message):
    """Every checkpoint of the lesson has passed: the catalog shows it done, later lessons may open."""

    def __init__(self, lesson_id: str) -> None:
        super().__init__()
        self.lesson_id = lesson_id


class HintRevealed(Message):
    """The student asked for the next hint level of a checkpoint."""

    def __init__(self, lesson_id: str, step_id: str, checkpoint_id: str, level: int) -> None:
        super().__init__()
        self.lesson_id, self.step_id, self.checkpoint_id = lesson_id, step_id, checkpoint_id
        self.level = level


class SolutionShown(Message):
    """The step's solution was shown (after a pass or three failed checks)."""

    def __init__(self, lesson_id: str, step_id: str) -> None:
        super().__init__()
        self.lesson_id, self.step_id = lesson_id, step_id


class StepReset(Message):
    """The student reset a step's progress (it asked first)."""

    def __init__(self, lesson_id: str, step_id: str) -> None:
        super().__init__()
        self.lesson_id, self.step_id = lesson_id, step_id


class LessonReset(Message):
    """The student reset a whole lesson's progress (it asked first)."""

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
    """A queued snippet of the step started running in the kernel."""

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
    """The student interrupted the running snippet (Ctrl+Z)."""

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


class StreamsStopped(Message):
    """Ctrl+Z with nothing running (or a step change) stopped `count` streaming queries; `problem`
    says why the kernel could not tell."""

    def __init__(self, lesson_id: str, count: int, problem: str | None = None) -> None:
        super().__init__()
        self.lesson_id, self.count, self.problem = lesson_id, count, problem
