"""Engine environments (Flink, Spark): where they live and whether one is ready to use.

`cdc-tutor setup ENGINE` builds them (cdc_tutor.engines.setup); everything here only reads files,
so the kernel helper can ask on every lesson open.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cdc_tutor import strings
from cdc_tutor.engines.catalog import ENGINES, Engine

__all__ = ["ENGINES", "engine_python", "engine_jars", "missing_engine_hint", "engine_env", "complete_manifest"]

MANIFEST_FORMAT = 1


def engine_dir(engine: str, data_dir: Path) -> Path:
    return Path(data_dir) / "engines" / engine


def venv_dir(engine: str, data_dir: Path) -> Path:
    return engine_dir(engine, data_dir) / "venv"


def jars_dir(engine: str, data_dir: Path) -> Path:
    return engine_dir(engine, data_dir) / "jars"


def manifest_path(engine: str, data_dir: Path) -> Path:
    return engine_dir(engine, data_dir) / "engine.json"


def venv_python(venv: Path) -> Path:
    return venv / "Scripts" / "python.exe" if os.name == "nt" else venv / "bin" / "python"


def read_manifest(engine: str, data_dir: Path) -> dict | None:
    try:
        data = json.loads(manifest_path(engine, data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def dist_info_name(requirement: str) -> str:
    """ "apache-flink==2.2.1" -> "apache_flink-2.2.1.dist-info" (how pip names installed metadata)."""
    name, _, version = requirement.partition("==")
    return f"{name.replace('-', '_').replace('.', '_').lower()}-{version}.dist-info"


def complete_manifest(engine: str, data_dir: Path) -> dict | None:
    """The manifest when it describes a finished environment matching today's catalog, else None.

    Checks files only (no subprocess), so it is cheap enough for every lesson open.
    """
    spec: Engine | None = ENGINES.get(engine)
    manifest = read_manifest(engine, data_dir)
    if spec is None or manifest is None:
        return None
    if (
        manifest.get("format") != MANIFEST_FORMAT
        or manifest.get("complete") is not True
        or manifest.get("fingerprint") != spec.fingerprint()
    ):
        return None
    python = Path(manifest.get("python", ""))
    site_packages = Path(manifest.get("site_packages", ""))
    if not python.is_file() or not site_packages.is_dir():
        return None
    if not all((site_packages / dist_info_name(req)).is_dir() for req in spec.requirements):
        return None
    jars = jars_dir(engine, data_dir)
    for jar in manifest.get("jars", []):
        path = jars / jar.get("file", "")
        if not path.is_file() or path.stat().st_size != jar.get("size"):
            return None
    return manifest


def engine_python(engine: str, data_dir: Path) -> Path | None:
    """The engine venv's python when `cdc-tutor setup ENGINE` has completed, else None."""
    manifest = complete_manifest(engine, data_dir)
    return Path(manifest["python"]) if manifest else None


def engine_jars(engine: str, data_dir: Path) -> list[Path]:
    """The connector jars to put on the engine's classpath (pipeline.jars / spark.jars); [] if not set up."""
    manifest = complete_manifest(engine, data_dir)
    if manifest is None:
        return []
    return [jars_dir(engine, data_dir) / jar["file"] for jar in manifest["jars"]]


def missing_engine_hint(engine: str) -> str:
    """What a lesson says when its engine's environment is missing."""
    title = ENGINES[engine].title if engine in ENGINES else engine
    return strings.ENV_NOT_CREATED.format(engine=engine, title=title)


def engine_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment to start an engine venv's python (kernel, job) with: the tutor's own
    Python settings removed so nothing leaks into the engine's interpreter."""
    env = dict(os.environ if base is None else base)
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON"):
        env.pop(name, None)
    return env
