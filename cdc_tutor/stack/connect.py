"""Kafka Connect: the Debezium connector's configuration and a small REST client (urllib only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from cdc_tutor.source.schema import DATABASE, SCHEMA
from cdc_tutor.stack.config import CONNECTOR_NAME, CONNECTORS, ConnectorSpec

_JSON = "org.apache.kafka.connect.json.JsonConverter"


def connector_config(
    *, hostname: str, port: int, user: str, password: str, spec: ConnectorSpec = CONNECTORS[0]
) -> dict[str, str]:
    """A Debezium PostgreSQL connector as the tutorial runs it: pgoutput, JSON with schemas for keys
    and values, and the topic prefix, NUMERIC mode and slot of `spec` (default: the tutorial's
    connector, prefix dbserver1, precise Connect Decimals, as the embedded source encodes them)."""
    return {
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "tasks.max": "1",
        "database.hostname": hostname,
        "database.port": str(port),
        "database.user": user,
        "database.password": password,
        "database.dbname": DATABASE,
        "topic.prefix": spec.topic_prefix,
        "plugin.name": "pgoutput",
        "slot.name": spec.slot,
        "publication.name": spec.publication,
        "schema.include.list": SCHEMA,
        "decimal.handling.mode": spec.decimal_mode,
        "key.converter": _JSON,
        "key.converter.schemas.enable": "true",
        "value.converter": _JSON,
        "value.converter.schemas.enable": "true",
    }


class ConnectError(Exception):
    pass


class ConnectClient:
    """GET/PUT against Connect's REST API; every failure is a ConnectError with the reason."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            try:
                detail = json.loads(detail).get("message", detail)
            except ValueError:
                pass
            raise ConnectError(f"{method} {path}: HTTP {error.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as error:
            raise ConnectError(
                f"Kafka Connect at {self.url} is not reachable: {getattr(error, 'reason', error)}"
            ) from None
        return json.loads(text) if text else None

    def info(self) -> dict:
        return self._call("GET", "/")

    def connectors(self) -> list[str]:
        return self._call("GET", "/connectors")

    def put_config(self, name: str, config: dict) -> dict:
        """Create or update a connector (idempotent, unlike POST /connectors)."""
        return self._call("PUT", f"/connectors/{name}/config", config)

    def status(self, name: str = CONNECTOR_NAME) -> dict:
        return self._call("GET", f"/connectors/{name}/status")

    def delete(self, name: str) -> None:
        self._call("DELETE", f"/connectors/{name}")


def running(status: dict) -> tuple[bool, str]:
    """(connector and every task RUNNING, a one-line summary with the first task's trace line)."""
    connector = status.get("connector", {}).get("state", "?")
    tasks = status.get("tasks", [])
    states = [task.get("state", "?") for task in tasks]
    summary = f"connector {connector}, tasks {', '.join(states) or 'none'}"
    failed = next((task for task in tasks if task.get("state") == "FAILED"), None)
    if failed and failed.get("trace"):
        summary += ": " + failed["trace"].strip().splitlines()[0][:300]
    return connector == "RUNNING" and bool(states) and all(state == "RUNNING" for state in states), summary
