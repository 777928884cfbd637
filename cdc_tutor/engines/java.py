"""Find the Java runtime Flink and Spark need and check that it is 17 or newer."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

REQUIRED_MAJOR = 17

INSTALL_HINT = (
    "Установите Java 17 или новее: Debian/Ubuntu — `sudo apt install openjdk-17-jre-headless`, "
    "macOS — `brew install openjdk@17`, Windows — https://adoptium.net; затем откройте новый "
    "терминал или укажите JAVA_HOME на каталог JDK."
)

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
    """"17.0.15" -> 17, "1.8.0_392" -> 8, "21-ea" -> 21."""
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
        where = (f"JAVA_HOME={env['JAVA_HOME']} не содержит bin/java" if env.get("JAVA_HOME")
                 else "java не найдена ни в PATH, ни через JAVA_HOME")
        return JavaCheck(None, None, None, f"Java не найдена: {where}. {INSTALL_HINT}")
    try:
        done = subprocess.run([str(path), "-version"], capture_output=True, text=True, timeout=30, env=env)
    except (OSError, subprocess.TimeoutExpired) as error:
        return JavaCheck(path, None, None, f"Не удалось запустить {path} -version: {error}. {INSTALL_HINT}")
    match = _VERSION.search(done.stderr + done.stdout)
    if done.returncode != 0 or match is None:
        output = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["(нет вывода)"]
        return JavaCheck(path, None, None,
                         f"{path} -version завершилась с ошибкой: {output[0]}. {INSTALL_HINT}")
    version = match.group("version")
    major = parse_major(version)
    if major is None or major < REQUIRED_MAJOR:
        return JavaCheck(path, version, major,
                         f"Java {version} ({path}) слишком старая: нужна {REQUIRED_MAJOR} или новее. "
                         f"{INSTALL_HINT}")
    return JavaCheck(path, version, major, None)
