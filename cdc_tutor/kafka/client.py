"""Every Kafka client the tutor makes gets its config here: the address, and SASL credentials
where the broker asks who is connecting (a workshop stack with per-student users and ACLs).

Two sources, explicit and narrow:
- a student's own credentials, from their settings (`kafka_username` / `kafka_password`), which
  the CLI puts in the environment so lesson kernels get them too (never on a command line);
- a process that runs a secure stack itself registers the stack's admin for that address only.
"""

from __future__ import annotations

from cdc_tutor.kafka.state import sasl, sasl_from_environment

__all__ = ["client_config", "register", "sasl", "security"]

_registered: dict[str, dict[str, str]] = {}


def register(bootstrap_servers: str, security: dict[str, str]) -> None:
    """Use `security` for every client of `bootstrap_servers` made by this process."""
    _registered[bootstrap_servers] = dict(security)


def security(bootstrap_servers: str) -> dict[str, str]:
    """The SASL settings for this broker: registered ones, else the student's from the environment."""
    if bootstrap_servers in _registered:
        return dict(_registered[bootstrap_servers])
    return sasl_from_environment(bootstrap_servers)


def client_config(bootstrap_servers: str, **config) -> dict:
    """A confluent-kafka config: the address, its SASL settings if any, then `config` (keys with
    dots come as a dict: client_config(b, **{"group.id": g}))."""
    return {"bootstrap.servers": bootstrap_servers, **security(bootstrap_servers), **config}
