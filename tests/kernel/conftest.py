"""A real python kernel shared by the kernel tests that do not kill or restart it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cdc_tutor.kernel import KernelSession

BOOTSTRAP = "localhost:39092"


@pytest.fixture(scope="session")
def lesson_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lesson")


@pytest.fixture(scope="session")
def kernel(lesson_dir: Path) -> Iterator[KernelSession]:
    session = KernelSession("python", cwd=lesson_dir, env={"KAFKA_BOOTSTRAP_SERVERS": BOOTSTRAP})
    session.start()
    session.wait_ready(timeout=60)
    yield session
    session.shutdown()
