"""Installs the `tutor` module in a kernel: tutor_helpers.py and tutor_clusters.py (one module),
plus the Kafka source it is given.

Runs as one silent execute that leaves no names behind but `tutor` (hidden from the variables
list) and `sys.modules["tutor"]`, so `import tutor` works in lesson code too.
"""

from __future__ import annotations

from pathlib import Path

HELPERS = (Path(__file__).with_name("tutor_helpers.py"), Path(__file__).with_name("tutor_clusters.py"))
"""The module's source files, run in this order in the one `tutor` namespace."""


def tutor_install_code(kafka_source: str | None = None) -> str:
    """The cell that installs `tutor`; `kafka_source` is cdc_tutor/kafka/state.py's text (the
    kernel layer does not import the Kafka layer, the runner hands the source over)."""
    sources = [(path.name, path.read_text(encoding="utf-8")) for path in HELPERS]
    return (
        "def __cdc_tutor_install():\n"
        "    import sys, types\n"
        "    tutor = types.ModuleType('tutor', 'Helpers of cdc-tutor for lesson code.')\n"
        f"    for name, source in {sources!r}:\n"
        "        exec(compile(source, 'tutor/' + name, 'exec'), tutor.__dict__)\n"
        f"    kafka_source = {kafka_source!r}\n"
        "    if kafka_source:\n"
        "        kafka = types.ModuleType('tutor_kafka')\n"
        "        try:\n"
        "            exec(compile(kafka_source, 'tutor_kafka', 'exec'), kafka.__dict__)\n"
        "            tutor._kafka = kafka\n"
        "        except Exception as error:  # e.g. no confluent_kafka in this environment\n"
        "            tutor._kafka_error = '%s: %s' % (type(error).__name__, error)\n"
        "    sys.modules['tutor'] = tutor\n"
        "    shell = get_ipython()\n"
        "    shell.user_ns['tutor'] = tutor\n"
        "    shell.user_ns_hidden['tutor'] = tutor\n"
        "__cdc_tutor_install()\n"
        "del __cdc_tutor_install\n"
    )
