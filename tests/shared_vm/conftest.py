"""A second local user for attack tests: created for the session (root only), removed after.

Workshop VMs put many students on one machine; these tests play "bob", another student, against
the tutor of the user running the tests ("alice"). Creating a user needs root, which CI has; a
developer without root gets a skip, which CI would count as a failure (tests/conftest.py).
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

# Bob runs the system Python with the standard library only: his scripts must not depend on
# alice's installation (a pyenv under /root is not even readable to him).
BOB_PYTHON = shutil.which("python3", path="/usr/bin:/bin") or "/usr/bin/python3"


@dataclass(frozen=True)
class OtherUser:
    name: str
    uid: int
    gid: int

    def run(self, script: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """`script` run by this user with the system Python (isolated mode, cwd /)."""
        return subprocess.run(
            [BOB_PYTHON, "-I", "-c", script, *args],
            user=self.uid,
            group=self.gid,
            extra_groups=[],
            cwd="/",
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="session")
def bob():
    if os.geteuid() != 0:
        pytest.skip("creating a second Unix user needs root (CI runs as root)")
    if not Path(BOB_PYTHON).exists():
        pytest.fail(f"the second user's Python ({BOB_PYTHON}) is missing")
    name = f"cdcbob{secrets.token_hex(3)}"
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True, timeout=30
    )
    try:
        entry = pwd.getpwnam(name)
        yield OtherUser(name, entry.pw_uid, entry.pw_gid)
    finally:
        subprocess.run(["userdel", name], check=False, timeout=30)
