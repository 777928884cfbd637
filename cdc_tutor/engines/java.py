"""Find the Java runtime Flink and Spark need and check that it is 17 or newer."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cdc_tutor import strings

REQUIRED_MAJOR = 17

INSTALL_HINT = strings.JAVA_INSTALL_HINT

# `java -version` prints e.g. `openjdk version "17.0.15" 2025-04-15` or `java version "1.8.0_392"`
# to stderr, possibly after `Picked up JAVA_TOOL_OPTIONS: ...` lines.
_VERSION = re.compile(r'version "(?P<version>[^"]+)"')


@dataclass(frozen=True)
class JavaCheck:
    """What was found: the java binary, its version, and what is wrong (None when usable)."""

    path: Path | None
    version: str | None
    major: int | None
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def java_home(self) -> Path | None:
        """The JDK/JRE directory (the parent of bin/), resolving symlinks like /usr/bin/java."""
        if self.path is None:
            return None
        return self.path.resolve().parent.parent


def parse_major(version: str) -> int | None:
    """ "17.0.15" -> 17, "1.8.0_392" -> 8, "21-ea" -> 21."""
    match = re.match(r"(\d+)(?:\.(\d+))?", version)
    if match is None:
        return None
    first = int(match.group(1))
    if first == 1 and match.group(2) is not None:
        return int(match.group(2))
    return first


def locate_java(env: dict[str, str] | None = None) -> Path | None:
    """JAVA_HOME/bin/java when JAVA_HOME is set (as the engines' launchers do), else `java` on PATH."""
    env = os.environ if env is None else env
    if java_home := env.get("JAVA_HOME"):
        candidate = Path(java_home) / "bin" / ("java.exe" if os.name == "nt" else "java")
        return candidate if candidate.is_file() else None
    found = shutil.which("java", path=env.get("PATH"))
    return Path(found) if found else None


def check_java(env: dict[str, str] | None = None) -> JavaCheck:
    env = dict(os.environ if env is None else env)
    path = locate_java(env)
    if path is None:
        where = (
            strings.JAVA_HOME_WITHOUT_JAVA.format(java_home=env["JAVA_HOME"])
            if env.get("JAVA_HOME")
            else strings.JAVA_NOT_ON_PATH
        )
        return JavaCheck(None, None, None, strings.JAVA_NOT_FOUND.format(where=where, hint=INSTALL_HINT))
    try:
        done = subprocess.run([str(path), "-version"], capture_output=True, text=True, timeout=30, env=env)
    except (OSError, subprocess.TimeoutExpired) as error:
        return JavaCheck(path, None, None, strings.JAVA_CANNOT_RUN.format(path=path, error=error, hint=INSTALL_HINT))
    match = _VERSION.search(done.stderr + done.stdout)
    if done.returncode != 0 or match is None:
        output = (done.stderr or done.stdout).strip().splitlines()[-1:] or [strings.JAVA_NO_OUTPUT]
        problem = strings.JAVA_VERSION_FAILED.format(path=path, output=output[0], hint=INSTALL_HINT)
        return JavaCheck(path, None, None, problem)
    version = match.group("version")
    major = parse_major(version)
    if major is None or major < REQUIRED_MAJOR:
        return JavaCheck(
            path,
            version,
            major,
            strings.JAVA_TOO_OLD.format(version=version, path=path, required=REQUIRED_MAJOR, hint=INSTALL_HINT),
        )
    return JavaCheck(path, version, major, None)
