"""Private files and folders of a user's data dir: folders 0700, files written atomically as 0600.

On a shared lab VM other users must not read a student's progress, labs or kernels; mkdir's and
open's modes are filtered by the umask, so the modes are set explicitly.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path


def private_dir(base: Path, *parts: str) -> Path:
    """`base/parts...` created; each level below `base` (or `base` itself, without parts) set to 0700."""
    path = Path(base).joinpath(*parts)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for level in [path, *path.parents][: max(len(parts), 1)]:
        os.chmod(level, 0o700)
    return path


def owned_run_dir(base: Path, prefix: str) -> Path:
    """A new private (0700) folder `base/<prefix><pid>-<random>` for this process, made after
    removing the folders of owners that are gone (a tutor killed without cleaning up)."""
    reap_run_dirs(base, prefix)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=base))


def reap_run_dirs(base: Path, prefix: str) -> list[Path]:
    """Remove this user's `base/<prefix><pid>-...` folders whose process no longer runs; returns them."""
    removed = []
    for folder in Path(base).glob(f"{prefix}*"):
        try:
            pid = int(folder.name[len(prefix) :].split("-")[0])
            mine = folder.stat().st_uid == os.getuid()
        except (OSError, ValueError):
            continue
        if mine and pid != os.getpid() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def write_private(path: Path, text: str) -> Path:
    """Replace `path` with `text` atomically (a reader sees the old or the new file, never half), 0600."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


MAX_TEXT_FILE_BYTES = 4 * 1024 * 1024
"""Largest lesson or module file read (a real lesson is < 200 KB)."""


def read_regular_file(path: Path, limit: int = MAX_TEXT_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. Anything else is an OSError that says
    why, raised before reading: a FIFO would block the reader, /dev/zero would never end."""
    info = os.stat(path)  # follows links: a link to a device is refused for what it points to
    if not stat.S_ISREG(info.st_mode):
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    with open(path, "rb") as file:
        return _capped(file.read(limit + 1), limit, str(path))


def read_input(name: str, limit: int) -> bytes:
    """The bytes of file `name`, or of stdin for "-", by one rule: at most `limit` bytes, and a
    named file only when it is regular (read_regular_file)."""
    if name != "-":
        return read_regular_file(Path(name), limit)
    return _capped(sys.stdin.buffer.read(limit + 1), limit, "<stdin>")


def _capped(data: bytes, limit: int, name: str) -> bytes:
    if len(data) > limit:  # the caller read limit + 1 bytes: more than allowed, and no more read
        raise OSError(errno.EFBIG, f"larger than {limit // (1024 * 1024)} MiB", name)
    return data
