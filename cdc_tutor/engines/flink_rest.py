"""A Flink session cluster's REST API, as far as the tutor uses it: is it there, how many slots are
free, which jobs run, cancel a student's jobs. Standard library only: the stack, doctor and the
tutor's practice layer share it.

Flink's REST API has no login: anyone who can reach the port can list and cancel any job. The
stack binds it to loopback, so "anyone" is the users of this machine (see lessons/README.md).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

TIMEOUT = 3.0


class FlinkUnreachable(ConnectionError):
    """No Flink REST API answered at the URL."""


@dataclass(frozen=True)
class Overview:
    taskmanagers: int
    slots_total: int
    slots_available: int
    jobs_running: int
    version: str


def job_name(user: str, lesson_id: str) -> str:
    """The name every job of a student's kernel carries on the shared cluster (pipeline.name)."""
    return f"{user}: {lesson_id}"


def owner_of(name: str) -> str:
    """The student a job belongs to, read from its name ("" for a job not named by the tutor)."""
    owner, separator, _ = name.partition(": ")
    return owner if separator else ""


def _request(url: str, path: str, method: str = "GET", timeout: float = TIMEOUT) -> dict:
    try:
        request = urllib.request.Request(url.rstrip("/") + path, method=method)
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (a configured URL)
            body = response.read()
        return json.loads(body) if body else {}
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as error:
        # ValueError: not a URL, or an answer that is not JSON (something else on that port)
        raise FlinkUnreachable(f"Flink REST API at {url}: {getattr(error, 'reason', error)}") from error


def overview(url: str, timeout: float = TIMEOUT) -> Overview:
    data = _request(url, "/overview", timeout=timeout)
    return Overview(
        taskmanagers=int(data.get("taskmanagers", 0)),
        slots_total=int(data.get("slots-total", 0)),
        slots_available=int(data.get("slots-available", 0)),
        jobs_running=int(data.get("jobs-running", 0)),
        version=str(data.get("flink-version", "")),
    )


def jobs(url: str, timeout: float = TIMEOUT) -> list[dict]:
    """Every job the cluster knows: dicts with at least jid, name and state."""
    return list(_request(url, "/jobs/overview", timeout=timeout).get("jobs", []))


UNFINISHED = {"CREATED", "INITIALIZING", "RUNNING", "RESTARTING", "FAILING", "CANCELLING", "RECONCILING"}


def cancel_jobs_named(url: str, name: str, timeout: float = TIMEOUT) -> list[str]:
    """Cancel every unfinished job called `name` (job_name()); the ids cancelled. For a student
    who stops the kernel or leaves the lesson: the jobs would otherwise hold the room's slots."""
    cancelled = []
    for job in jobs(url, timeout):
        if job.get("name") == name and job.get("state") in UNFINISHED:
            _request(url, f"/jobs/{job['jid']}?mode=cancel", method="PATCH", timeout=timeout)
            cancelled.append(job["jid"])
    return cancelled
