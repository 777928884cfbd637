"""Kafka users and ACLs on a secure workshop stack, through its admin (cdc_tutor/stack/security.py
says who may do what and why)."""

from __future__ import annotations

from confluent_kafka.admin import (
    AclBinding,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialUpsertion,
)

from cdc_tutor.kafka.client import client_config

SCRAM_ITERATIONS = 8192


def student_acls(student: str, cdc_prefixes: tuple[str, ...], progress_topic: str | None) -> list[AclBinding]:
    """What a student may do: everything with topics, groups and transactional ids named
    `<student>-...`; read and describe the CDC topics; write and describe the progress topic."""
    principal = f"User:{student}"

    def allow(kind, name, pattern, operation) -> AclBinding:
        return AclBinding(kind, name, pattern, principal, "*", operation, AclPermissionType.ALLOW)

    own = f"{student}-"
    acls = [
        allow(kind, own, ResourcePatternType.PREFIXED, AclOperation.ALL)
        for kind in (ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID)
    ]
    for prefix in cdc_prefixes:
        for operation in (AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS):
            acls.append(allow(ResourceType.TOPIC, prefix, ResourcePatternType.PREFIXED, operation))
    if progress_topic:
        for operation in (AclOperation.WRITE, AclOperation.DESCRIBE):
            acls.append(allow(ResourceType.TOPIC, progress_topic, ResourcePatternType.LITERAL, operation))
    return acls


def upsert_users(bootstrap_servers: str, passwords: dict[str, str], acls: list[AclBinding], timeout: float) -> None:
    """Set each user's SCRAM-SHA-512 password and create `acls` (the broker keeps one copy of an ACL
    however often it is created). Raises KafkaException when the broker refuses."""
    admin = AdminClient(client_config(bootstrap_servers) | {"log_level": 0})
    info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS)
    upserts = [UserScramCredentialUpsertion(user, info, password.encode()) for user, password in passwords.items()]
    for future in admin.alter_user_scram_credentials(upserts, request_timeout=timeout).values():
        future.result(timeout)
    if acls:
        for future in admin.create_acls(acls, request_timeout=timeout).values():
            future.result(timeout)
