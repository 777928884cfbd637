"""`cdc-tutor workshop up | status`: a workshop on one VM, for the instructor.

`up` brings up the native stack (or reuses the running one), creates the progress topic and writes
each student's settings (a config.toml per student, owner-only: it holds the stack's database
password). `status` reads the progress topic to its end and says, per student, what their last
`cdc-tutor doctor` found and where they are: the remote check before the first lesson.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from cdc_tutor import strings
from cdc_tutor.settings import FILE_AND_ENV

ACTIONS = ("up", "status")
DEFAULT_TOPIC = "workshop.progress"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=ACTIONS, help=strings.WORKSHOP_HELP_ACTION)
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--students", type=int, metavar="N", help=strings.WORKSHOP_HELP_STUDENTS)
    who.add_argument("--roster", type=Path, metavar="FILE", help=strings.WORKSHOP_HELP_ROSTER)
    parser.add_argument("--topic", default=DEFAULT_TOPIC, help=strings.WORKSHOP_HELP_TOPIC)
    parser.add_argument("--share-answers", action="store_true", help=strings.WORKSHOP_HELP_SHARE)
    parser.add_argument("--secure", action="store_true", help=strings.WORKSHOP_HELP_SECURE)
    parser.add_argument("--engines", action="store_true", help=strings.WORKSHOP_HELP_ENGINES)


SLOTS_PER_STUDENT = 2


def workshop_dir(settings) -> Path:
    from cdc_tutor.paths import private_dir

    return private_dir(Path(settings.data_dir), "workshop")


def run(args: argparse.Namespace, settings) -> int:
    from cdc_tutor.workshop.roster import RosterError

    try:
        return _up(args, settings) if args.action == "up" else _status(settings)
    except (RosterError, ConnectionError) as problem:
        print(f"cdc-tutor workshop {args.action}: {problem}", file=sys.stderr)
        return 2 if isinstance(problem, RosterError) else 1


def _students(args: argparse.Namespace) -> list[str]:
    from cdc_tutor.workshop.roster import RosterError, numbered, read_roster

    if args.roster is not None:
        try:
            return read_roster(args.roster.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise RosterError(f"cannot read the roster {args.roster}: {error}") from error
    if args.students is None:
        raise RosterError("say who comes: --students N or --roster FILE")
    return numbered(args.students)


def _up(args: argparse.Namespace, settings) -> int:
    students = _students(args)  # before anything starts: a bad roster costs nothing
    from confluent_kafka import KafkaException

    from cdc_tutor.commands.stack import bring_up, stack_config_of
    from cdc_tutor.kafka.progress_topic import ensure_topic
    from cdc_tutor.paths import private_dir, write_private
    from cdc_tutor.stack.jars import StackError
    from cdc_tutor.stack.native import NativeStack
    from cdc_tutor.workshop.roster import as_config_toml, student_settings

    config = stack_config_of(settings)
    if args.secure and not config.secure:
        if NativeStack(config).status().broker:
            raise ConnectionError(strings.WORKSHOP_STACK_NOT_SECURE)
        config = dataclasses.replace(config, secure=True)
    if args.engines:  # the room's engines; Flink: two slots a student (a stream and a query at once)
        config = dataclasses.replace(
            config, engines=True, flink_slots=max(config.flink_slots, SLOTS_PER_STUDENT * len(students))
        )
    stack = NativeStack(config, report=lambda line: print(line, file=sys.stderr, flush=True))
    try:
        figures, lab = bring_up(stack)
        ensure_topic(stack.config.bootstrap_servers, args.topic)
        passwords = _kafka_users(stack, students, args.topic) if stack.config.secure else {}
    except (StackError, KafkaException) as problem:
        raise ConnectionError(str(problem)) from problem
    folder = workshop_dir(settings)
    configs = private_dir(folder, "students")
    for student in students:
        settings_of = student_settings(student, lab, args.topic, args.share_answers, passwords.get(student))
        write_private(configs / f"{student}.toml", as_config_toml(settings_of))
    # the instructor's own tools (instructor view) as the stack's admin: owner only
    write_private(folder / "instructor.toml", as_config_toml({**lab, FILE_AND_ENV["workshop_topic"]: args.topic}))
    plan = {"topic": args.topic, "students": students, "share_answers": args.share_answers}
    write_private(folder / "workshop.json", json.dumps(plan, indent=1))
    print(strings.WORKSHOP_UP.format(
        students=len(students), seconds=figures["seconds"]["total"], mib=figures["memory_kib"]["total"] // 1024,
    ))  # fmt: skip
    for student in students:
        print(f"  {student:<12} {configs / f'{student}.toml'}")
    print(strings.WORKSHOP_HAND_OUT.format(folder=configs))
    print(strings.WORKSHOP_INSTRUCTOR.format(config=folder / "instructor.toml"))
    if stack.config.secure:
        print(strings.WORKSHOP_SECURE)
    return 0


def _kafka_users(stack, students: list[str], topic: str) -> dict[str, str]:
    """Each student's Kafka user and ACLs on a secure stack: their password by name."""
    from cdc_tutor.kafka.users import student_acls
    from cdc_tutor.stack import security
    from cdc_tutor.stack.config import CONNECTORS

    prefixes = tuple(spec.topic_prefix for spec in CONNECTORS)

    def acls_of(name: str) -> list:
        return student_acls(name, prefixes, topic)

    return security.add_students(stack.config.bootstrap_servers, stack.secrets, students, acls_of)


def _status(settings) -> int:
    from cdc_tutor.commands.stack import stack_config_of
    from cdc_tutor.kafka.progress_topic import read_to_end
    from cdc_tutor.workshop.room import Room

    try:
        plan = json.loads((workshop_dir(settings) / "workshop.json").read_text(encoding="utf-8"))
        students, topic = list(plan["students"]), str(plan["topic"])
    except (OSError, ValueError, KeyError, TypeError):
        print(strings.WORKSHOP_NO_PLAN, file=sys.stderr)
        return 2
    config = stack_config_of(settings)
    if config.secure:
        from cdc_tutor.stack.security import Secrets, log_in_as_admin

        log_in_as_admin(config.bootstrap_servers, Secrets(config.state_dir))
    bootstrap = settings.bootstrap_servers or config.bootstrap_servers
    room = Room()
    for event in read_to_end(bootstrap, topic):
        room.apply(event)
    ready = 0
    for student in students:
        row = room.rows.get(student)
        health = row.health if row else ""
        ready += health in ("ok", "warn")
        where = f"{row.lesson.split('/')[-1]} / {row.step}" if row and row.lesson else "—"
        verdict = strings.WORKSHOP_VERDICT[health]
        detail = f": {row.health_detail[:90]}" if row and row.health_detail else ""
        print(f"{student:<12} {verdict:<14} {where}{detail}")
    strangers = sorted(set(room.rows) - set(students))
    if strangers:
        print(strings.WORKSHOP_STRANGERS.format(names=", ".join(strangers)))
    print(strings.WORKSHOP_READY.format(ready=ready, students=len(students)))
    return 0 if ready == len(students) else 3
