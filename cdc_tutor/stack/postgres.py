"""PostgreSQL for the native stack: the distribution's server in a private data dir, on loopback,
with wal_level=logical and the tutorial's inventory schema (cdc_tutor.source.schema.postgres_ddl)."""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
from pathlib import Path

from cdc_tutor.source.schema import DATABASE, postgres_ddl
from cdc_tutor.stack.config import HOST
from cdc_tutor.stack.jars import StackError
from cdc_tutor.stack.psql import password_env, psql_binary, run_psql

SUPERUSER = "postgres"
INSTALL_HINT = "install PostgreSQL: apt-get install postgresql (Debian/Ubuntu) or brew install postgresql"
# Settings Debezium needs (logical decoding, a slot and a WAL sender) plus small memory and no
# fsync: this is a teaching database, disposable by design.
SERVER_SETTINGS = {
    "listen_addresses": f"'{HOST}'",
    "wal_level": "logical",
    "max_wal_senders": "8",
    "max_replication_slots": "8",
    "shared_buffers": "32MB",
    "fsync": "off",
    "timezone": "'UTC'",
    "log_timezone": "'UTC'",
}


def bin_dir() -> Path:
    """Directory of initdb/pg_ctl: Debian keeps them off PATH, in /usr/lib/postgresql/<major>/bin."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise StackError(f"PostgreSQL's server programs (initdb, pg_ctl) were not found: {INSTALL_HINT}")


def server_os_user() -> pwd.struct_passwd | None:
    """The OS user PostgreSQL runs as when we are root (it refuses to run as root), else None."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get("CDC_TUTOR_PG_OS_USER", "postgres")
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(name)


class Postgres:
    """initdb once, start/stop with pg_ctl, run SQL with psql over TCP (password auth)."""

    def __init__(self, root: Path, port: int, password: str | None = None, logs: Path | None = None) -> None:
        self.root = Path(root)
        self.port = port
        self.user = server_os_user()
        self.data = self.root / "data"
        self.logfile = self.root / "postgres.log"
        self.password_file = self.root / "password"
        self._password = password
        self.bin = bin_dir()

    @property
    def password(self) -> str:
        if self._password is None:
            self._password = self.password_file.read_text(encoding="utf-8").strip()
        return self._password

    @property
    def dsn(self) -> str:
        return f"postgresql://{SUPERUSER}:{self.password}@{HOST}:{self.port}/{DATABASE}"

    def _as_server_user(self, command: list[str], **options) -> subprocess.CompletedProcess:
        if self.user is not None:
            command = ["runuser", "-u", self.user.pw_name, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, **options)

    def _private_dirs(self) -> None:
        for directory in (self.root.parent, self.root):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(directory, 0o700)
            if self.user is not None:
                os.chown(directory, self.user.pw_uid, self.user.pw_gid)

    @property
    def initialized(self) -> bool:
        return (self.data / "PG_VERSION").is_file()

    def init(self, owner: Path | None = None) -> bool:
        """Create the cluster if there is none (returns True when it did). `owner`, the stack's
        state dir, is noted beside it so a stack whose state is gone can be found and stopped."""
        if self.initialized:
            return False
        self._private_dirs()
        if owner is not None:
            (self.root / "owner").write_text(str(owner) + "\n", encoding="utf-8")
        password = secrets.token_urlsafe(18)
        self.password_file.write_text(password + "\n", encoding="utf-8")
        os.chmod(self.password_file, 0o600)
        if self.user is not None:
            os.chown(self.password_file, self.user.pw_uid, self.user.pw_gid)
        self._password = password
        done = self._as_server_user(
            [
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "-E",
                "UTF8",
                "--locale=C",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                f"--pwfile={self.password_file}",
            ]
        )
        if done.returncode != 0:
            raise StackError(f"initdb failed: {done.stderr.strip() or done.stdout.strip()}")
        settings = "".join(f"{key} = {value}\n" for key, value in SERVER_SETTINGS.items())
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(f"\n# cdc-tutor lab\nport = {self.port}\nunix_socket_directories = '{self.root}'\n" + settings)
        return True

    def start(self) -> None:
        done = self._as_server_user(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.logfile),
                "-o",
                f"-p {self.port}",
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
        if done.returncode != 0:
            log = self.logfile.read_text(errors="replace").strip().splitlines()[-5:] if self.logfile.exists() else []
            raise StackError(f"PostgreSQL did not start: {done.stderr.strip()}\n  " + "\n  ".join(log))

    def running(self) -> bool:
        if not self.initialized:
            return False
        return self._as_server_user([str(self.bin / "pg_ctl"), "-D", str(self.data), "status"]).returncode == 0

    def stop(self) -> None:
        if self.running():
            self._as_server_user(
                [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop"]
            )

    def pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def psql(self, sql: str, *, single_transaction: bool = True, database: str = DATABASE) -> str:
        """Run SQL as the superuser; returns psql's unaligned output. Raises StackError on an error."""
        connection = ["-h", HOST, "-p", str(self.port), "-U", SUPERUSER, "-d", database]
        done = run_psql(
            connection,
            sql,
            binary=psql_binary(str(self.bin / "psql")),
            single_transaction=single_transaction,
            env=password_env(self.password),
            timeout=600,
        )
        if done.returncode != 0:
            raise StackError(f"psql failed: {done.stderr.strip()}")
        return done.stdout

    def has_inventory(self) -> bool:
        return self.psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'inventory';").strip() == "1"

    def load_inventory(self) -> bool:
        """Create the inventory schema and its seed rows unless present (returns True when it did)."""
        if self.has_inventory():
            return False
        self.psql(postgres_ddl())
        return True

    def wal_level(self) -> str:
        return self.psql("SHOW wal_level;", single_transaction=False).strip()
