"""Create or refresh an engine environment: venv with pinned packages, Kafka connector jars, manifest.

Idempotent: a complete environment matching the catalog is left alone (a few file checks);
an interrupted one is resumed (pip and the jar cache skip what is already there); `force` rebuilds.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cdc_tutor import strings
from cdc_tutor.engines import (
    MANIFEST_FORMAT,
    complete_manifest,
    engine_dir,
    engine_env,
    jars_dir,
    manifest_path,
    venv_dir,
    venv_python,
)
from cdc_tutor.engines.catalog import ENGINES, MAVEN_CENTRAL, Engine, Jar
from cdc_tutor.engines.java import check_java
from cdc_tutor.maven import MavenFailed, copy_dependencies


class SetupError(Exception):
    """A step failed; the message (Russian) says what failed and what to do."""


@dataclass(frozen=True)
class SetupResult:
    engine: str
    changed: bool
    seconds: float
    manifest: dict


Report = Callable[[str], None]


def setup_engine(
    name: str, data_dir: Path, *, force: bool = False, report: Report = print, maven: str = "auto"
) -> SetupResult:
    """Make `<data_dir>/engines/<name>` complete. Raises SetupError with a user-facing message."""
    started = time.monotonic()
    engine = ENGINES[name]
    java = check_java()
    if not java.ok:
        raise SetupError(java.problem)
    home = _private_dir(engine_dir(name, data_dir))
    with _Lock(home / ".lock"):
        if not force and (manifest := complete_manifest(name, data_dir)) is not None:
            report(
                strings.ENV_READY.format(
                    name=name,
                    package=engine.package,
                    version=engine.version,
                    jars=len(manifest["jars"]),
                    size_mb=manifest.get("size_mb", "?"),
                )
            )
            return SetupResult(name, False, time.monotonic() - started, manifest)
        report(strings.ENV_CREATING.format(name=name, title=engine.title, version=engine.version, home=home))
        report(f"Java {java.version}: {java.path}")
        manifest_path(name, data_dir).unlink(missing_ok=True)  # incomplete until the end
        if force:
            shutil.rmtree(venv_dir(name, data_dir), ignore_errors=True)
            shutil.rmtree(jars_dir(name, data_dir), ignore_errors=True)
        python = _ensure_venv(engine, venv_dir(name, data_dir), report)
        _pip_install(engine, python, report)
        jars = _fetch_connector(engine, jars_dir(name, data_dir), maven, report)
        report(strings.ENV_VERIFYING)
        facts = _verify(engine, python)
        manifest = {
            "format": MANIFEST_FORMAT,
            "engine": name,
            "complete": True,
            "fingerprint": engine.fingerprint(),
            "package": engine.package,
            "version": facts["version"],
            "requirements": list(engine.requirements),
            "python": str(python),
            "python_version": facts["python_version"],
            "site_packages": facts["site_packages"],
            "java": {"path": str(java.path), "version": java.version},
            "jars": jars,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "setup_seconds": round(time.monotonic() - started, 1),
            "size_mb": round(_tree_size(home) / 1e6),
        }
        write_private_json(manifest_path(name, data_dir), manifest)
    report(
        strings.ENV_DONE.format(
            name=name, seconds=manifest["setup_seconds"], size_mb=manifest["size_mb"], python=python
        )
    )
    return SetupResult(name, True, time.monotonic() - started, manifest)


def find_base_python(engine: Engine) -> Path:
    """This interpreter if the engine supports its version, else python3.X on PATH, newest first."""
    current = f"{sys.version_info.major}.{sys.version_info.minor}"
    if current in engine.python_versions:
        return Path(getattr(sys, "_base_executable", None) or sys.executable)
    for version in reversed(engine.python_versions):
        if found := shutil.which(f"python{version}"):
            return Path(found)
    raise SetupError(
        strings.ENV_NO_PYTHON.format(
            package=engine.package,
            version=engine.version,
            supported=", ".join(engine.python_versions),
            current=current,
            newest=engine.python_versions[-1],
        )
    )


def _ensure_venv(engine: Engine, venv: Path, report: Report) -> Path:
    python = venv_python(venv)
    if python.is_file() and _python_version(python) in engine.python_versions:
        return python  # resuming: pip below skips what is already installed
    base = find_base_python(engine)
    shutil.rmtree(venv, ignore_errors=True)
    report(strings.ENV_CREATING_VENV.format(base=base))
    _run([str(base), "-m", "venv", str(venv)], strings.ENV_WHAT_VENV, strings.ENV_ADVICE_VENV)
    return python


def _pip_install(engine: Engine, python: Path, report: Report) -> None:
    report(strings.ENV_INSTALLING.format(packages=", ".join(engine.requirements)))
    _run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--progress-bar",
            "off",
            *engine.requirements,
        ],
        strings.ENV_WHAT_PIP,
        strings.ENV_ADVICE_PIP,
    )


def _fetch_connector(engine: Engine, target: Path, maven: str, report: Report) -> list[dict]:
    if _jars_match(engine, target):
        report(strings.ENV_JARS_PRESENT.format(target=target))
    else:
        use_maven = maven == "maven" or (maven == "auto" and shutil.which("mvn"))
        how = strings.ENV_VIA_MAVEN if use_maven else strings.ENV_VIA_CENTRAL
        report(strings.ENV_FETCHING_JARS.format(how=how, coordinate=engine.connector.coordinate))
    return fetch_jars(engine, target, maven=maven)


_VERIFY = """
import json, sys, sysconfig, io, contextlib
out = io.StringIO()
with contextlib.redirect_stdout(out):
    exec(compile(sys.argv[1], "<import check>", "exec"))
print(json.dumps({"version": out.getvalue().strip().splitlines()[-1],
                  "python_version": "%d.%d" % sys.version_info[:2],
                  "site_packages": sysconfig.get_paths()["purelib"]}))
"""


def _verify(engine: Engine, python: Path) -> dict:
    output = _run(
        [str(python), "-c", _VERIFY, engine.import_check],
        strings.ENV_WHAT_VERIFY,
        strings.ENV_ADVICE_RECREATE.format(name=engine.name),
    )
    facts = json.loads(output.strip().splitlines()[-1])
    if facts["version"] != engine.version:
        raise SetupError(
            strings.ENV_WRONG_VERSION.format(
                name=engine.name, package=engine.package, found=facts["version"], expected=engine.version
            )
        )
    return facts


def _run(command: list[str], what: str, advice: str) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=engine_env())
    except OSError as error:
        raise SetupError(strings.ENV_RUN_FAILED_TO_START.format(what=what, error=error, advice=advice)) from None
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip().splitlines()
        urls = sorted({url.rstrip(".,:;)'\"") for line in output for url in re.findall(r"https?://\S+", line)})
        tail = "\n    ".join(output[-15:])
        failed_urls = strings.ENV_FAILED_URLS.format(urls=", ".join(urls)) if urls else ""
        raise SetupError(
            strings.ENV_RUN_FAILED.format(
                what=what, code=done.returncode, failed_urls=failed_urls, tail=tail, advice=advice
            )
        )
    return done.stdout


def _private_dir(path: Path) -> Path:
    """Create path and engines/ above it with mode 0700 (the data dir holds per-user state)."""
    path.parent.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    for directory in (path.parent, path):
        directory.mkdir(mode=0o700, exist_ok=True)
    path.parent.chmod(0o700)
    path.chmod(0o700)
    return path


def write_private_json(path: Path, data: dict) -> None:
    """Write atomically (temp file + rename in the same dir) with mode 0600."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _python_version(python: Path) -> str | None:
    try:
        done = subprocess.run(
            [str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
            env=engine_env(),
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _tree_size(root: Path) -> int:
    total = 0
    for directory, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(directory, name)).st_size
            except OSError:
                pass
    return total


class _Lock:
    """An exclusive lock on a file, so two `setup` runs for one engine do not interleave."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> _Lock:
        self.handle = os.fdopen(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), "r+")
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; concurrent setups are on the user
            return self
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        self.handle.close()


# --- Kafka connector jars -------------------------------------------------------------------


def fetch_jars(engine: Engine, target: Path, *, maven: str = "auto", local_repo: Path | None = None) -> list[dict]:
    """Put exactly engine.jars into target (checked against their SHA-1); return manifest entries.

    maven="auto" uses Maven when `mvn` is on PATH (it honours the user's settings.xml mirrors and
    proxies, and resolves the connector's dependencies itself, which must equal the pinned list);
    otherwise, or with maven="direct", the pinned jars are fetched from Maven Central over HTTPS.
    Both go through the local Maven repository (~/.m2/repository), so a second fetch is offline.
    """
    local_repo = local_repo or Path.home() / ".m2" / "repository"
    if not _jars_match(engine, target):
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(mode=0o700, parents=True)
        if maven == "maven" or (maven == "auto" and shutil.which("mvn")):
            _maven_copy(engine, staging, local_repo)
        else:
            for jar in engine.jars:
                shutil.copyfile(_cached_download(jar, local_repo), staging / jar.filename)
        got = sorted(path.name for path in staging.iterdir())
        expected = sorted(jar.filename for jar in engine.jars)
        if got != expected:
            raise SetupError(
                strings.ENV_JARS_MISMATCH.format(coordinate=engine.connector.coordinate, got=got, expected=expected)
            )
        if not _jars_match(engine, staging):
            raise SetupError(strings.ENV_JARS_CHECKSUM.format(staging=staging))
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    return [
        {
            "file": jar.filename,
            "coordinate": jar.coordinate,
            "sha1": jar.sha1,
            "size": (target / jar.filename).stat().st_size,
        }
        for jar in engine.jars
    ]


def _jars_match(engine: Engine, directory: Path) -> bool:
    if not directory.is_dir():
        return False
    names = {path.name for path in directory.iterdir()}
    return names == {jar.filename for jar in engine.jars} and all(
        _sha1(directory / jar.filename) == jar.sha1 for jar in engine.jars
    )


def _sha1(path: Path) -> str:
    digest = hashlib.sha1()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <!-- Generated by cdc-tutor setup: the Kafka connector of {engine} and its runtime closure. -->
  <modelVersion>4.0.0</modelVersion>
  <groupId>cdc-tutor</groupId><artifactId>{engine}-kafka-connector</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies><dependency>
    <groupId>{group}</groupId><artifactId>{artifact}</artifactId><version>{version}</version>
    <exclusions>{exclusions}</exclusions>
  </dependency>{extras}</dependencies>
</project>
"""


def connector_pom(engine: Engine) -> str:
    """A pom whose runtime dependencies are the connector minus what the engine package ships."""
    exclusions = "".join(
        f"<exclusion><groupId>{group}</groupId><artifactId>{artifact}</artifactId></exclusion>"
        for group, _, artifact in (pair.partition(":") for pair in engine.provided)
    )
    # Extras come without their dependencies: exactly the pinned jar (Maven's wildcard exclusion).
    extras = "".join(
        f"<dependency><groupId>{jar.group}</groupId><artifactId>{jar.artifact}</artifactId>"
        f"<version>{jar.version}</version><exclusions><exclusion><groupId>*</groupId>"
        "<artifactId>*</artifactId></exclusion></exclusions></dependency>"
        for jar in engine.extras
    )
    root = engine.connector
    return _POM.format(
        engine=engine.name,
        group=root.group,
        artifact=root.artifact,
        version=root.version,
        exclusions=exclusions,
        extras=extras,
    )


def _maven_copy(engine: Engine, staging: Path, local_repo: Path) -> None:
    try:
        copy_dependencies(connector_pom(engine), staging, local_repo)
    except MavenFailed as failed:
        output = failed.output.splitlines()
        urls = sorted({url.rstrip(".,:;)'\"") for line in output for url in re.findall(r"https?://\S+", line)})
        failed_urls = strings.ENV_FAILED_URLS.format(urls=", ".join(urls)) if urls else ""
        raise SetupError(
            strings.ENV_MAVEN_FAILED.format(
                coordinate=engine.connector.coordinate,
                failed=failed,
                failed_urls=failed_urls,
                output=failed.output,
                name=engine.name,
            )
        ) from None


def _cached_download(jar: Jar, local_repo: Path) -> Path:
    cached = local_repo / jar.repo_path
    if cached.is_file() and _sha1(cached) == jar.sha1:
        return cached
    url = f"{os.environ.get('CDC_TUTOR_MAVEN_REPO', MAVEN_CENTRAL).rstrip('/')}/{jar.repo_path}"
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_name(cached.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(partial, "wb") as handle:
            shutil.copyfileobj(response, handle, 1 << 20)
    except (urllib.error.URLError, OSError) as error:
        partial.unlink(missing_ok=True)
        reason = getattr(error, "reason", error)
        raise SetupError(strings.ENV_DOWNLOAD_FAILED.format(url=url, reason=reason)) from None
    if _sha1(partial) != jar.sha1:
        partial.unlink(missing_ok=True)
        raise SetupError(strings.ENV_DOWNLOAD_CORRUPT.format(url=url, sha1=jar.sha1))
    partial.replace(cached)
    return cached
