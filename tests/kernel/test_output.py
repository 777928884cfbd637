"""OutputCap keeps a bounded head and tail of any stream and counts what it dropped."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cdc_tutor.kernel.output import OutputCap


def test_short_output_is_kept_whole_and_streamed() -> None:
    cap = OutputCap(head_lines=5, tail_lines=5)
    assert cap.feed("a\nb") == "a\nb"
    assert cap.feed("c\n") == "c\n"
    snapshot = cap.snapshot()
    assert snapshot.text == "a\nbc\n" and snapshot.total_lines == 2 and not snapshot.truncated


def test_head_tail_and_omitted_count() -> None:
    cap = OutputCap(head_lines=2, tail_lines=3)
    assert cap.feed("1\n2\n3\n") == "1\n2\n"
    assert cap.feed("4\n5\n6\n7\n8") == ""
    snapshot = cap.snapshot()
    assert snapshot.head == "1\n2\n" and snapshot.tail == "6\n7\n8"
    assert snapshot.total_lines == 8 and snapshot.omitted_lines == 3


def test_a_million_lines_in_chunks_stay_bounded() -> None:
    cap = OutputCap()
    text = "".join(f"{i}\n" for i in range(1_000_000))
    for start in range(0, len(text), 65_536):
        cap.feed(text[start : start + 65_536])
    snapshot = cap.snapshot()
    assert snapshot.total_lines == 1_000_000 and snapshot.omitted_lines == 999_600
    assert snapshot.tail.splitlines() == [str(i) for i in range(999_800, 1_000_000)]


def test_output_without_newlines_is_bounded_by_characters() -> None:
    cap = OutputCap(max_line_chars=100, max_head_chars=1_000)
    for _ in range(100_000):
        cap.feed("x" * 9)
    assert len(cap.snapshot().text) <= 1_100


def test_long_lines_are_clipped() -> None:
    cap = OutputCap(max_line_chars=10)
    cap.feed("y" * 50 + "\nshort\n")
    assert cap.snapshot().text == "y" * 10 + "\nshort\n"


@given(st.lists(st.text(alphabet="ab\n", max_size=30), max_size=30), st.integers(0, 4), st.integers(0, 4))
def test_any_chunking_keeps_the_exact_head_tail_and_count(chunks: list[str], head: int, tail: int) -> None:
    cap = OutputCap(head_lines=head, tail_lines=tail)
    for chunk in chunks:
        cap.feed(chunk)
    whole = "".join(chunks)
    lines = whole.splitlines(keepends=True)
    snapshot = cap.snapshot()
    assert snapshot.total_lines == len(lines)
    if len(lines) <= head + tail:
        assert snapshot.text == whole and snapshot.omitted_lines == 0
    else:
        assert snapshot.head == "".join(lines[:head])
        assert snapshot.tail == "".join(lines[len(lines) - tail :])
        assert snapshot.omitted_lines == len(lines) - head - tail
