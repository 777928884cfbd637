"""Resolve each classpath's jars with `mvn dependency:copy-dependencies` into the cache, once."""

from __future__ import annotations

import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from cdc_tutor.maven import MavenFailed, copy_dependencies
from cdc_tutor.stack.catalog import CLASSPATHS, Classpath


class StackError(Exception):
    """A bring-up step failed; the message says what and how to fix it."""


def classpath_dir(cache_dir: Path, name: str) -> Path:
    return Path(cache_dir) / name


def resolve_ready(cache_dir: Path, classpath: Classpath) -> bool:
    """`classpath` was resolved completely into `cache_dir` (no Maven needed to use it)."""
    return _ready(classpath_dir(cache_dir, classpath.name), classpath)


def _ready(target: Path, classpath: Classpath) -> bool:
    try:
        marker = json.loads((target / "classpath.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("fingerprint") == classpath.fingerprint() and all(
        (target / "jars" / name).is_file() for name in marker.get("jars", [])
    )


def resolve(classpath: Classpath, cache_dir: Path, maven_repo: Path, report=print) -> Path:
    """The directory of `classpath`'s jars, resolving them first unless a complete copy exists.

    Staged and renamed, so an interrupted run never leaves a half-filled directory that looks done.
    """
    target = classpath_dir(cache_dir, classpath.name)
    if _ready(target, classpath):
        return target / "jars"
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    with _locked(Path(cache_dir) / f".{classpath.name}.lock"):  # two bring-ups at once resolve once
        if not _ready(target, classpath):
            _resolve(classpath, target, cache_dir, maven_repo, report)
    return target / "jars"


@contextmanager
def _locked(path: Path):
    import fcntl

    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _resolve(classpath: Classpath, target: Path, cache_dir: Path, maven_repo: Path, report) -> None:
    report(f"resolving {classpath.name} jars with Maven (first time only)...")
    staging = Path(tempfile.mkdtemp(prefix=f".{classpath.name}.", dir=cache_dir))
    try:
        try:
            jars = copy_dependencies(classpath.pom(), staging / "jars", maven_repo)
        except MavenFailed as failed:
            raise StackError(
                f"Maven could not resolve {classpath.name} ({failed}):\n  {failed.output}\nMaven Central "
                "(or a mirror in ~/.m2/settings.xml) must be reachable; rerun when it is."
            ) from None
        (staging / "classpath.json").write_text(
            json.dumps({"fingerprint": classpath.fingerprint(), "jars": jars}, indent=1), encoding="utf-8"
        )
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def resolve_all(cache_dir: Path, maven_repo: Path, report=print) -> dict[str, Path]:
    return {name: resolve(classpath, cache_dir, maven_repo, report) for name, classpath in CLASSPATHS.items()}
