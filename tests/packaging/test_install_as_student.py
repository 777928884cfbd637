"""README's first command, as written there, run by a brand-new non-root user on the system Python.

The user is created and removed by the test (so it needs root, which CI has), gets a fresh HOME,
`/usr/bin` first on PATH (Debian's python3, marked EXTERNALLY-MANAGED) and a real pty at 80x24.
The command must install and paint the catalog; running it again upgrades in place and keeps the
student's progress.
"""

from __future__ import annotations

import json
import os
import pty
import pwd
import re
import select
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from cdc_tutor import strings
from cdc_tutor.course.progress_export import export_document

REPO = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = Path("/usr/bin/python3")
LESSON = "module-5/00-debezium-envelope"
ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def readme_install_command() -> str:
    """The first command of README's first bash block, comment stripped."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block, "README.md has no ```bash block"
    first = block.group(1).splitlines()[0]
    return first.split("  #")[0].strip()


def _run_in_pty(name: str, home: Path, command: str, cwd: Path, until: bytes, timeout: float) -> bytes:
    """`command` as `name` in a pty of 80x24 until `until` shows, then Ctrl+Q; the screen bytes."""
    account = pwd.getpwnam(name)
    pid, fd = pty.fork()
    if pid == 0:  # child: never return into pytest, whatever happens
        try:
            os.setgroups([])
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
            os.chdir(cwd)
            os.execve("/bin/bash", ["bash", "-c", command], _environment(name, home))
        except BaseException as problem:  # noqa: BLE001 - shown on the pty, read by the parent
            os.write(1, f"child setup failed: {problem!r}".encode())
        finally:
            os._exit(127)
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen, quit_sent, deadline = b"", None, time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the child closed the pty: it has exited
                    break
                if not chunk:
                    break
                seen += chunk
            if quit_sent is None and until in ANSI.sub(b"", seen):
                os.write(fd, b"\x11")  # Ctrl+Q
                quit_sent = time.monotonic()
            if quit_sent is not None and time.monotonic() - quit_sent > 20:
                break
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    assert quit_sent is not None, f"never painted {until!r}; the end of the screen:\n" + ANSI.sub(b"", seen)[
        -3000:
    ].decode("utf-8", "replace")
    return seen


@pytest.fixture
def student(tmp_path):
    """A fresh local user with its own HOME and a copy of the project it owns."""
    if os.geteuid() != 0:
        pytest.skip("creating a throw-away user needs root (CI runs as root)")
    name = f"cdcstud{uuid.uuid4().hex[:8]}"
    home = Path("/home") / name  # where a real account lives (pytest's tmp folders are root-only)
    subprocess.run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash", name], check=True)
    project = home / "cdc-tutor"
    shutil.copytree(
        REPO,
        project,
        ignore=shutil.ignore_patterns(
            ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis"
        ),
    )
    subprocess.run(["chown", "-R", f"{name}:{name}", str(home)], check=True)
    try:
        yield name, home, project
    finally:
        subprocess.run(["pkill", "-KILL", "-u", name], check=False)
        subprocess.run(["userdel", "--remove", name], check=False, capture_output=True)


def _environment(name: str, home: Path) -> dict[str, str]:
    """A login-like environment with the system Python first on PATH and nothing of ours."""
    return {
        "HOME": str(home),
        "USER": name,
        "LOGNAME": name,
        "PATH": "/usr/bin:/bin",
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
    }


def _as(name: str, home: Path, command: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/bash", "-c", command],
        user=name,
        group=name,
        extra_groups=[],
        env=_environment(name, home),
        capture_output=True,
        text=True,
        timeout=300,
        **options,
    )


def test_readme_first_command_installs_and_starts_for_a_new_user_and_upgrades_in_place(student, tmp_path):
    assert SYSTEM_PYTHON.exists() and (SYSTEM_PYTHON.parent.parent / "lib").exists()
    marker = list(Path("/usr/lib").glob("python3*/EXTERNALLY-MANAGED"))
    assert marker, "this machine's system Python is not externally managed: the test proves less"
    name, home, project = student
    command = readme_install_command()
    assert "sudo" not in command

    screen = _run_in_pty(name, home, command, project, strings.CATALOG_TITLE.encode(), timeout=900)
    assert strings.CATALOG_TITLE in ANSI.sub(b"", screen).decode("utf-8", "replace")
    tutor = home / ".local" / "bin" / "cdc-tutor"
    assert tutor.is_symlink() and os.access(tutor.resolve(), os.X_OK)

    # Progress made between the two runs must survive the upgrade.
    export = export_document(
        [(LESSON, "envelope", "topic-name", "2026-12-03T10:00:00+00:00", 1, 0, None)], "2026-12-03T10:00:00+00:00"
    )
    progress_file = home / "progress.json"
    progress_file.write_text(json.dumps(export))
    shutil.chown(progress_file, name, name)
    imported = _as(name, home, f"{tutor} progress import {progress_file}")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    before = _as(name, home, f"{tutor} progress list")

    screen = _run_in_pty(name, home, command, project, strings.CATALOG_TITLE.encode(), timeout=900)
    assert strings.CATALOG_TITLE in ANSI.sub(b"", screen).decode("utf-8", "replace")
    after = _as(name, home, f"{tutor} progress list")
    assert after.returncode == 0 and after.stdout == before.stdout and after.stdout.strip()

    removed = _as(name, home, "bash cdc-tutor/scripts/install.sh --uninstall", cwd=home)
    assert removed.returncode == 0, removed.stderr
    assert not tutor.exists() and not tutor.is_symlink()
    kept = _as(name, home, "ls -A ~/.local/share/cdc-tutor")
    assert kept.stdout.strip(), "uninstall must keep the student's data"
