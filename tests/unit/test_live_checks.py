"""The `ran`, `predicate`, `window` and `kafka` kinds over a fake kernel and a fake broker: every
failure is a Verdict with a Russian reason, never an exception; LessonSession.check takes a context."""

from __future__ import annotations

import json

import pytest

from cdc_tutor import strings
from cdc_tutor.course.checkpoints import KINDS, Verdict, evaluate_checkpoint
from cdc_tutor.course.context import CheckContext, default_user
from cdc_tutor.course.evaluation import Evaluation
from cdc_tutor.course.kafka_checks import lookup, matcher
from cdc_tutor.course.model import Checkpoint, Lesson, Step
from cdc_tutor.course.progress import ProgressStore
from cdc_tutor.course.session import LessonSession


class FakeKernel:
    """Evaluates expressions with Python's eval over a namespace, like user_expressions would."""

    def __init__(self, namespace=None, alive=True):
        self.namespace = dict(namespace or {})
        self.is_alive = alive
        self.asked: list[str] = []

    def evaluate(self, expression: str, timeout: float) -> Evaluation:
        self.asked.append(expression)
        try:
            return Evaluation(True, repr(eval(expression, dict(self.namespace))))
        except Exception as error:  # noqa: BLE001
            return Evaluation(False, error=f"{type(error).__name__}: {error}")


class FakeTutor:
    @staticmethod
    def rows_json(obj, columns):
        return json.dumps([{c: row[c] for c in columns} for row in obj])


def context(kernel: FakeKernel | None = None, **extra) -> CheckContext:
    if kernel is None:
        return CheckContext(user="ann", **extra)
    return CheckContext(alive=lambda: kernel.is_alive, evaluator=kernel.evaluate, user="ann", **extra)


def judge(kind: str, spec: dict, ctx: CheckContext | None, submission=None) -> Verdict:
    return evaluate_checkpoint(Checkpoint("c", kind, "?", ("a", "b"), spec), submission, ctx)


# --- ran ---------------------------------------------------------------------------------------


def test_ran_follows_the_last_status_of_the_snippet():
    spec = {"snippet": 2}
    assert judge("ran", spec, None).reason == strings.CHECK_NEEDS_KERNEL
    ctx = context(step_id="s")
    assert judge("ran", spec, ctx).reason == strings.RAN_NOT_YET.format(index=2)
    failed = judge("ran", spec, context(step_id="s", snippet_status={("s", 2): "error"}))
    assert not failed.passed and "ошибка" in failed.reason
    assert judge("ran", spec, context(step_id="s", snippet_status={("s", 2): "ok"})).passed
    assert not judge("ran", spec, context(step_id="t", snippet_status={("s", 2): "ok"})).passed


# --- predicate ---------------------------------------------------------------------------------


def test_predicate_passes_when_truthy_and_explains_otherwise():
    kernel = FakeKernel({"df": [1, 2, 3]})
    assert judge("predicate", {"expr": "len(df) == 3"}, context(kernel)).passed
    assert kernel.asked[-1].startswith("bool((len(df) == 3")
    false = judge("predicate", {"expr": "len(df) > 5", "message": "Мало строк."}, context(kernel))
    assert false == Verdict(False, "Мало строк.")
    default = judge("predicate", {"expr": "len(df) > 5"}, context(kernel))
    assert default.reason == strings.PREDICATE_FALSE.format(expr="len(df) > 5")
    error = judge("predicate", {"expr": "len(frame) > 0"}, context(kernel))
    assert not error.passed and "NameError" in error.reason and "frame" in error.reason


def test_predicate_without_a_usable_kernel_never_raises():
    spec = {"expr": "x"}
    assert judge("predicate", spec, None).reason == strings.CHECK_NEEDS_KERNEL
    assert judge("predicate", spec, context()).reason == strings.CHECK_NEEDS_KERNEL
    assert judge("predicate", spec, context(FakeKernel(alive=False))).reason == strings.CHECK_KERNEL_DEAD
    assert judge("predicate", spec, context(FakeKernel(), busy=True)).reason == strings.CHECK_KERNEL_BUSY

    class Exploding(FakeKernel):
        def evaluate(self, expression, timeout):
            raise RuntimeError("socket closed")

    crashed = judge("predicate", spec, context(Exploding()))
    assert not crashed.passed and "RuntimeError: socket closed" in crashed.reason


# --- window ------------------------------------------------------------------------------------

EXPECT = [{"w": "10:00", "op": "c", "count": 2}, {"w": "10:01", "op": "d", "count": 1}]


def window_kernel(rows) -> FakeKernel:
    return FakeKernel({"tutor": FakeTutor, "windows": rows})


def test_window_compares_rows_in_any_order_with_numbers_loosely():
    rows = [{"w": "10:01", "op": "d", "count": 1.0, "extra": 5}, {"w": "10:00", "op": "c", "count": 2}]
    spec = {"variable": "windows", "expect": EXPECT, "columns": ["w", "op", "count"]}
    assert judge("window", spec, context(window_kernel(rows))).passed
    assert judge("window", {"variable": "windows", "expect": EXPECT}, context(window_kernel(rows))).passed


def test_window_mismatch_names_missing_and_extra_rows():
    rows = [{"w": "10:00", "op": "c", "count": 3}, {"w": "10:01", "op": "d", "count": 1}]
    verdict = judge("window", {"variable": "windows", "expect": EXPECT}, context(window_kernel(rows)))
    assert not verdict.passed
    assert "Не хватает строк: {w: 10:00, op: c, count: 2.0}" in verdict.reason
    assert "Лишние строки: {w: 10:00, op: c, count: 3.0}" in verdict.reason


def test_window_unreadable_variable_is_a_failed_verdict():
    verdict = judge("window", {"variable": "nothing", "expect": EXPECT}, context(window_kernel([])))
    assert not verdict.passed and "NameError" in verdict.reason


# --- kafka -------------------------------------------------------------------------------------


class FakeProbe:
    def __init__(self, offsets=None, messages=(), error=None):
        self.offsets = offsets or {}
        self.messages = list(messages)
        self.error = error
        self.asked = []

    def committed(self, group, topic):
        self.asked.append((group, topic))
        if self.error:
            raise self.error
        return self.offsets

    def count(self, topic, predicate, *, isolation, limit):
        self.asked.append((topic, isolation, limit))
        return min(limit, sum(1 for message in self.messages if predicate(message)))


COMMITTED = {"check": "committed", "group": "{user}-g", "topic": "orders", "atLeast": 5}


def test_kafka_committed():
    assert judge("kafka", COMMITTED, None).reason == strings.CHECK_NEEDS_LAB
    probe = FakeProbe()
    none = judge("kafka", COMMITTED, context(kafka=probe))
    assert none.reason == strings.KAFKA_NO_COMMIT.format(group="ann-g", topic="orders")
    assert probe.asked == [("ann-g", "orders")]
    low = judge("kafka", COMMITTED, context(kafka=FakeProbe({0: 2, 1: 2})))
    assert not low.passed and "4" in low.reason
    assert judge("kafka", COMMITTED, context(kafka=FakeProbe({0: 2, 3: 3}))).passed
    broken = judge("kafka", COMMITTED, context(kafka=FakeProbe(error=RuntimeError("_TRANSPORT"))))
    assert not broken.passed and "_TRANSPORT" in broken.reason


def test_kafka_topic_has_matches_paths_in_value_and_key():
    messages = [
        {"key": {"id": 1}, "value": {"payload": {"op": "c", "after": {"id": 1}}}},
        {"key": {"id": 1}, "value": {"payload": {"op": "d", "after": None}}},
        {"key": {"id": 1}, "value": None},  # tombstone
    ]
    spec = {"check": "topic-has", "topic": "{user}-out", "match": {"payload.op": "d", "$key.id": 1}}
    probe = FakeProbe(messages=messages)
    assert judge("kafka", spec, context(kafka=probe)).passed
    assert probe.asked == [("ann-out", "read_committed", 1)]
    twice = judge("kafka", {**spec, "atLeast": 2}, context(kafka=FakeProbe(messages=messages)))
    assert not twice.passed and "1" in twice.reason
    assert lookup({"value": {"a": [{"b": 7}]}}, "a.0.b") == (True, 7)
    assert lookup({"value": None}, "a") == (False, None)
    assert matcher({"n": 1})({"value": {"n": 1.0}}) and not matcher({"flag": True})({"value": {"flag": 1}})


def test_a_kind_that_raises_is_a_failed_verdict(monkeypatch):
    def boom(spec, submission, context=None):
        raise ZeroDivisionError("oops")

    monkeypatch.setitem(KINDS, "ran", KINDS["ran"].__class__(**{**KINDS["ran"].__dict__, "evaluate": boom}))
    verdict = judge("ran", {"snippet": 1}, context())
    assert not verdict.passed and "ZeroDivisionError: oops" in verdict.reason


def test_default_user_is_safe_for_kafka_names(monkeypatch):
    monkeypatch.setenv("CDC_TUTOR_USER", "Anna Ivanova/ws1")
    assert default_user() == "Anna-Ivanova-ws1"
    assert context().names("{user}-orders") == "ann-orders"


# --- LessonSession ------------------------------------------------------------------------------


def lesson() -> Lesson:
    checkpoints = (
        Checkpoint("a", "answer", "?", ("x", "y"), {"answers": ["c"]}),
        Checkpoint("p", "predicate", "?", ("x", "y"), {"expr": "n == 1"}),
    )
    step = Step("s", "S", "text", checkpoints, "sol")
    return Lesson("m/01-l", None, "L", "d", 1, "beginner", 1, (), (), "python", (), "", (step,))


@pytest.fixture
def session():
    store = ProgressStore.in_memory()
    yield LessonSession(lesson(), store)
    store.close()


def test_session_check_is_backward_compatible_and_takes_a_context(session):
    assert session.check("a", "c").verdict.passed  # two arguments, as before
    no_kernel = session.check("p", None)
    assert no_kernel.verdict.reason == strings.CHECK_NEEDS_KERNEL and not no_kernel.step_passed
    outcome = session.check("p", "", context(FakeKernel({"n": 1})))
    assert outcome.verdict.passed and outcome.step_passed and outcome.lesson_completed
    assert session.store.last_answer("m/01-l", "s", "p") is None  # only typed answers are kept


# --- realKafka: waived on the mock broker --------------------------------------------------------


def test_a_real_kafka_check_is_waived_on_the_mock_and_judged_on_a_real_broker():
    spec = {"expr": "committed == {0: 3}", "realKafka": True}
    kernel = FakeKernel({"committed": {}})  # what the mock leaves after send_offsets_to_transaction
    on_mock = judge("predicate", spec, context(kernel, real_kafka=False))
    assert on_mock.passed and on_mock.waived and on_mock.reason == strings.REAL_KAFKA_WAIVED
    on_kafka = judge("predicate", spec, context(kernel))
    assert not on_kafka.passed and not on_kafka.waived
    kernel.namespace["committed"] = {0: 3}
    assert judge("predicate", spec, context(kernel)).passed
    plain = judge("predicate", {"expr": "committed == {0: 4}"}, context(kernel, real_kafka=False))
    assert not plain.passed and not plain.waived  # only marked checks are waived
