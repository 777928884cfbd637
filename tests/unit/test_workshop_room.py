"""Progress events and the room the instructor sees: malformed messages are skipped, not fatal;
the student stuck longest comes first; wrong answers are counted only when shared."""

from __future__ import annotations

import json

from cdc_tutor.workshop.events import MAX_TEXT, ProgressEvent, decode, doctor_event
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


class _Finding:
    def __init__(self, ok, title, detail, warning=False):
        self.ok, self.title, self.detail, self.warning = ok, title, detail, warning


def test_a_doctor_report_travels_as_its_verdict_and_what_is_not_ok_failures_first():
    findings = [
        _Finding(True, "deps", "all there"),
        _Finding(False, "spark", "not set up", warning=True),
        _Finding(False, "config", "bad toml"),
    ]
    sent = doctor_event("ann", findings, 5.0)
    assert (sent.kind, sent.health, sent.lesson) == ("doctor", "fail", "")
    assert sent.reason == "FAIL config: bad toml; WARN spark: not set up"
    assert decode(sent.encode()) == sent
    assert doctor_event("bob", findings[:2], 5.0).health == "warn"
    assert doctor_event("cid", findings[:1], 5.0).health == "ok"
    for verdict in (None, "", "great"):  # a doctor event must say how it went
        verdict_field = {} if verdict is None else {"health": verdict}
        payload = {"student": "ann", "kind": "doctor", "at": 1.0, **verdict_field}
        assert decode(json.dumps(payload).encode()) is None, verdict


def test_a_doctor_report_does_not_move_the_student_and_the_unhealthy_come_failures_first():
    room = Room()
    room.apply(event("ann", "step", 100.0, step="s2"))
    for student, findings in (
        ("ann", [_Finding(False, "java", "missing", warning=True)]),
        ("bob", [_Finding(False, "deps", "no pandas")]),
        ("cid", [_Finding(True, "deps", "ok")]),
        ("abe", [_Finding(False, "deps", "no yaml")]),
    ):
        room.apply(doctor_event(student, findings, 150.0))
    ann = room.rows["ann"]
    assert (ann.lesson, ann.step, ann.stuck_for(200.0), ann.health) == ("module-5/01-x", "s2", 100.0, "warn")
    assert [row.student for row in room.unhealthy()] == ["abe", "bob", "ann"]
    assert room.rows["cid"].health == "ok" and room.rows["cid"].lesson == ""
