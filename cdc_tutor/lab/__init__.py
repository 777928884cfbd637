"""The labs a lesson runs against: one entry, `open_lab(settings, lesson)`, returning a started Lab.

The embedded lab (the default, no network) honours the lesson's `lab:` options; with
`bootstrap_servers` set (lab mode) it is the real stack, the same for every lesson. Importing this
package is cheap: the lab implementations (and confluent_kafka) load when a lab is opened.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cdc_tutor.lab.options import CDC_TOPICS, JVM_ENGINES, LabOptions, options_for
from cdc_tutor.lab.protocol import Lab, SourceDatabase

if TYPE_CHECKING:
    from cdc_tutor.lab.embedded import EmbeddedLab
    from cdc_tutor.lab.external import ExternalLab

__all__ = [
    "CDC_TOPICS",
    "EmbeddedLab",
    "ExternalLab",
    "Lab",
    "LabOptions",
    "SourceDatabase",
    "embedded_lab",
    "cdc_topic_prefix",
    "lab_key",
    "open_lab",
    "options_for",
]


def open_lab(settings: Any, lesson: Any = None) -> Lab:
    """The lab `lesson` (None: any lesson) asks for under `settings`, started. Blocking: call it off
    the UI thread. Lab mode (settings.bootstrap_servers) opens the real stack, with outages when it
    is this user's own native stack (and its PostgreSQL as the source when no DSN is set);
    otherwise a fresh embedded lab with the lesson's options."""
    bootstrap = getattr(settings, "bootstrap_servers", None)
    if bootstrap:
        from cdc_tutor.lab.external import ExternalLab
        from cdc_tutor.stack.outage import native_dsn_for, native_outage_for, native_redis_for, own_native_stack

        stack = own_native_stack(settings.data_dir, bootstrap)
        dsn = getattr(settings, "postgres_dsn", None) or native_dsn_for(stack)
        redis_url = getattr(settings, "redis_url", None) or native_redis_for(stack)
        return ExternalLab(bootstrap, dsn, native_outage_for(stack), redis_url).start()
    from cdc_tutor.lab.jvm_broker import BrokerUnavailable

    options = options_for(lesson)
    try:
        return embedded_lab(options, settings.data_dir).start()
    except BrokerUnavailable as reason:
        if getattr(lesson, "engine", "python") in JVM_ENGINES:
            raise  # Java clients cannot use the mock
        # A Python lesson that asks for a real broker still runs without Java or its set-up: on
        # the mock, with `realKafka` checks waived and the reason shown to the student.
        lab = embedded_lab(replace(options, broker="mock"), settings.data_dir).start()
        lab.fallback = str(reason)
        return lab


def embedded_lab(options: LabOptions, data_dir: Any) -> EmbeddedLab:
    """The tutor's own lab (not started): the mock cluster, or with `broker: kafka` a real broker
    as a child JVM (Java clients, exactly-once; `cdc-tutor setup kafka` once)."""
    from cdc_tutor.lab.embedded import EmbeddedLab

    if options.broker == "kafka":
        from cdc_tutor.lab.jvm_broker import JvmBroker

        return EmbeddedLab(options, lambda: JvmBroker(data_dir).start())
    return EmbeddedLab(options)


def lab_key(settings: Any, lesson: Any = None) -> tuple[str, Any]:
    """Equal keys mean open_lab would open the same kind of lab: the TUI keeps a running lab whose
    key matches the next lesson's and opens another one otherwise."""
    bootstrap = getattr(settings, "bootstrap_servers", None)
    return ("external", bootstrap) if bootstrap else ("embedded", options_for(lesson))


def cdc_topic_prefix(settings: Any, lesson: Any = None) -> str:
    """The topic prefix of the CDC topics `lesson` reads (`tutor.topic`): the embedded labs encode
    the lesson's `decimalMode` under dbserver1; the real stack serves each mode it runs a
    connector for under its own prefix (precise: dbserver1, string: dbserver1_string_decimals)."""
    from cdc_tutor.stack.config import STACK_TOPIC_PREFIXES, TOPIC_PREFIX

    if getattr(settings, "bootstrap_servers", None):
        return STACK_TOPIC_PREFIXES.get(options_for(lesson).decimal_mode, TOPIC_PREFIX)
    return TOPIC_PREFIX


def __getattr__(name: str) -> Any:  # PEP 562: the implementations import confluent_kafka
    if name == "EmbeddedLab":
        from cdc_tutor.lab.embedded import EmbeddedLab

        return EmbeddedLab
    if name == "ExternalLab":
        from cdc_tutor.lab.external import ExternalLab

        return ExternalLab
    raise AttributeError(name)
