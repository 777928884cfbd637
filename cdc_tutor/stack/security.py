"""A workshop stack's Kafka security: who may connect, and what each student may touch.

With `StackConfig.secure` the broker's one client listener asks every client for a SASL user:
- `admin` (PLAIN, defined in the broker's own config; also a SCRAM user for the tutor's clients) is
  the only super user: the broker itself, its controller, Kafka Connect, the instructor's tools;
- each student is a SCRAM-SHA-512 user who may use topics, consumer groups and transactional ids
  named `<student>-...` (the `{user}` prefix of the lessons), read the CDC topics and describe
  them, and write (never read) the workshop's progress topic.
Nobody else may do anything: no ACL means denied. Passwords live in the stack's 0600 secrets file.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from cdc_tutor.paths import write_private

ADMIN = "admin"
PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule"
SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule"


class Secrets:
    """The stack's passwords (admin, students), made once and kept in `<state>/secrets.json` (0600)."""

    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / "secrets.json"

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def password(self, user: str) -> str:
        """`user`'s password, made (and saved) the first time it is asked for."""
        data = self._read()
        passwords = data.setdefault("passwords", {})
        if not isinstance(passwords.get(user), str):
            passwords[user] = secrets.token_urlsafe(18)  # URL-safe: no quote can break a JAAS line
            write_private(self.path, json.dumps(data, indent=1))
        return passwords[user]

    def saved(self, user: str) -> str | None:
        value = self._read().get("passwords", {}).get(user)
        return value if isinstance(value, str) else None


def plain_login(password: str, *, serves: bool) -> str:
    """The JAAS line of the admin's PLAIN login; a listener that `serves` also knows the user."""
    users = f' user_{ADMIN}="{password}"' if serves else ""
    return f'{PLAIN_MODULE} required username="{ADMIN}" password="{password}"{users};'


def broker_properties(client_listener: str, admin_password: str) -> dict[str, str]:
    """What a secure broker adds to (and changes in) its server.properties."""
    served = plain_login(admin_password, serves=True)
    return {
        "listener.security.protocol.map": f"CONTROLLER:SASL_PLAINTEXT,{client_listener}:SASL_PLAINTEXT",
        "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-512",
        "sasl.mechanism.inter.broker.protocol": "PLAIN",
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": served,
        f"listener.name.{client_listener.lower()}.plain.sasl.jaas.config": served,
        f"listener.name.{client_listener.lower()}.scram-sha-512.sasl.jaas.config": f"{SCRAM_MODULE} required;",
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users": f"User:{ADMIN}",
        "allow.everyone.if.no.acl.found": "false",
    }


def connect_properties(admin_password: str) -> dict[str, str]:
    """Kafka Connect's worker and its producers, consumers and admin, as the admin over PLAIN."""
    login = {
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanism": "PLAIN",
        "sasl.jaas.config": plain_login(admin_password, serves=False),
    }
    prefixes = ("", "producer.", "consumer.", "admin.")
    return {f"{prefix}{key}": value for prefix in prefixes for key, value in login.items()}


def admin_client_security(admin_password: str) -> dict[str, str]:
    """librdkafka settings of the stack's admin (PLAIN: it exists before any SCRAM user does)."""
    from cdc_tutor.kafka.client import sasl

    return sasl(ADMIN, admin_password, mechanism="PLAIN")


def log_in_as_admin(bootstrap_servers: str, stack_secrets: Secrets, *, create: bool = False) -> None:
    """This process's Kafka clients of that broker log in as the stack's admin (its owner does),
    with the saved password (made first when `create`); nothing when there is none yet."""
    from cdc_tutor.kafka.client import register

    password = stack_secrets.password(ADMIN) if create else stack_secrets.saved(ADMIN)
    if password:
        register(bootstrap_servers, admin_client_security(password))


def add_students(bootstrap_servers: str, stack_secrets: Secrets, students: list[str], acls_of, timeout=30.0) -> dict:
    """Create (or keep) each student's SCRAM user and ACLs through the admin; returns their passwords.
    `acls_of(student)` gives a student's ACLs (cdc_tutor.kafka.users.student_acls). Re-running it
    changes nothing."""
    from cdc_tutor.kafka.users import upsert_users

    passwords = {student: stack_secrets.password(student) for student in students}
    upsert_users(bootstrap_servers, passwords, [acl for student in students for acl in acls_of(student)], timeout)
    return passwords
