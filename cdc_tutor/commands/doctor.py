"""`cdc-tutor doctor`: check everything the tutor depends on; every failure says how to fix it.

Checks are plain functions `check(settings) -> list[Finding]` in CHECKS, run in order; add one by
appending `Check(name, title, function)` (`Finding.from_tuple` adapts (ok, message, fix) checks).
A check that does not apply (e.g. the lab stack without --bootstrap-servers) returns [].
Exit status 1 when any finding failed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from cdc_tutor import strings

HELP = strings.DOCTOR_HELP

REINSTALL = strings.DOCTOR_REINSTALL
PYTHON_DEPS = (  # (import name, distribution shown to the student)
    ("textual", "textual"),
    ("yaml", "PyYAML"),
    ("platformdirs", "platformdirs"),
    ("confluent_kafka", "confluent-kafka"),
    ("pandas", "pandas"),
    ("pyarrow", "pyarrow"),
    ("jupyter_client", "jupyter_client"),
    ("ipykernel", "ipykernel"),
    ("IPython", "ipython"),
    ("zmq", "pyzmq"),
)
ENGINE_MODULES = {"flink": "pyflink", "spark": "pyspark", "flink-spark": "pyspark"}
ENGINE_PROBE_TIMEOUT = 120
REPORT_TIMEOUT = 5.0  # seconds to deliver the report to a workshop's broker


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was checked, what was found, and how to fix a failure."""

    ok: bool
    title: str
    detail: str = ""
    fix: str = ""
    warning: bool = False
    """Not ok, but only later lessons need it: a WARN line, and the exit status stays 0."""

    @classmethod
    def from_tuple(cls, title: str, check: tuple[bool, str, str]) -> Finding:
        """A finding from an (ok, message, fix) check such as cdc_tutor.stack.doctor_checks'."""
        ok, message, fix = check
        return cls(ok, title, message, fix)


@dataclass(frozen=True)
class Check:
    name: str
    """For --only / --skip."""
    title: str
    run: Callable[..., list[Finding]]


def check_python_deps(settings) -> list[Finding]:
    found, missing = [], []
    for module, distribution in PYTHON_DEPS:
        try:
            imported = importlib.import_module(module)
        except Exception as error:  # noqa: BLE001 - a broken install raises more than ImportError
            missing.append(f"{distribution} ({type(error).__name__}: {error})")
        else:
            found.append(f"{distribution} {getattr(imported, '__version__', '?')}")
    if missing:
        missing_text = strings.DOCTOR_DEPS_MISSING.format(missing="; ".join(missing))
        return [Finding(False, strings.DOCTOR_TITLE_DEPS, missing_text, REINSTALL)]
    return [Finding(True, strings.DOCTOR_TITLE_DEPS, ", ".join(found))]


def engine_lessons(settings, engines) -> str:
    """The lessons of the course that run on `engines`, by number ("03, 04"), for a warning."""
    from cdc_tutor.course.loader import load_course

    try:
        lessons = load_course(settings.lessons_dir).lessons()
    except Exception:  # noqa: BLE001 - the lessons check reports a broken course itself
        lessons = []
    numbers = [lesson.id.rpartition("/")[2].split("-")[0] for lesson in lessons if lesson.engine in engines]
    if not numbers:
        return strings.DOCTOR_NO_ENGINE_LESSONS.format(engines="/".join(sorted(engines)))
    return strings.DOCTOR_ENGINE_LESSONS.format(lessons=", ".join(sorted(numbers)))


def check_java_runtime(settings) -> list[Finding]:
    from cdc_tutor.engines.java import check_java

    java = check_java()
    if java.ok:
        return [Finding(True, "Java", f"{java.version} ({java.path})")]
    needed = strings.DOCTOR_JAVA_NEEDED.format(lessons=engine_lessons(settings, set(ENGINE_MODULES)))
    return [Finding(False, "Java", needed, java.problem or "", warning=True)]


def check_engines(settings) -> list[Finding]:
    from cdc_tutor.engines import engine_env, engine_python

    findings = []
    for engine, module in ENGINE_MODULES.items():
        title = strings.DOCTOR_TITLE_ENGINE.format(engine=engine)
        python = engine_python(engine, settings.data_dir)
        if python is None:  # only the engine lessons need it: the tutor works without
            missing = strings.DOCTOR_ENGINE_MISSING.format(lessons=engine_lessons(settings, {engine}))
            findings.append(Finding(False, title, missing, f"cdc-tutor setup {engine}", warning=True))
            continue
        probe = f"import ipykernel, confluent_kafka, {module}; print({module}.__version__)"
        try:
            done = subprocess.run(
                [str(python), "-c", probe],
                capture_output=True,
                text=True,
                env=engine_env(),
                timeout=ENGINE_PROBE_TIMEOUT,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            problem = strings.DOCTOR_ENGINE_CANNOT_START.format(python=python, error=error)
            findings.append(Finding(False, title, problem, f"cdc-tutor setup {engine} --force"))
            continue
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["?"])[-1]
            problem = strings.DOCTOR_ENGINE_IMPORT_FAILED.format(last=last)
            findings.append(Finding(False, title, problem, f"cdc-tutor setup {engine} --force"))
        else:
            findings.append(Finding(True, title, f"{module} {done.stdout.strip()} ({python})"))
    return findings


def check_python_kernel(settings) -> list[Finding]:
    from cdc_tutor.kernel import KernelSession

    title = strings.DOCTOR_TITLE_KERNEL
    started = time.monotonic()
    session = KernelSession("python", cwd=settings.data_dir if settings.data_dir.is_dir() else None)
    try:
        session.wait_ready(timeout=60)
        result = session.execute("40 + 2", timeout=30)
        answer = result.result.text if result.result else result.status
    except Exception as error:  # noqa: BLE001 - reported with the fix
        problem = strings.DOCTOR_KERNEL_CANNOT_START.format(error=str(error).splitlines()[0])
        return [Finding(False, title, problem, REINSTALL)]
    finally:
        session.shutdown()
    if answer != "42":
        return [Finding(False, title, strings.DOCTOR_KERNEL_WRONG_ANSWER.format(answer=answer), REINSTALL)]
    return [Finding(True, title, strings.DOCTOR_KERNEL_READY.format(seconds=time.monotonic() - started))]


def check_embedded_lab(settings) -> list[Finding]:
    from cdc_tutor.kafka.state import read_topic
    from cdc_tutor.lab import EmbeddedLab
    from cdc_tutor.lab.options import LabOptions

    title = strings.DOCTOR_TITLE_LAB
    try:
        with EmbeddedLab(LabOptions(workload=False)) as lab:
            events = read_topic(lab.bootstrap_servers, "dbserver1.inventory.customers", max_messages=1, timeout=10)
            address, isolated = lab.bootstrap_servers, lab.broker.isolated
    except Exception as error:  # noqa: BLE001 - reported with the fix
        problem = strings.DOCTOR_LAB_FAILED.format(kind=type(error).__name__, error=error)
        return [Finding(False, title, problem, REINSTALL)]
    if not events:
        return [Finding(False, title, strings.DOCTOR_LAB_NO_EVENTS, REINSTALL)]
    found = [Finding(True, title, strings.DOCTOR_LAB_OK.format(address=address))]
    if not isolated:  # the lab works; on a machine shared with others its port is open to them
        found.append(Finding(False, strings.DOCTOR_TITLE_ISOLATION, strings.DOCTOR_NOT_ISOLATED, "", warning=True))
    return found


def check_online_store(settings) -> list[Finding]:
    """Lesson 07's Redis: the embedded lab's own server starts and answers; in lab mode the stack's
    (the configured URL, or this user's own native stack's) answers."""
    from cdc_tutor import redis_server

    title = strings.DOCTOR_TITLE_REDIS
    if settings.embedded:
        try:
            with redis_server.RedisServer() as server:
                version = server.version
        except redis_server.RedisUnavailable as error:
            return [Finding(False, title, strings.DOCTOR_REDIS_FAILED.format(error=error), strings.DOCTOR_REDIS_FIX)]
        embedded = strings.DOCTOR_REDIS_OK.format(version=version, where=strings.DOCTOR_REDIS_EMBEDDED)
        return [Finding(True, title, embedded)]
    from urllib.parse import urlsplit

    from cdc_tutor.stack.outage import native_redis_for, own_native_stack

    url = settings.redis_url or native_redis_for(own_native_stack(settings.data_dir, settings.bootstrap_servers))
    if not url:
        return [Finding(False, title, strings.DOCTOR_REDIS_UNSET, strings.DOCTOR_REDIS_SET_FIX, warning=True)]
    where = urlsplit(url)
    if not redis_server.ping((where.hostname or "127.0.0.1", where.port or 6379), timeout=3):
        return [Finding(False, title, strings.DOCTOR_REDIS_UNREACHABLE.format(url=url), strings.DOCTOR_REDIS_SET_FIX)]
    return [Finding(True, title, strings.DOCTOR_REDIS_STACK_OK.format(url=url))]


def check_flink_cluster(settings) -> list[Finding]:
    """The workshop's shared Flink cluster (flink_url), when one is configured: it answers, has a
    TaskManager, and has a free slot for this student's next job."""
    if not settings.flink_url:
        return []
    from cdc_tutor.engines.flink_rest import FlinkUnreachable, overview
    from cdc_tutor.stack.flink_cluster import SLOT_REQUEST_TIMEOUT_S

    title, url = strings.DOCTOR_TITLE_FLINK, settings.flink_url
    try:
        room = overview(url)
    except FlinkUnreachable as error:
        problem = strings.DOCTOR_FLINK_UNREACHABLE.format(url=url, error=error)
        return [Finding(False, title, problem, strings.DOCTOR_FLINK_FIX)]
    if room.taskmanagers == 0:
        return [Finding(False, title, strings.DOCTOR_FLINK_NO_TASKMANAGER.format(url=url), strings.DOCTOR_FLINK_FIX)]
    line = strings.DOCTOR_FLINK_OK.format(
        url=url, version=room.version, free=room.slots_available, total=room.slots_total, running=room.jobs_running
    )
    fix = strings.DOCTOR_FLINK_FULL_FIX.format(seconds=SLOT_REQUEST_TIMEOUT_S)
    return [Finding(room.slots_available > 0, title, line, fix, warning=True)]


def check_spark_server(settings) -> list[Finding]:
    """The workshop's shared Spark Connect server (spark_remote), when one is configured: its
    address is an sc:// URL and its port takes connections (it opens once the server's session is up)."""
    if not settings.spark_remote:
        return []
    from cdc_tutor.stack.spark_connect import answers, listener_uid, parse_remote

    title, url = strings.DOCTOR_TITLE_SPARK, settings.spark_remote
    try:
        host, port = parse_remote(url)
    except ValueError as error:
        return [
            Finding(False, title, strings.DOCTOR_SPARK_BAD_URL.format(url=url, error=error), strings.DOCTOR_SPARK_FIX)
        ]
    if not answers(port, host=host, timeout=3):
        return [Finding(False, title, strings.DOCTOR_SPARK_UNREACHABLE.format(url=url), strings.DOCTOR_SPARK_FIX)]
    found = [Finding(True, title, strings.DOCTOR_SPARK_OK.format(url=url))]
    owner = listener_uid(port) if host in ("127.0.0.1", "localhost") else None
    if owner is not None and owner not in (os.getuid(), 0):  # it cannot write this student's lesson folder
        found.append(Finding(False, title, strings.DOCTOR_SPARK_OTHER_USER.format(uid=owner), "", warning=True))
    return found


def check_lab_stack(settings) -> list[Finding]:
    """The real stack of lab mode (--bootstrap-servers): broker, topics, connector, PostgreSQL."""
    if settings.embedded:
        return []
    from cdc_tutor.stack import doctor_checks

    findings = [
        Finding.from_tuple(strings.DOCTOR_TITLE_BROKER, doctor_checks.check_broker(settings.bootstrap_servers)),
        Finding.from_tuple(strings.DOCTOR_TITLE_TOPICS, doctor_checks.check_topics(settings.bootstrap_servers)),
        Finding.from_tuple(strings.DOCTOR_TITLE_CONNECTOR, doctor_checks.check_connector(settings.connect_url)),
    ]
    if settings.postgres_dsn:
        findings.append(Finding.from_tuple("PostgreSQL", doctor_checks.check_wal_level(settings.postgres_dsn)))
    return findings


def check_config(settings) -> list[Finding]:
    if settings.config_problem:
        return [
            Finding(
                False,
                strings.DOCTOR_TITLE_CONFIG,
                settings.config_problem,
                strings.DOCTOR_CONFIG_FIX,
            )
        ]
    return []


def check_lessons(settings) -> list[Finding]:
    from cdc_tutor.course.lint import lint_report

    title = strings.DOCTOR_TITLE_LESSONS
    if not settings.lessons_dir.is_dir():
        return [
            Finding(
                False,
                title,
                strings.DOCTOR_LESSONS_MISSING.format(path=settings.lessons_dir),
                strings.DOCTOR_LESSONS_FIX,
            )
        ]
    report = lint_report(settings.lessons_dir)
    if report.problems:
        first = report.problems[0]
        return [
            Finding(
                False,
                title,
                strings.DOCTOR_LESSONS_PROBLEMS.format(count=len(report.problems), first=first),
                f"cdc-tutor lint {settings.lessons_dir}",
            )
        ]
    return [Finding(True, title, strings.DOCTOR_LESSONS_OK.format(count=report.lessons, path=settings.lessons_dir))]


CHECKS: list[Check] = [
    Check("deps", strings.DOCTOR_TITLE_DEPS, check_python_deps),
    Check("java", "Java", check_java_runtime),
    Check("engines", strings.DOCTOR_TITLE_ENGINES, check_engines),
    Check("kernel", strings.DOCTOR_TITLE_KERNEL, check_python_kernel),
    Check("config", strings.DOCTOR_TITLE_CONFIG, check_config),
    Check("lab", strings.DOCTOR_TITLE_LAB, check_embedded_lab),
    Check("stack", strings.DOCTOR_TITLE_STACK, check_lab_stack),
    Check("redis", strings.DOCTOR_TITLE_REDIS, check_online_store),
    Check("flink", strings.DOCTOR_TITLE_FLINK, check_flink_cluster),
    Check("spark", strings.DOCTOR_TITLE_SPARK, check_spark_server),
    Check("lessons", strings.DOCTOR_TITLE_LESSONS, check_lessons),
]


def run_checks(settings, checks: list[Check] | None = None) -> list[Finding]:
    """Every check's findings, in order; a check that crashes is a failed finding."""
    findings = []
    for check in CHECKS if checks is None else checks:
        try:
            findings.extend(check.run(settings))
        except Exception as error:  # noqa: BLE001 - doctor must report, not crash
            findings.append(
                Finding(
                    False,
                    check.title,
                    strings.DOCTOR_CHECK_CRASHED.format(kind=type(error).__name__, error=error),
                    strings.DOCTOR_CHECK_CRASHED_FIX,
                )
            )
    return findings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    names = ", ".join(check.name for check in CHECKS)
    parser.add_argument(
        "--only",
        action="append",
        default=None,
        metavar="CHECK",
        help=strings.DOCTOR_HELP_ONLY.format(names=names),
    )
    parser.add_argument("--skip", action="append", default=[], metavar="CHECK", help=strings.DOCTOR_HELP_SKIP)


def run(args: argparse.Namespace, settings) -> int:
    known = {check.name for check in CHECKS}
    unknown = [name for name in (args.only or []) + args.skip if name not in known]
    if unknown:
        print(f"cdc-tutor doctor: unknown check {unknown[0]!r}; known: {', '.join(sorted(known))}")
        return 2
    chosen = [
        check for check in CHECKS if (args.only is None or check.name in args.only) and check.name not in args.skip
    ]
    failed = warned = 0
    findings = run_checks(settings, chosen)
    for finding in findings:
        mark = "OK  " if finding.ok else "WARN" if finding.warning else "FAIL"
        print(f"{mark} {finding.title}: {finding.detail}", flush=True)
        if not finding.ok:
            failed += not finding.warning
            warned += finding.warning
            if finding.fix:
                print(strings.DOCTOR_FIX_LINE.format(fix=finding.fix), flush=True)
    if failed:
        print(strings.DOCTOR_PROBLEMS.format(count=failed))
    else:
        print(strings.DOCTOR_WARNINGS.format(count=warned) if warned else strings.DOCTOR_ALL_OK)
    if settings.workshop_topic and settings.bootstrap_servers:
        report_to_workshop(settings, findings)
    return 1 if failed else 0


def report_to_workshop(settings, findings: list[Finding]) -> bool:
    """In a workshop, the instructor sees each student's doctor verdict: publish it to the progress
    topic (what failed and why; nothing else). A broker that is not there costs a line, not the run."""
    from cdc_tutor.kafka.progress_topic import ProgressPublisher
    from cdc_tutor.workshop.events import doctor_event

    try:
        publisher = ProgressPublisher(settings.bootstrap_servers, settings.workshop_topic)
        publisher.publish(doctor_event(settings.user, findings, time.time()))
        sent = publisher.close(timeout=REPORT_TIMEOUT)
    except Exception:  # noqa: BLE001 - a bad address: the report is only a courtesy to the instructor
        sent = False
    message = strings.DOCTOR_REPORT_SENT if sent else strings.DOCTOR_REPORT_NOT_SENT
    print(message.format(topic=settings.workshop_topic), flush=True)
    return sent
