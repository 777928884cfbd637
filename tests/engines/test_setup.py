"""`cdc-tutor setup flink|spark` builds real environments; re-running changes nothing; lookups work."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cdc_tutor.engines import (
    ENGINES,
    engine_env,
    engine_jars,
    engine_python,
    manifest_path,
    missing_engine_hint,
)
from cdc_tutor.engines.java import REQUIRED_MAJOR, check_java, parse_major
from cdc_tutor.engines.setup import SetupError, fetch_jars, write_private_json
from tests.engines import ensure_engine, run_setup

PER_ENGINE = pytest.mark.parametrize("engine", sorted(ENGINES))


@pytest.fixture(scope="module")
def setups(tmp_path_factory):
    return {name: ensure_engine(name, tmp_path_factory) for name in sorted(ENGINES)}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """(mtime_ns, size) of the manifest, the jars and every entry of the venv's top two levels."""
    entries = {}
    for path in [
        root / "engine.json",
        *(root / "jars").iterdir(),
        *(root / "venv").glob("*"),
        *(root / "venv").glob("*/*"),
        *(root / "venv").glob("lib/*/site-packages"),
    ]:
        info = path.lstat()
        entries[str(path.relative_to(root))] = (info.st_mtime_ns, info.st_size)
    return entries


@PER_ENGINE
def test_setup_builds_a_complete_private_environment(setups, engine):
    run = setups[engine]
    spec = ENGINES[engine]
    assert "Готово" in run.stdout or "уже готово" in run.stdout, run.stdout
    manifest_file = manifest_path(engine, run.data_dir)
    assert _mode(manifest_file) == 0o600
    assert _mode(manifest_file.parent) == 0o700 and _mode(manifest_file.parent.parent) == 0o700
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    assert manifest["complete"] is True
    assert manifest["version"] == spec.version
    assert manifest["requirements"] == list(spec.requirements)
    assert [jar["file"] for jar in manifest["jars"]] == [jar.filename for jar in spec.jars]
    assert manifest["java"]["version"]
    assert manifest["size_mb"] > 100

    python = engine_python(engine, run.data_dir)
    assert python == Path(manifest["python"])
    done = subprocess.run(
        [str(python), "-c", spec.import_check], capture_output=True, text=True, env=engine_env(), timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == spec.version
    # ipykernel and confluent-kafka are there for the kernel and for lesson code
    done = subprocess.run(
        [str(python), "-c", "import ipykernel, confluent_kafka; print('ok')"],
        capture_output=True,
        text=True,
        env=engine_env(),
        timeout=120,
    )
    assert done.stdout.strip() == "ok", done.stderr

    jars = engine_jars(engine, run.data_dir)
    assert [jar.name for jar in jars] == [jar.filename for jar in spec.jars]
    assert all(jar.is_file() and jar.stat().st_size > 10_000 for jar in jars)


@PER_ENGINE
def test_second_setup_is_fast_and_changes_nothing(setups, engine):
    root = manifest_path(engine, setups[engine].data_dir).parent
    before = _snapshot(root)
    again = run_setup(engine, setups[engine].data_dir)
    assert again.returncode == 0, again.stderr
    assert "уже готово" in again.stdout
    assert again.seconds < 10, f"warm setup took {again.seconds:.1f} s"
    assert _snapshot(root) == before
    print(f"\n[engines] warm setup {engine}: {again.seconds:.2f} s")


@PER_ENGINE
def test_lookup_follows_the_manifest(setups, engine, tmp_path):
    """engine_python answers only for a complete manifest matching today's catalog."""
    assert engine_python(engine, tmp_path) is None
    assert engine_jars(engine, tmp_path) == []
    assert missing_engine_hint(engine).endswith(f"cdc-tutor setup {engine}")

    real = manifest_path(engine, setups[engine].data_dir)
    manifest = json.loads(real.read_text(encoding="utf-8"))
    copy = manifest_path(engine, tmp_path)
    copy.parent.mkdir(parents=True)
    shutil.copytree(real.parent / "jars", copy.parent / "jars")
    write_private_json(copy, manifest)
    assert engine_python(engine, tmp_path) == Path(manifest["python"])

    for broken in (
        {"complete": False},
        {"fingerprint": "an-older-catalog"},
        {"python": str(tmp_path / "missing" / "python")},
    ):
        write_private_json(copy, {**manifest, **broken})
        assert engine_python(engine, tmp_path) is None, broken
    write_private_json(copy, manifest)
    (copy.parent / "jars" / manifest["jars"][0]["file"]).write_bytes(b"truncated")
    assert engine_python(engine, tmp_path) is None
    copy.write_text("{not json", encoding="utf-8")
    assert engine_python(engine, tmp_path) is None


@PER_ENGINE
def test_setup_without_java_says_how_to_install_it(engine, tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "JAVA_HOME"}
    env["PATH"] = str(tmp_path)  # no java here; the command runs by sys.executable's full path
    run = run_setup(engine, tmp_path / "data", env=env)
    assert run.returncode == 1
    assert "Java не найдена" in run.stderr and "openjdk-17" in run.stderr, run.stderr
    assert not (tmp_path / "data" / "engines" / engine / "venv").exists()


# --- not per engine ---------------------------------------------------------------------------


def test_direct_download_matches_maven(setups, tmp_path):
    """The no-Maven path fetches the same pinned, checksummed jars Maven resolved for setup."""
    engine = "spark"
    spec = ENGINES[engine]
    started = time.monotonic()
    entries = fetch_jars(spec, tmp_path / "jars", maven="direct", local_repo=tmp_path / "m2")
    cold = time.monotonic() - started
    assert entries == json.loads(manifest_path(engine, setups[engine].data_dir).read_text())["jars"]
    shutil.rmtree(tmp_path / "jars")
    started = time.monotonic()
    fetch_jars(spec, tmp_path / "jars", maven="direct", local_repo=tmp_path / "m2")  # from cache
    print(
        f"\n[engines] direct jar download {engine}: {cold:.1f} s cold, "
        f"{time.monotonic() - started:.2f} s from the local repository"
    )


def test_unreachable_repository_names_the_url(tmp_path, monkeypatch):
    engine = "flink"
    monkeypatch.setenv("CDC_TUTOR_MAVEN_REPO", "http://127.0.0.1:9/maven2")
    with pytest.raises(SetupError) as failure:
        fetch_jars(ENGINES[engine], tmp_path / "jars", maven="direct", local_repo=tmp_path / "m2")
    assert "http://127.0.0.1:9/maven2/org/apache/flink/flink-sql-connector-kafka/" in str(failure.value)
    assert not (tmp_path / "jars").exists()


def test_java_check(tmp_path):
    found = check_java()
    assert found.ok, found.problem
    assert found.major >= REQUIRED_MAJOR and found.path.is_file()
    assert (found.java_home / "bin").is_dir()

    missing_home = check_java({"JAVA_HOME": str(tmp_path), "PATH": os.environ["PATH"]})
    assert not missing_home.ok and str(tmp_path) in missing_home.problem
    assert "openjdk-17" in missing_home.problem
    nowhere = check_java({"PATH": str(tmp_path)})
    assert nowhere.path is None and "Java не найдена" in nowhere.problem

    assert [parse_major(v) for v in ("17.0.15", "1.8.0_392", "21-ea", "11", "25")] == [17, 8, 21, 11, 25]


def test_setup_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "cdc_tutor.commands.setup", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "flink" in done.stdout and "--force" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "cdc_tutor.commands.setup", "storm"], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2


def test_force_rebuilds_from_scratch(setups):
    """`--force` throws the environment away and builds it again (spark: the quicker one)."""
    data_dir = setups["spark"].data_dir
    before = json.loads(manifest_path("spark", data_dir).read_text(encoding="utf-8"))
    marker = Path(before["site_packages"]) / "left-over-by-test.txt"
    marker.write_text("should disappear", encoding="utf-8")
    rebuilt = run_setup("spark", data_dir, "--force")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "Создаю окружение spark" in rebuilt.stdout and "Готово" in rebuilt.stdout
    assert not marker.exists()
    assert engine_python("spark", data_dir) == Path(before["python"])
    print(f"\n[engines] setup spark --force: {rebuilt.seconds:.1f} s")
