"""The one Maven resolver: `mvn dependency:copy-dependencies` of a generated pom into a folder.

The native stack (Kafka, Connect, Debezium) and the engine set-up (the Flink/Spark Kafka
connectors) both fetch jars this way, so Maven's mirrors and proxies in ~/.m2/settings.xml apply
to both, and a second fetch is offline from the local repository.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
INSTALL_HINT = "apt-get install maven (Debian/Ubuntu) or brew install maven"


class MavenFailed(Exception):
    """Maven is missing or could not resolve; `output` holds the end of what it printed."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


def copy_dependencies(pom: str, target: Path, local_repo: Path, *, timeout: float | None = None) -> list[str]:
    """Resolve `pom`'s runtime dependencies into `target` (created); the jar names, sorted."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise MavenFailed(f"Maven (mvn) is not installed: {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="cdc-tutor-pom-") as work:
        pom_file = Path(work) / "pom.xml"
        pom_file.write_text(pom, encoding="utf-8")
        command = [
            mvn, "-B", "-q", "-f", str(pom_file), f"-Dmaven.repo.local={local_repo}",
            f"{DEPENDENCY_PLUGIN}:copy-dependencies", f"-DoutputDirectory={target}", "-DincludeScope=runtime",
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise MavenFailed(f"Maven did not finish in {timeout:.0f} s") from None
    if done.returncode != 0:
        tail = "\n  ".join((done.stdout + done.stderr).strip().splitlines()[-12:])
        raise MavenFailed(f"mvn exited with {done.returncode}", tail)
    return sorted(path.name for path in Path(target).glob("*.jar"))
