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


def native_outage_for(data_dir: Path, bootstrap_servers: str) -> BrokerOutage | None:
    """Control of this user's native stack when it is the broker in use; None for any other broker."""
    config = saved_config(Path(data_dir) / "stack")
    if config is None or config.bootstrap_servers != bootstrap_servers:
        return None
    from cdc_tutor.stack.native import NativeStack

    stack = NativeStack(config, report=lambda line: None)
    return BrokerOutage(stack) if stack.status().broker else None
