"""Errors of the first edition of lessons 00-02 (issue 15), each pinned by what the lesson's code does.

Each test fails on the first edition and passes on the second: the lesson's own code is run (or
its functions are taken out of a snippet with `ast` and run) against confluent-kafka and pandas.
"""

from __future__ import annotations

import ast
import re
from decimal import Decimal

import pandas as pd
import pytest
from confluent_kafka import KafkaError, KafkaException

from cdc_tutor.course.loader import load_course
from cdc_tutor.course.model import Lesson, Step
from cdc_tutor.settings import bundled_lessons_dir

COURSE = load_course(bundled_lessons_dir())
ENVELOPE = "module-5/00-debezium-envelope"
CONSUMER = "module-5/01-advanced-python-consumer"
PANDAS = "module-5/02-pandas-integration"

# NUMERIC(38,2) with 33 digits: 1234567890123456789012345678901.23, as Debezium's precise mode sends it
BIG_DECIMAL = "BhY+ZlvrfKai4aZCRMs="


def lesson(lesson_id: str) -> Lesson:
    found = COURSE.find(lesson_id)
    assert isinstance(found, Lesson), lesson_id
    return found


def step(lesson_id: str, step_id: str) -> Step:
    return next(s for s in lesson(lesson_id).steps if s.id == step_id)


def code_units(lesson_id: str) -> list[str]:
    """Every piece of Python the student runs in the lesson: setupCode, snippets, solutions."""
    units = []
    for s in lesson(lesson_id).steps:
        if s.setup_code:
            units.append(s.setup_code)
        for snippet in s.snippets:
            units.append(snippet.code)
            if snippet.solution:
                units.append(snippet.solution)
    return units


def function_from(code: str, name: str, namespace: dict) -> object:
    """Define only the function `name` of `code` in `namespace` (the rest may need Kafka) and return it."""
    tree = ast.parse(code)
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    exec(compile(ast.Module(body=[node], type_ignores=[]), name, "exec"), namespace)
    return namespace[name]


def all_text(target: Lesson) -> str:
    """The lesson's prose and checkpoint texts: intro, steps, solutions, prompts, hints, messages, answers."""
    parts = [target.intro]
    for s in target.steps:
        parts += [s.text, s.solution]
        for checkpoint in s.checkpoints:
            parts += [checkpoint.prompt, *checkpoint.hints, str(checkpoint.spec.get("message", ""))]
            parts += map(str, checkpoint.spec.get("answers", []))
    return "\n".join(parts)


# --- 1. fatal errors: a consumer delivers them as a message with code _FATAL, fatal() False


def test_a_consumer_fatal_error_is_classified_fatal_by_the_lessons_solution():
    errors = step(CONSUMER, "errors")
    snippet = next(s for s in errors.snippets if s.exercise == "classify")
    namespace = {"KafkaError": KafkaError}
    exec(snippet.solution, namespace)
    classify = namespace["classify"]
    consumer_fatal = KafkaError(KafkaError._FATAL)  # what Message_new0 builds from rkm->err
    assert consumer_fatal.fatal() is False  # the flag alone cannot see it
    assert classify(consumer_fatal) == "fatal"
    assert classify(KafkaError(KafkaError._FENCED, "fenced", fatal=True)) == "fatal"
    assert classify(KafkaError(KafkaError._PARTITION_EOF)) == "eof"
    assert classify(KafkaError(KafkaError._TRANSPORT)) == "transient"


def test_the_classify_checkpoint_rejects_a_flag_only_classify():
    checkpoint = next(c for c in step(CONSUMER, "errors").checkpoints if c.id == "classify")

    def first_edition(err):
        if err.code() == KafkaError._PARTITION_EOF:
            return "eof"
        if err.fatal():
            return "fatal"
        return "transient"

    assert eval(checkpoint.spec["expr"], {"KafkaError": KafkaError, "classify": first_edition}) is False


@pytest.mark.parametrize("lesson_id", [CONSUMER, PANDAS])
def test_consume_loops_check_the_fatal_code_not_only_the_flag(lesson_id):
    """A loop that looks at msg.error().fatal() alone never stops on a consumer's fatal error."""
    for code in code_units(lesson_id):
        for line in code.splitlines():
            if re.search(r"(msg\.error\(\)|err)\.fatal\(\)", line):
                assert "_FATAL" in line, line.strip()


# --- 2. the defaults are not at-most-once


def test_the_defaults_are_not_taught_as_at_most_once():
    text = all_text(lesson(CONSUMER))
    assert "at-most-once (настройки по умолчанию" not in text
    assert "из прошлого шага — это at-most-once" not in text
    assert "at-most-once, хотя в конфигурации" not in text
    semantics = step(CONSUMER, "semantics")
    duplicate = next(c for c in semantics.checkpoints if c.id == "defaults-duplicate")
    assert duplicate.spec["answers"][0] == "2"  # the defaults repeat events too


# --- 3. pandas 3.0 vs 3.1: the resolution is explicit, ts_ms is a UTC instant


def test_event_time_is_utc_microseconds_whatever_pandas_3_infers():
    pandas3 = step(PANDAS, "pandas3")
    namespace = {"pd": pd}
    exec(pandas3.snippets[2].code, namespace)
    assert str(namespace["event_time"].dtype) == "datetime64[us, UTC]"
    checkpoint = next(c for c in pandas3.checkpoints if c.id == "datetime-unit")
    assert eval(checkpoint.spec["expr"], namespace) is True


def test_every_ms_or_day_conversion_sets_its_unit():
    call = re.compile(r'pd\.to_datetime\([^()]*unit="(?:ms|D)"[^()]*\)(?P<after>\.dt\.as_unit\("us"\))?')
    for code in code_units(PANDAS):
        for match in call.finditer(code):
            line = code[code.rfind("\n", 0, match.start()) + 1 : code.find("\n", match.end())]
            if line.lstrip().startswith("inferred ="):  # the demonstration of what pandas infers
                continue
            assert match.group("after"), line.strip()


# --- 5. snippets that rejoin a group must not wait the default 45 s session timeout


@pytest.mark.parametrize(("step_id", "index"), [("connect", 2), ("exactly-once", 2)])
def test_rerun_consumers_use_a_short_session_timeout(step_id, index):
    code = step(CONSUMER, step_id).snippets[index - 1].code
    configs = [
        node.args[0]
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Consumer" and node.args
    ]
    assert configs
    for config in configs:
        keys = {k.value: v for k, v in zip(config.keys, config.values) if isinstance(k, ast.Constant)}
        assert "session.timeout.ms" in keys
        assert ast.literal_eval(keys["session.timeout.ms"]) <= 10_000


# --- 7. decimals keep every digit


@pytest.mark.parametrize("lesson_id", [ENVELOPE, PANDAS])
def test_decode_decimal_is_exact_for_numeric_38(lesson_id):
    import base64

    units = [code for code in code_units(lesson_id) if "def decode_decimal" in code]
    assert units
    for code in units:
        namespace = {"Decimal": Decimal, "base64": base64, "b64decode": base64.b64decode}
        decode_decimal = function_from(code, "decode_decimal", namespace)
        assert str(decode_decimal(BIG_DECIMAL, 2)) == "1234567890123456789012345678901.23"
        assert str(decode_decimal("AdTA", 2)) == "1200.00"
        assert decode_decimal("/w==", 2) == Decimal("-0.01")


# --- 6 and 8: wrong keys and smaller wrong claims are gone


@pytest.mark.parametrize(
    ("lesson_id", "phrase"),
    [
        (CONSUMER, "нажмите F12 во время работы первого фрагмента"),
        (CONSUMER, "45 с в librdkafka 2.x"),
        (CONSUMER, "по умолчанию в\nlibrdkafka 2.x"),
        (PANDAS, "retriable, e.g. _TRANSPORT"),
        (PANDAS, "Первая минута выше"),
        (PANDAS, "попадут в первую минуту"),
        (ENVELOPE, "public.customers"),
        (ENVELOPE, "код здесь не запускается"),
        (ENVELOPE, "С\nJsonConverter в реальном выводе там `null`"),
    ],
)
def test_first_edition_claims_are_gone(lesson_id, phrase):
    target = lesson(lesson_id)
    text = all_text(target) + "\n".join(code_units(lesson_id))
    assert phrase not in text


# --- the student writes the code that matters: the on_revoke commit (lesson 01, rebalance)


class _RevokingConsumer:
    """Stands for a Consumer whose commit() fails with `code` (None: succeeds)."""

    def __init__(self, code=None):
        self.code = code
        self.commits = []

    def commit(self, *args, **kwargs):
        self.commits.append(kwargs)
        if self.code is not None:
            raise KafkaException(KafkaError(self.code))


def test_the_on_revoke_solution_commits_synchronously_and_never_raises():
    rebalance = step(CONSUMER, "rebalance")
    snippet = next(s for s in rebalance.snippets if s.exercise == "revoke-commit")
    namespace = {"KafkaError": KafkaError, "KafkaException": KafkaException, "rebalance_log": []}
    commit_processed = function_from(snippet.solution, "commit_processed", namespace)
    ok = _RevokingConsumer()
    commit_processed(ok, [])
    assert ok.commits == [{"asynchronous": False}]  # an async commit may land after the handover
    commit_processed(_RevokingConsumer(KafkaError._NO_OFFSET), [])  # nothing stored: not an error
    assert namespace["rebalance_log"] == []
    commit_processed(_RevokingConsumer(KafkaError.REBALANCE_IN_PROGRESS), [])  # logged, not raised
    assert namespace["rebalance_log"] == ["on_revoke commit failed: REBALANCE_IN_PROGRESS"]
    starter = {"KafkaError": KafkaError, "KafkaException": KafkaException, "rebalance_log": []}
    untouched = _RevokingConsumer()
    function_from(snippet.code, "commit_processed", starter)(untouched, [])
    assert untouched.commits == []  # the starter leaves the commit to the student


def test_the_rebalance_checks_judge_the_handover_on_a_real_broker():
    """The mock answers a commit inside on_revoke with REBALANCE_IN_PROGRESS: those checks are realKafka."""
    rebalance = step(CONSUMER, "rebalance")
    judged = {c.id: c for c in rebalance.checkpoints if c.spec.get("exercise") == "revoke-commit"}
    assert set(judged) == {"revoke-no-repeat", "revoke-last-commit"}
    assert all(c.spec.get("realKafka") is True for c in judged.values())
    assert 'enable.auto.commit": False' in next(s.code for s in rebalance.snippets if "def member" in s.code)


# --- production topics: a poison message goes to a dead letter topic (lesson 01, poison)


class _Message:
    def __init__(self, value, offset=2):
        self._value, self._offset = value, offset

    def value(self):
        return self._value

    def key(self):
        return b"10003"

    def topic(self):
        return "in"

    def partition(self):
        return 0

    def offset(self):
        return self._offset


class _DeadLetters:
    def __init__(self):
        self.produced, self.flushed = [], 0

    def produce(self, topic, **kwargs):
        self.produced.append((topic, kwargs))

    def flush(self, timeout=None):
        self.flushed += 1
        return 0


def _handle(code):
    poison = step(CONSUMER, "poison")
    setup = next(s.code for s in poison.snippets if "def process_order" in s.code)
    namespace = {"json": __import__("json"), "order_status": {}, "poison_processed": [], "DLQ": "dlq"}
    function_from(setup, "process_order", namespace)
    return function_from(code, "handle", namespace), namespace


def test_the_dead_letter_solution_parks_a_broken_message_with_connects_headers_and_goes_on():
    snippet = next(s for s in step(CONSUMER, "poison").snippets if s.exercise == "poison-dlq")
    handle, namespace = _handle(snippet.solution)
    dlq = _DeadLetters()
    handle(_Message(b'{"op": "u", "before": null, "a'), dlq)  # returns: the loop goes on
    [(topic, record)] = dlq.produced
    headers = dict(record["headers"])
    assert topic == "dlq" and record["key"] == b"10003" and record["value"] == b'{"op": "u", "before": null, "a'
    assert headers["__connect.errors.offset"] == "2" and headers["__connect.errors.partition"] == "0"
    assert headers["__connect.errors.exception.class.name"] == "JSONDecodeError"
    assert all(isinstance(v, str) for v in headers.values())  # confluent-kafka refuses int header values
    assert dlq.flushed == 1  # delivered before the loop stores the offset
    handle(_Message(b'{"op": "u", "before": null, "after": {"id": 1, "status": "NEW"}}'), dlq)
    assert len(dlq.produced) == 1 and namespace["order_status"] == {1: "NEW"}


def test_the_dead_letter_starter_lets_the_poison_message_crash_the_loop():
    snippet = next(s for s in step(CONSUMER, "poison").snippets if s.exercise == "poison-dlq")
    handle, _ = _handle(snippet.code)
    with pytest.raises(ValueError):  # json.JSONDecodeError: what stalls the partition forever
        handle(_Message(b'{"op": "u", "before": null, "a'), _DeadLetters())


# --- production topics in lesson 02: TOAST placeholders and time zones


def _toast_check(toast_fixed_code: str) -> bool:
    operations = step(PANDAS, "operations")
    given = next(s.code for s in operations.snippets if "toast_events = pd.DataFrame" in s.code)
    namespace = {"pd": pd, "print": lambda *a, **k: None, "display": lambda *a, **k: None}
    exec(given, namespace)
    exec(toast_fixed_code, namespace)
    checkpoint = next(c for c in operations.checkpoints if c.id == "toast-filled")
    return eval(checkpoint.spec["expr"], namespace)


def test_the_toast_check_takes_the_last_value_per_id_and_nothing_else():
    operations = step(PANDAS, "operations")
    snippet = next(s for s in operations.snippets if s.exercise == "toast")
    assert _toast_check(snippet.solution) is True
    assert _toast_check(snippet.code) is False  # the starter keeps the placeholder
    # a forward fill across ids gives id 2 and id 3 the description of id 1
    across_ids = (
        'description = toast_events["after_description"]\n'
        "toast_fixed = toast_events.assign(after_description=description.mask(description == UNAVAILABLE).ffill())"
    )
    assert _toast_check(across_ids) is False
    only_missing = "toast_fixed = toast_events.replace(UNAVAILABLE, None)"  # loses the known values
    assert _toast_check(only_missing) is False


def test_the_time_zone_prediction_is_what_pandas_prints():
    from datetime import timedelta

    types = step(PANDAS, "types")
    given = next(s.code for s in types.snippets if "MSK = timezone" in s.code)
    namespace = {"pd": pd, "timedelta": timedelta, "print": lambda *a, **k: None}
    exec(given, namespace)
    predicted = next(c for c in types.checkpoints if c.id == "predict-local-time").spec["answers"][0]
    assert namespace["as_utc"].dt.hour.iloc[0] == int(predicted)
    assert str(namespace["as_wall_clock"].dt.tz_convert("UTC").iloc[0]) == "2026-03-01 09:00:00+00:00"


def _lsn_check(norm_unique_line: str) -> bool:
    """The dedup-lsn check on a small norm_df: a snapshot of 4 rows at one LSN, then 3 changes."""
    lab = step(PANDAS, "lab")
    snippet = next(s for s in lab.snippets if s.exercise == "dedup-lsn")
    ids = pd.Series([1, 2, 3, 4, 1, 2, 3], dtype="Int64")
    norm_df = pd.DataFrame({"op": ["r"] * 4 + ["u", "u", "d"], "source_lsn": [100] * 4 + [200, 300, 400]})
    norm_df["after_id"] = ids.where(norm_df["op"] != "d", pd.NA)
    norm_df["before_id"] = ids.where(norm_df["op"] == "d", pd.NA)
    code = snippet.code.replace(
        "norm_unique = republished  # TODO: drop the re-sent changes: the same row at the same WAL position",
        norm_unique_line,
    )
    assert norm_unique_line in code
    namespace = {"pd": pd, "norm_df": norm_df, "print": lambda *a, **k: None}
    exec(code, namespace)
    checkpoint = next(c for c in lab.checkpoints if c.id == "dedup-lsn")
    return eval(checkpoint.spec["expr"], namespace)


def test_debezium_repeats_are_dropped_by_lsn_and_key_not_by_lsn_alone():
    lab = step(PANDAS, "lab")
    snippet = next(s for s in lab.snippets if s.exercise == "dedup-lsn")
    solution_line = next(line for line in snippet.solution.splitlines() if line.startswith("norm_unique ="))
    assert _lsn_check(solution_line) is True
    # the snapshot shares one LSN: the LSN alone glues its rows together
    assert _lsn_check('norm_unique = republished.drop_duplicates(subset=["source_lsn"])') is False
    predicted = next(c for c in lab.checkpoints if c.id == "predict-snapshot-lsn").spec["answers"][0]
    assert predicted == "1"


def test_the_transaction_solution_sends_the_offsets_before_it_commits():
    """Offsets sent after commit_transaction() belong to no transaction (_STATE): the order is the lesson."""
    snippet = next(s for s in step(CONSUMER, "exactly-once").snippets if s.exercise == "eos-loop")
    calls = (
        "producer.produce(",
        "retry(lambda: producer.send_offsets_to_transaction(",
        "retry(lambda: producer.commit_transaction(",
    )
    positions = [snippet.solution.index(call) for call in calls]
    assert positions == sorted(positions)
    starter = "\n".join(line for line in snippet.code.splitlines() if not line.strip().startswith("#"))
    assert not any(call in starter for call in calls)  # the student writes all three
