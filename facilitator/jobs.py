"""Heavy work off the room: a whole room's take-home plans (and any later export of a whole
room) run as a job, never in the request that asked for it.

- With REDIS_URL (several server processes), a job goes on an RQ queue on that Redis and a
  `bsc worker` process runs it; its progress and its file are kept in Redis for a day, so any
  server process can show the one and hand over the other.
- On a laptop (no Redis), the server starts the job in a process of its own (every core, and
  the room's event loop stays free); its progress and file are kept in the data folder's
  `jobs/` folder.

The console starts a job, shows its progress ("12 of 40 teams") and offers the file when it
is ready (facilitator/console.py). A job that fails says why on the same page.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

QUEUE = "bsc"
KEEP_SECONDS = 24 * 3600  # a finished job's file, in Redis
JOB_TIMEOUT = 1800  # seconds a job may run before RQ stops it
NICE = 19  # where the system has no idle scheduling class (macOS): the lowest priority


@dataclass
class Job:
    """What a job is, and how far it has come."""

    id: str
    kind: str  # plans
    title: str  # for the console: "Take-home plans of Learning Session 1"
    settings: dict[str, Any]  # what the job's own process needs to open the room's data
    params: dict[str, Any]  # what to make
    state: str = "queued"  # queued, running, finished, failed
    done: int = 0
    total: int = 0
    error: str = ""
    filename: str = ""
    mimetype: str = "application/zip"
    unit: str = ""  # what `done` and `total` count ("teams"), where they count something
    back: str = ""  # the console page that started it
    started: float = field(default_factory=time.time)

    def public(self) -> dict[str, Any]:
        """What the console may see (not the settings)."""
        return {
            "id": self.id,
            "title": self.title,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "error": self.error,
            "filename": self.filename,
            "unit": self.unit,
            "back": self.back,
        }


class Store(Protocol):
    """Where jobs keep their state and their file."""

    def save(self, job: Job) -> None: ...
    def load(self, job_id: str) -> Job | None: ...
    def put_file(self, job_id: str, data: bytes) -> None: ...
    def get_file(self, job_id: str) -> bytes | None: ...


class FolderStore:
    """A laptop's jobs: `jobs/<id>.json` and `jobs/<id>.file` in the data folder."""

    def __init__(self, data_dir: str) -> None:
        self.root = Path(data_dir) / "jobs"

    def _path(self, job_id: str, suffix: str) -> Path:
        if not _valid_id(job_id):
            raise ValueError("not a job id")
        return self.root / f"{job_id}{suffix}"

    def save(self, job: Job) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        _write_atomically(self._path(job.id, ".json"), json.dumps(asdict(job)).encode())

    def load(self, job_id: str) -> Job | None:
        try:
            return Job(**json.loads(self._path(job_id, ".json").read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def put_file(self, job_id: str, data: bytes) -> None:
        _write_atomically(self._path(job_id, ".file"), data)

    def get_file(self, job_id: str) -> bytes | None:
        try:
            return self._path(job_id, ".file").read_bytes()
        except (OSError, ValueError):
            return None


class RedisStore:
    """Several servers' jobs: `bsc:job:<id>` and its file in Redis, for a day."""

    def __init__(self, url: str) -> None:
        from redis import Redis

        self.redis = Redis.from_url(url)

    def save(self, job: Job) -> None:
        self.redis.set(f"bsc:job:{job.id}", json.dumps(asdict(job)), ex=KEEP_SECONDS)

    def load(self, job_id: str) -> Job | None:
        if not _valid_id(job_id):
            return None
        raw = self.redis.get(f"bsc:job:{job_id}")
        return Job(**json.loads(raw)) if raw else None

    def put_file(self, job_id: str, data: bytes) -> None:
        self.redis.set(f"bsc:job:{job_id}:file", data, ex=KEEP_SECONDS)

    def get_file(self, job_id: str) -> bytes | None:
        if not _valid_id(job_id):
            return None
        data = self.redis.get(f"bsc:job:{job_id}:file")
        return bytes(data) if data is not None else None  # type: ignore[arg-type]


def _valid_id(job_id: str) -> bool:
    return 8 <= len(job_id) <= 40 and all(c.isalnum() or c in "-_" for c in job_id)


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


def store_for(settings: dict[str, Any]) -> Store:
    """Redis where the servers share one, else the data folder."""
    if settings.get("REDIS_URL"):
        return RedisStore(str(settings["REDIS_URL"]))
    return FolderStore(str(settings["DATA_DIR"]))


def job_settings(config: Any) -> dict[str, Any]:
    """What a job's own process needs from the server's configuration to open the same room.

    With Redis only the queue: `bsc worker` opens the room with its own environment (started
    like the servers), so that no database address, password included, is kept in Redis."""
    keys = (
        ("REDIS_URL", "JOB_QUEUE") if config.get("REDIS_URL") else ("DATA_DIR", "DATABASE_URL", "CURRICULUM")
    )
    return {k: config.get(k) for k in keys if config.get(k) is not None}


def _queue(settings: dict[str, Any]) -> Any:
    """The RQ queue the servers share with `bsc worker`."""
    from redis import Redis
    from rq import Queue

    return Queue(str(settings.get("JOB_QUEUE") or QUEUE), connection=Redis.from_url(settings["REDIS_URL"]))


def start(
    kind: str, title: str, settings: dict[str, Any], params: dict[str, Any], unit: str = "", back: str = ""
) -> Job:
    """Queue a job: on RQ where the servers share Redis, else in a process of its own.
    `unit` names what its progress counts (teams), where it counts something; `back` is the
    console page to go back to."""
    if kind not in KINDS:
        raise ValueError(f"no job kind {kind}")
    job = Job(secrets.token_urlsafe(12), kind, title, settings, params, unit=unit, back=back)
    store = store_for(settings)
    store.save(job)
    if settings.get("REDIS_URL"):
        _queue(settings).enqueue(
            run, job.id, settings, job_id=f"bsc-{job.id}", job_timeout=JOB_TIMEOUT, result_ttl=KEEP_SECONDS
        )
    else:
        log = (Path(settings["DATA_DIR"]) / "jobs" / f"{job.id}.log").open("wb")
        with log:
            process = subprocess.Popen(
                [sys.executable, "-m", "facilitator.jobs", str(settings["DATA_DIR"]), job.id],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # a job outlives a restart of the server that started it
                cwd=Path(__file__).resolve().parent.parent,
            )
        # Reap it when it ends (a thread, or a greenlet under gevent), so no zombie is left.
        threading.Thread(target=process.wait, daemon=True).start()
    return job


def run(job_id: str, settings: dict[str, Any]) -> None:
    """Run a job to its end (in `bsc worker` or in the laptop's job process), keeping its
    progress; a failure is kept as the job's error, for the console to show."""
    store = store_for(settings)
    job = store.load(job_id)
    if job is None:
        raise LookupError(f"no job {job_id}")
    job.state = "running"
    store.save(job)

    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total
        store.save(job)

    try:
        data, job.filename, job.mimetype = KINDS[job.kind](job, progress)
        store.put_file(job.id, data)
        job.state = "finished"
    except Exception as error:
        job.state, job.error = "failed", f"{type(error).__name__}: {error}"[:500]
        store.save(job)
        raise
    store.save(job)


def _plans(job: Job, progress: Callable[[int, int], None]) -> tuple[bytes, str, str]:
    """Every team's take-home PDF and calendar file in one zip, a folder per team."""
    from exports.packet import plan_cache, plans_zip
    from facilitator.app import create_app
    from live.context import curricula, db
    from live.models import LearningSession
    from live.workspaces.plans import session_plans

    settings = {**job.settings, "ASYNC_MODE": "threading"}
    app = create_app(settings)
    with app.app_context():
        room = db().get(LearningSession, int(job.params["session_id"]))
        if room is None:
            raise LookupError("the session is no longer there")
        link = f"{job.params['public_url'].rstrip('/')}/room/{room.join_code}"
        plans = session_plans(db(), room, curricula().get(room.collaborative.curriculum_id), link)
        code = room.join_code
    workers = int(job.params.get("workers") or os.cpu_count() or 1)
    cache = plan_cache(app.config["DATA_DIR"])  # a team whose plan is unchanged: not again
    data = plans_zip(plans, str(job.params.get("paper", "letter")), workers, cache, progress)
    return data, f"{code}-team-plans.zip", "application/zip"


def _dashboard(job: Job, progress: Callable[[int, int], None]) -> tuple[bytes, str, str]:
    """The action-period dashboard of a collaborative for a month, printed (every team's
    charts: for 60 teams, some 300 of them)."""
    from exports.dashboard import render_dashboard_pdf
    from exports.packet import slug
    from facilitator.app import create_app
    from live.context import db
    from live.dashboard import dashboard

    app = create_app({**job.settings, "ASYNC_MODE": "threading"})
    with app.app_context():
        board = dashboard(db(), int(job.params["collaborative_id"]), str(job.params["month"]))
    progress(0, 1)
    pdf = render_dashboard_pdf(board, str(job.params.get("lang", "en")))
    progress(1, 1)
    return pdf, f"{slug(board.collaborative)}-action-period-{board.month}.pdf", "application/pdf"


def _results(job: Job, progress: Callable[[int, int], None]) -> tuple[bytes, str, str]:
    """A learning session's results deck (for 40 teams, some 200 native charts)."""
    from exports.results_deck import build_results_deck
    from facilitator.app import create_app
    from live.context import db
    from live.models import LearningSession
    from live.results import session_results

    app = create_app({**job.settings, "ASYNC_MODE": "threading"})
    with app.app_context():
        room = db().get(LearningSession, int(job.params["session_id"]))
        if room is None:
            raise LookupError("the session is no longer there")
        found, code = session_results(db(), room.id), room.join_code
    progress(0, 1)
    deck = build_results_deck(found)
    progress(1, 1)
    return deck, f"{code}-results.pptx", PPTX


PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
KINDS: dict[str, Callable[[Job, Callable[[int, int], None]], tuple[bytes, str, str]]] = {
    "plans": _plans,
    "dashboard": _dashboard,
    "results": _results,
}


def queue_reminders(settings: dict[str, Any], day: str, public_url: str) -> None:
    """With Redis, the servers' checks for reminders due put a job on the queue; a `bsc
    worker` sends them (through its own BSC_SMTP_* settings), once each: the reminder's claim
    in the database (live/reminders.py) stops a second worker or a second check."""
    _queue(settings).enqueue(send_reminders, settings, day, public_url, job_timeout=600, result_ttl=3600)


def send_reminders(settings: dict[str, Any], day: str, public_url: str) -> int:
    """The reminders job, in a worker: send what is due on `day`; the number sent."""
    import logging
    from datetime import date

    from facilitator.app import create_app
    from live.context import database
    from live.reminders import Smtp, send_due

    app = create_app({**settings, "LOAD_CURRICULUM": False, "ASYNC_MODE": "threading"})
    smtp = Smtp.from_config(app.config)
    if smtp is None:
        logging.getLogger(__name__).warning(
            "a reminders job, but this worker has no BSC_SMTP_HOST: none sent"
        )
        return 0
    with app.app_context():
        return send_due(database(), smtp, date.fromisoformat(day), public_url)


def yield_to_the_room() -> None:
    """On a laptop the job shares the cores with the server the phones are talking to: the
    room comes first. On Linux the job (and the renderers it forks) runs in the idle
    scheduling class, so it only gets a core the room leaves unused; elsewhere at the lowest
    priority. (At `nice` 10 the room's fan-out p95 beside a plans job was 73 ms, 2.4x the bare
    server's; in the idle class 60 ms: docs/benchmarks.md.)"""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):  # no SCHED_IDLE (macOS), or not allowed
        os.nice(NICE)


def main() -> None:
    """The laptop's job process: python -m facilitator.jobs DATA_DIR JOB_ID."""
    data_dir, job_id = sys.argv[1], sys.argv[2]
    yield_to_the_room()
    job = FolderStore(data_dir).load(job_id)
    if job is None:
        sys.exit(f"no job {job_id} in {data_dir}")
    try:
        run(job_id, job.settings)
    except Exception:
        sys.exit(1)


if __name__ == "__main__":
    main()
