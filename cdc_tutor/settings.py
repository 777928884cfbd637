"""One settings object for the tutor: defaults, overridden by environment, overridden by flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import cdc_tutor


def bundled_lessons_dir() -> Path:
    """The lessons shipped with the tutor: inside the installed package, or the source checkout's."""
    package_dir = Path(cdc_tutor.__file__).resolve().parent
    installed = package_dir / "lessons"
    return installed if installed.is_dir() else package_dir.parent / "lessons"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir  # lazy: only needed when no override is given

    return Path(user_data_dir("cdc-tutor", appauthor=False))


@dataclass
class Settings:
    """Where the tutor reads lessons and keeps per-user state."""

    lessons_dir: Path = field(default_factory=bundled_lessons_dir)
    """Root of the course: one folder per module, one folder per lesson (env CDC_TUTOR_LESSONS)."""

    data_dir: Path = field(default_factory=default_data_dir)
    """Per-user private state such as progress (env CDC_TUTOR_DATA_DIR); created with mode 0700."""

    @property
    def progress_path(self) -> Path:
        """The SQLite file holding this user's progress."""
        return self.data_dir / "progress.sqlite3"

    @classmethod
    def load(cls, lessons_dir: Path | None = None, data_dir: Path | None = None) -> "Settings":
        """Defaults, then environment variables, then explicit arguments (command-line flags)."""
        settings = cls()
        if env_lessons := os.environ.get("CDC_TUTOR_LESSONS"):
            settings.lessons_dir = Path(env_lessons)
        if env_data := os.environ.get("CDC_TUTOR_DATA_DIR"):
            settings.data_dir = Path(env_data)
        if lessons_dir is not None:
            settings.lessons_dir = lessons_dir
        if data_dir is not None:
            settings.data_dir = data_dir
        settings.lessons_dir = settings.lessons_dir.expanduser()
        settings.data_dir = settings.data_dir.expanduser()
        return settings
