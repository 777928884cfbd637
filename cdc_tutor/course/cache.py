"""The parsed course, cached: a warm start reads one private file instead of parsing every lesson.

The cache is keyed by the lessons folder's path and the path, mtime and size of every file and
folder under it (and of the course code that parses them), so any edit, addition or removal is a
miss. It is a private file (0600, in a 0700 folder) that is read only when it is a regular file of
this user's, no bigger than a cap, and unpickled by an unpickler that builds nothing but the
course model's classes and plain containers. Anything wrong with it (corrupt, truncated, foreign,
from another tutor version) is a miss: the course is parsed as before and the file rewritten.
A hit never imports PyYAML.
"""

from __future__ import annotations

import io
import os
import pickle
import stat
import tempfile
import zlib
from pathlib import Path
from typing import Any

import cdc_tutor
from cdc_tutor.course.model import Course

FORMAT = 1
MAX_CACHE_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 20_000  # files under the lessons folder the key looks at; more: no cache
_SAFE_BUILTINS = frozenset({"tuple", "list", "dict", "set", "frozenset", "str", "int", "float", "bool", "bytes"})
_SAFE_GLOBALS = frozenset(
    (module, name) for module in ("pathlib", "pathlib._local") for name in ("Path", "PosixPath", "WindowsPath")
)


def load_course_cached(root: Path, cache_dir: Path) -> Course:
    """The course under `root`, from the cache in `cache_dir` when it is current, else parsed
    (cdc_tutor.course.loader) and cached. Never raises for a bad cache file or folder."""
    root = Path(root)
    key = course_key(root)
    path = cache_path(root, cache_dir)
    if key is not None:
        cached = read_cache(path, key)
        if cached is not None:
            return cached
    from cdc_tutor.course.loader import load_course  # the cold path: PyYAML and the parsers

    course = load_course(root)
    if key is not None and course_key(root) == key:  # unchanged while it was parsed
        write_cache(path, key, course)
    return course


def cache_path(root: Path, cache_dir: Path) -> Path:
    # A name per lessons folder; the key inside tells folders with the same checksum apart.
    # zlib, not hashlib: the bare Textual app imports zlib too, hashlib's OpenSSL costs ms.
    checksum = zlib.crc32(str(Path(root).absolute()).encode("utf-8", "surrogatepass"))
    return Path(cache_dir) / f"course-{checksum:08x}.pickle"


def course_key(root: Path) -> str | None:
    """What the parsed course depends on, as one string (stored whole and compared whole: a few
    KB for a course); None when the folder cannot be walked whole."""
    code = Path(__file__).resolve().parent
    try:
        entries = [*_walk(Path(root)), *sorted(_stat_line(p) for p in code.glob("*.py"))]
    except OSError:
        return None
    if len(entries) > MAX_ENTRIES:
        return None
    return f"{FORMAT}\0{cdc_tutor.__version__}\0{Path(root).absolute()}\n" + "".join(entries)


def _stat_line(path: Path) -> str:
    info = path.stat()
    return f"{path}\0{info.st_mtime_ns}\0{info.st_size}\0{stat.S_IFMT(info.st_mode)}\n"


def _walk(root: Path) -> list[str]:
    lines = [_stat_line(root)]
    pending = [root]
    while pending:
        folder = pending.pop()
        with os.scandir(folder) as found:
            children = sorted(found, key=lambda entry: entry.name)
        for entry in children:
            info = entry.stat(follow_symlinks=True)  # the loader reads through links too
            lines.append(f"{entry.path}\0{info.st_mtime_ns}\0{info.st_size}\0{stat.S_IFMT(info.st_mode)}\n")
            if stat.S_ISDIR(info.st_mode) and not entry.is_symlink():
                pending.append(Path(entry.path))
            if len(lines) > MAX_ENTRIES:
                return lines
    return lines


class _CourseUnpickler(pickle.Unpickler):
    """Builds only the course model's classes and plain containers: a planted file runs no code."""

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("cdc_tutor.course.") and not name.startswith("_"):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        if (module == "builtins" and name in _SAFE_BUILTINS) or (module, name) in _SAFE_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a cached course")


def read_cache(path: Path, key: str) -> Course | None:
    """The cached course when the file is this user's private regular file holding `key`; else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.getuid()
            or info.st_mode & 0o077
            or info.st_size > MAX_CACHE_BYTES
        ):
            return None
        with os.fdopen(fd, "rb", closefd=False) as file:
            data = file.read(MAX_CACHE_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        stored = _CourseUnpickler(io.BytesIO(data)).load()
    except Exception:  # noqa: BLE001 - a corrupt or foreign cache is a miss, whatever it raises
        return None
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key and isinstance(stored[1], Course)):
        return None
    return stored[1]


def write_cache(path: Path, key: str, course: Course) -> None:
    """Replace the cache file atomically (0600, its folder 0700); a failure only costs the next start."""
    try:
        data = pickle.dumps((key, course), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - something in the model that does not pickle: no cache
        return
    try:
        from cdc_tutor.paths import private_dir

        folder = private_dir(path.parent)
        fd, temporary = tempfile.mkstemp(prefix=".course-", dir=folder)  # 0600
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return
