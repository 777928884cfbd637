"""One settings object for the tutor: defaults, overridden by environment, overridden by flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import cdc_tutor
from cdc_tutor.course.context import default_user  # the one user-name rule


def bundled_lessons_dir() -> Path:
    """The lessons shipped with the tutor: inside the installed package, or the source checkout's."""
    package_dir = Path(cdc_tutor.__file__).resolve().parent
    installed = package_dir / "lessons"
    return installed if installed.is_dir() else package_dir.parent / "lessons"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir  # lazy: only needed when no override is given

    return Path(user_data_dir("cdc-tutor", appauthor=False))


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("cdc-tutor", appauthor=False)) / "config.toml"


# Settings a config file may hold (TOML, top-level keys) and the environment variable of each.
FILE_AND_ENV = {
    "bootstrap_servers": "CDC_TUTOR_BOOTSTRAP_SERVERS",
    "connect_url": "CDC_TUTOR_CONNECT_URL",
    "postgres_dsn": "CDC_TUTOR_POSTGRES_DSN",
    "redis_url": "CDC_TUTOR_REDIS_URL",
    "flink_url": "CDC_TUTOR_FLINK_URL",
    "spark_remote": "CDC_TUTOR_SPARK_REMOTE",
    "workshop_topic": "CDC_TUTOR_WORKSHOP_TOPIC",
    "workshop_share_answers": "CDC_TUTOR_WORKSHOP_SHARE_ANSWERS",
    "user": "CDC_TUTOR_USER",
    "kafka_username": "CDC_TUTOR_KAFKA_USERNAME",
    "kafka_password": "CDC_TUTOR_KAFKA_PASSWORD",
}
CREDENTIALS = ("kafka_username", "kafka_password")
"""Settings every Kafka client of this user's tutor and kernels needs, put in the environment."""


@dataclass
class Settings:
    """Where the tutor reads lessons and keeps per-user state."""

    lessons_dir: Path = field(default_factory=bundled_lessons_dir)
    """Root of the course: one folder per module, one folder per lesson (env CDC_TUTOR_LESSONS)."""

    data_dir: Path = field(default_factory=default_data_dir)
    """Per-user private state such as progress (env CDC_TUTOR_DATA_DIR); created with mode 0700."""

    bootstrap_servers: str | None = None
    """A real broker for every lesson instead of the embedded lab (env CDC_TUTOR_BOOTSTRAP_SERVERS,
    flag --bootstrap-servers, or `bootstrap_servers` in the config file)."""

    connect_url: str = "http://127.0.0.1:8083"
    """Kafka Connect's REST address, for the connector's status (lab mode)."""

    postgres_dsn: str | None = None
    """The lab stack's PostgreSQL, for the source pane in lab mode (libpq URI)."""

    redis_url: str | None = None
    """The lab stack's Redis, the feature-store lesson's online store in lab mode (redis:// URL);
    unset on the student's own native stack, whose Redis is found from its state."""

    flink_url: str | None = None
    """A shared Flink session cluster's REST address (`lab up --engines` prints it): the Flink
    lessons' TableEnvironments submit their jobs there instead of a local mini-cluster."""

    spark_remote: str | None = None
    """A shared Spark Connect server (sc://host:port, `lab up --engines` prints it): the Spark
    lessons' sessions are Spark Connect sessions there instead of a Spark driver in the kernel."""

    workshop_topic: str | None = None
    """A workshop's progress topic on the lab-mode broker: when set, this tutor publishes progress
    events there (lesson, step, passed/failed checks and why) for the instructor's view."""

    workshop_share_answers: str | None = None
    """"yes" to include the typed answer of a failed check in those events (off by default)."""

    user: str = field(default_factory=default_user)
    """Prefix of this user's consumer groups and output topics, so users of one broker never collide."""

    kafka_username: str | None = None
    """This student's Kafka user on a workshop stack that enforces per-student ACLs (SASL/SCRAM)."""

    kafka_password: str | None = None

    config_problem: str | None = None
    """Why the config file was ignored, if it was unreadable (shown, never fatal)."""

    @property
    def embedded(self) -> bool:
        """True when the tutor runs its own embedded lab (no broker was configured)."""
        return not self.bootstrap_servers

    @property
    def shares_answers(self) -> bool:
        return (self.workshop_share_answers or "").strip().lower() in ("1", "yes", "true", "on")

    def export_credentials(self) -> None:
        """Put the Kafka user in the environment: the tutor's own clients read it there, and so do
        the lesson kernels it starts (an environment is private to its user; argv is not)."""
        if not (self.bootstrap_servers and self.kafka_username and self.kafka_password):
            return
        # the credentials are for this broker only; `user` names the groups the tutor's own clients use
        for name in ("bootstrap_servers", "user", *CREDENTIALS):
            os.environ[FILE_AND_ENV[name]] = getattr(self, name)

    @property
    def progress_path(self) -> Path:
        """The SQLite file holding this user's progress."""
        return self.data_dir / "progress.sqlite3"

    @classmethod
    def load(
        cls,
        lessons_dir: Path | None = None,
        data_dir: Path | None = None,
        bootstrap_servers: str | None = None,
        config_path: Path | None = None,
    ) -> Settings:
        """Defaults, then the config file, then environment variables, then explicit arguments."""
        settings = cls()
        settings._apply_file(config_path or Path(os.environ.get("CDC_TUTOR_CONFIG") or default_config_path()))
        for name, variable in FILE_AND_ENV.items():
            if value := os.environ.get(variable):
                setattr(settings, name, value)
        if bootstrap_servers:
            settings.bootstrap_servers = bootstrap_servers
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

    def _apply_file(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as problem:
            self.config_problem = f"{path}: {problem}"
            return
        import tomllib  # only with a config file: a start without one never loads the parser

        try:
            values = tomllib.loads(text)
        except tomllib.TOMLDecodeError as problem:
            self.config_problem = f"{path}: {problem}"
            return
        for name in FILE_AND_ENV:
            value = values.get(name)
            if isinstance(value, str) and value.strip():
                setattr(self, name, value.strip())
            elif value is not None:
                self.config_problem = f"{path}: {name} must be a non-empty string"
