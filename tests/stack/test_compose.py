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


def test_register_healthcheck_matches_real_connect_status(native_stack):
    """The grep patterns of register-connector's healthcheck, run on the status JSON of the real
    Connect worker (same Kafka version as the image's), must see RUNNING."""
    text = COMPOSE.read_text(encoding="utf-8")
    block = text[text.index("  register-connector:") : text.index("  redis:")]
    patterns = re.findall(r"grep -q '([^']+)'", block)
    assert len(patterns) == 2
    url = f"{native_stack.config.connect_url}/connectors/inventory-connector/status"
    with urllib.request.urlopen(url) as response:
        status = response.read()
    for pattern in patterns:
        done = subprocess.run(["grep", "-q", pattern], input=status)
        assert done.returncode == 0, (pattern, status)
    stopped = status.replace(b'"state":"RUNNING"', b'"state":"FAILED"')
    assert all(subprocess.run(["grep", "-q", p], input=stopped).returncode == 1 for p in patterns)
