"""docker-compose.yml, checked by a real Compose implementation (Debian's docker-compose 1.29 runs
`config` without a Docker engine) and against the native stack it mirrors."""

from __future__ import annotations

import re
import subprocess
import urllib.request

import pytest
import yaml

from cdc_tutor.stack import catalog
from cdc_tutor.stack.files import RENDERED, REPO

COMPOSE = REPO / "docker-compose.yml"


@pytest.fixture(scope="module")
def config(stack_deps) -> dict:
    done = subprocess.run(["docker-compose", "-f", str(COMPOSE), "config"], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def test_compose_accepts_the_file(config):
    assert set(config["services"]) == {"postgres", "kafka", "connect", "register-connector", "redis"}


def test_every_service_has_a_healthcheck_so_up_wait_means_ready(config):
    for name, service in config["services"].items():
        assert service.get("healthcheck", {}).get("test"), name


def test_ports_are_published_on_loopback_only(config):
    published = []
    for name, service in config["services"].items():
        for port in service.get("ports", []):
            text = port if isinstance(port, str) else f"{port.get('host_ip')}:{port['published']}:{port['target']}"
            assert text.startswith("127.0.0.1:"), (name, port)
            published.append(int(text.split(":")[1]))
    assert sorted(published) == [5432, 6379, 8083, 9092]


def test_images_match_the_native_stack_versions(config):
    services = config["services"]
    assert services["kafka"]["image"] == f"apache/kafka:{catalog.KAFKA_VERSION}"
    assert services["connect"]["image"] == f"quay.io/debezium/connect:{catalog.DEBEZIUM_VERSION}"
    assert services["redis"]["image"] == catalog.REDIS_IMAGE
    assert "wal_level=logical" in " ".join(services["postgres"]["command"])
    assert services["kafka"]["environment"]["KAFKA_NUM_PARTITIONS"] == "4"  # as the embedded broker


def test_embedded_encoder_speaks_the_stack_debezium_version():
    from cdc_tutor.source.encoder import DEBEZIUM_VERSION

    assert DEBEZIUM_VERSION == catalog.DEBEZIUM_VERSION


@pytest.mark.parametrize("relative", sorted(RENDERED, key=str), ids=str)
def test_mounted_files_are_generated_from_the_python_sources(relative):
    assert (REPO / relative).read_text(encoding="utf-8") == RENDERED[relative](), (
        f"{relative} is stale: run `python -m cdc_tutor.stack.files`"
    )


def test_register_healthcheck_matches_real_connect_status(config, native_stack):
    """register-connector's healthcheck, run as a shell on the real Connect worker (same Kafka and
    Debezium versions as the images), passes while both connectors run; its grep patterns reject
    a FAILED status."""
    test = config["services"]["register-connector"]["healthcheck"]["test"][1]
    script = test.replace("$$", "$").replace("http://connect:8083", native_stack.config.connect_url)
    done = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, (script, done.stderr)
    missing = script.replace("inventory-connector-string-decimals", "no-such-connector")
    assert subprocess.run(["sh", "-c", missing], capture_output=True, timeout=60).returncode == 1
    patterns = re.findall(r"grep -q '([^']+)'", test)
    assert len(patterns) == 2
    url = f"{native_stack.config.connect_url}/connectors/inventory-connector/status"
    with urllib.request.urlopen(url) as response:
        status = response.read()
    stopped = status.replace(b'"state":"RUNNING"', b'"state":"FAILED"')
    assert all(subprocess.run(["grep", "-q", p], input=stopped).returncode == 1 for p in patterns)


def test_compose_registers_every_connector_of_the_native_stack(config):
    from cdc_tutor.stack.config import CONNECTORS

    service = config["services"]["register-connector"]
    for spec in CONNECTORS:
        assert spec.name in service["command"][0] and spec.name in service["healthcheck"]["test"][1]
