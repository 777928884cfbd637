"""Stop native stacks nobody owns any more: what an interrupted test session left running."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cdc_tutor.stack import processes
from cdc_tutor.stack.postgres import Postgres, server_os_user


def reap(under: Path, keep: Path | None = None) -> list[str]:
    """Stop stacks whose state dir lies under `under` (but not under `keep`): what an
    interrupted test session left running. Finds them by the marker on their command lines
    and the owner file beside their PostgreSQL. Returns what it stopped."""
    under, stopped = Path(under).resolve(), []

    def ours(path: str) -> bool:
        resolved = Path(path)
        if not resolved.is_relative_to(under) or (keep and resolved.is_relative_to(Path(keep).resolve())):
            return False
        try:  # a stack whose starter still runs (another test session) is left alone
            owner = json.loads((resolved / "state.json").read_text(encoding="utf-8")).get("owner_pid")
        except (OSError, ValueError):
            owner = None
        return not (owner and Path(f"/proc/{owner}").exists())

    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = [arg.decode(errors="replace") for arg in (entry / "cmdline").read_bytes().split(b"\0")]
        except OSError:
            continue
        marker = next((arg.split("=", 1)[1] for arg in args if arg.startswith("-Dcdc.tutor.stack=")), None)
        name = next((arg.split("=", 1)[1] for arg in args if arg.startswith("-Dcdc.tutor.process=")), None)
        if args[0].endswith("redis-server") and "--dir" in args[:-1]:  # Redis: its --dir is <state dir>/redis
            folder = Path(args[args.index("--dir") + 1])
            marker, name = (str(folder.parent), "redis") if folder.name == "redis" else (None, None)
        if marker and name and ours(marker):
            processes.stop(int(entry.name), marker, name, timeout=10)
            stopped.append(f"{name} {entry.name}")
    user = server_os_user()
    home = Path(user.pw_dir) / "cdc-tutor-lab" if user else None
    roots = list(home.iterdir()) if home and home.is_dir() else []
    roots += list(under.glob("**/stack/postgres")) if user is None else []
    for root in roots:
        try:
            owner = (root / "owner").read_text(encoding="utf-8").strip()
        except OSError:
            continue
        if ours(owner):
            pg = Postgres(root, 0, password="")
            if pg.running():
                pg.stop()
                stopped.append(f"postgres {root}")
            shutil.rmtree(root, ignore_errors=True)
    return stopped
