"""Lesson code in Jupyter kernels, one per open lesson; no Textual here (import-linter enforces it)."""

from cdc_tutor.kernel.collect import OutputLimits
from cdc_tutor.kernel.frames import FRAME_MIME, FrameView
from cdc_tutor.kernel.inspect import Evaluation, Variable, evaluate, variables
from cdc_tutor.kernel.output import CappedText, OutputCap
from cdc_tutor.kernel.results import (
    ClearOutput,
    DisplayOutput,
    ErrorOutput,
    ExecutionResult,
    KernelEvent,
    KernelStatus,
    OutputOmitted,
    StreamChunk,
)
from cdc_tutor.kernel.session import KernelSession
from cdc_tutor.kernel.specs import (
    ENGINES,
    EngineMissing,
    KernelStartFailed,
    UnknownEngine,
    kernel_command,
)

__all__ = [
    "ENGINES",
    "CappedText",
    "ClearOutput",
    "DisplayOutput",
    "EngineMissing",
    "ErrorOutput",
    "Evaluation",
    "ExecutionResult",
    "FRAME_MIME",
    "FrameView",
    "KernelEvent",
    "KernelSession",
    "KernelStartFailed",
    "KernelStatus",
    "OutputCap",
    "OutputLimits",
    "OutputOmitted",
    "StreamChunk",
    "UnknownEngine",
    "Variable",
    "evaluate",
    "kernel_command",
    "variables",
]
