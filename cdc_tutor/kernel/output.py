"""Bounded capture of a text stream: the first lines, the last lines, and a count of the rest."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class CappedText:
    """What survived of one stream; `head + tail` with `omitted_lines` dropped between them."""

    head: str
    tail: str
    omitted_lines: int
    total_lines: int

    @property
    def truncated(self) -> bool:
        return self.omitted_lines > 0

    @property
    def text(self) -> str:
        """Head and tail joined without a marker; the UI words the gap from `omitted_lines`."""
        return self.head + self.tail

    def __str__(self) -> str:
        return self.text


class OutputCap:
    """Keeps the first `head_lines` and the last `tail_lines` lines of everything fed to it.

    Memory stays bounded whatever is fed: lines longer than `max_line_chars` are clipped, and
    a huge chunk is never split whole once the head is full (only its last lines are).
    """

    def __init__(
        self, head_lines: int = 200, tail_lines: int = 200, max_line_chars: int = 4000, max_head_chars: int = 200_000
    ) -> None:
        self.head_lines = head_lines
        self.tail_lines = tail_lines
        self.max_line_chars = max_line_chars
        self.max_head_chars = max_head_chars
        self._head: list[str] = []
        self._head_count = 0  # complete lines in the head
        self._head_chars = 0
        self._head_closed = False  # set when the character budget, not the line budget, ran out
        self._tail: deque[str] = deque(maxlen=tail_lines)
        self._partial = ""  # the current unfinished line once in tail mode
        self._newlines = 0
        self._ends_open = False  # the last thing fed did not end with a newline

    @property
    def head_full(self) -> bool:
        return self._head_closed or self._head_count >= self.head_lines

    def feed(self, text: str) -> str:
        """Take a chunk; return the part of it that went into the head (to show live)."""
        if not text:
            return ""
        self._newlines += text.count("\n")
        self._ends_open = not text.endswith("\n")
        if self.head_full:
            self._feed_tail(text)
            return ""
        room = self.head_lines - self._head_count
        cut = _index_after_nth_newline(text, room)
        kept, rest = (text, "") if cut < 0 else (text[:cut], text[cut:])
        kept = self._clip_lines(kept)
        if self._head_chars + len(kept) > self.max_head_chars:
            # `print(x, end="")` forever never ends a line: bound the head by characters too.
            room = self.max_head_chars - self._head_chars
            kept, rest = kept[:room], kept[room:] + rest
            self._head_closed = True
        self._head.append(kept)
        self._head_count += kept.count("\n")
        self._head_chars += len(kept)
        if rest:
            self._feed_tail(rest)
        return kept

    def _feed_tail(self, text: str) -> None:
        text = self._partial + text
        # rsplit with a limit touches only the end of a huge chunk.
        pieces = text.rsplit("\n", self.tail_lines + 1)
        self._partial = pieces.pop()[: self.max_line_chars]
        if len(pieces) > self.tail_lines:
            del pieces[0]  # the unsplit remainder: many lines, all older than the tail keeps
        for line in pieces:
            self._tail.append(line[: self.max_line_chars] + "\n")

    def _clip_lines(self, text: str) -> str:
        if len(text) <= self.max_line_chars or max(map(len, text.split("\n"))) <= self.max_line_chars:
            return text
        return "\n".join(line[: self.max_line_chars] for line in text.split("\n"))

    @property
    def total_lines(self) -> int:
        return self._newlines + (1 if self._ends_open else 0)

    def snapshot(self) -> CappedText:
        """The capture so far."""
        head = "".join(self._head)
        if not self.head_full:
            return CappedText(head, "", 0, self.total_lines)
        # The unfinished last line counts as one of the tail's lines.
        lines = list(self._tail) + ([self._partial] if self._partial else [])
        lines = lines[-self.tail_lines :] if self.tail_lines else []
        kept = head.count("\n") + (1 if head and not head.endswith("\n") else 0) + len(lines)
        return CappedText(head, "".join(lines), max(0, self.total_lines - kept), self.total_lines)


def _index_after_nth_newline(text: str, n: int) -> int:
    """Index just past the n-th newline of `text`, or -1 if it has fewer."""
    index = -1
    for _ in range(n):
        index = text.find("\n", index + 1)
        if index < 0:
            return -1
    return index + 1
