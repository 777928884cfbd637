"""Outages on the native stack: stop the broker process and start it again, for lessons' outage steps."""

from __future__ import annotations

from pathlib import Path

from cdc_tutor.stack.config import saved_config


class BrokerOutage:
    """cut()/restore() like the embedded lab's proxy, but a real broker going away and coming back."""

    def __init__(self, stack) -> None:
        self.stack = stack

    def cut(self) -> None:
        self.stack.stop_broker()

    def restore(self) -> None:
        self.stack.restart_broker()  # returns once the broker answers again


def own_native_stack(data_dir: Path, bootstrap_servers: str):
    """This user's native stack (a NativeStack) when it is the broker in use; None for any other."""
    config = saved_config(Path(data_dir) / "stack")
    if config is None or config.bootstrap_servers != bootstrap_servers:
        return None
    from cdc_tutor.stack.native import NativeStack

    return NativeStack(config, report=lambda line: None)


def native_outage_for(stack) -> BrokerOutage | None:
    """Control of `stack`'s broker (own_native_stack's answer) when it runs; None otherwise."""
    return BrokerOutage(stack) if stack is not None and stack.status().broker else None


def native_dsn_for(stack) -> str | None:
    """The PostgreSQL of `stack` (own_native_stack's answer), for the «База» pane and `source`
    checks: `lab up` prints it as CDC_TUTOR_POSTGRES_DSN, but a student who passes only
    --bootstrap-servers to their own stack should not lose the source database."""
    if stack is None:
        return None
    try:
        return stack.postgres.dsn
    except OSError:  # the stack's password file is gone: no source, as without a DSN
        return None


def native_redis_for(stack) -> str | None:
    """The Redis of `stack` (own_native_stack's answer), the feature-store lesson's online store."""
    return stack.config.redis_url if stack is not None else None
