"""Progress events and the room the instructor sees: malformed messages are skipped, not fatal;
the student stuck longest comes first; wrong answers are counted only when shared."""

from __future__ import annotations

import json

from cdc_tutor.workshop.events import MAX_TEXT, ProgressEvent, decode
from cdc_tutor.workshop.room import Room


def event(student, kind, at, step="s1", checkpoint="c1", reason="", answer=None):
    return ProgressEvent(student, kind, "module-5/01-x", step, at, checkpoint, reason, answer)


def test_an_event_survives_the_wire_and_junk_does_not_pass_for_one():
    sent = event("ann", "failed", 10.0, reason="нет", answer="x")
    assert decode(sent.encode()) == sent
    for junk in (b"", b"not json", b"[1]", b'{"kind": "passed"}', b'{"kind": "hacked", "student": "a"}',
                 json.dumps({"student": 1, "kind": "passed", "lesson": "l", "at": 1}).encode(), None):  # fmt: skip
        assert decode(junk) is None, junk
    long = decode(event("ann", "failed", 1.0, reason="ы" * 5000).encode())
    assert long is not None and len(long.reason) == MAX_TEXT


def test_the_room_puts_the_student_stuck_longest_first_and_counts_wrong_answers():
    room = Room()
    for item in (
        event("ann", "opened", 100.0),
        event("bob", "opened", 110.0),
        event("ann", "failed", 120.0, reason="нет", answer=" X "),
        event("bob", "failed", 130.0, answer="x"),
        event("bob", "passed", 140.0),
        event("bob", "step", 150.0, step="s2"),
        event("cid", "failed", 160.0, answer=None),
    ):
        room.apply(item)
    assert [row.student for row in room.by_stuck(now=200.0)] == ["ann", "bob", "cid"]  # 100, 50, 40 s
    ann = room.rows["ann"]
    assert (ann.passed, ann.failed, ann.last_failure, ann.stuck_for(200.0)) == (0, 1, "нет", 100.0)
    assert (room.rows["bob"].step, room.rows["bob"].stuck_for(200.0)) == ("s2", 50.0)
    assert room.common_wrong_answers() == [(("module-5/01-x", "s1", "c1"), "x", 2)]
    assert room.events == 7
