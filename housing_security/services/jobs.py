"""Background jobs with their state in the database: `enqueue(kind, subject, ...)` for any feature (a round's run
or publication, the daily jobs, imports, big exports), `execute(job_id)` in the queue's consumer (worker.py).

A job row goes queued → running → succeeded | failed. While it runs, a heartbeat thread of the worker stamps
`heartbeat` every `JOB_HEARTBEAT_SECONDS`, and the handler's `progress(stage, done, total)` writes `stage` and a
monotonic `percent`; both are written on a connection of their own, outside the handler's transaction. A running
job whose heartbeat is older than `JOB_STALE_SECONDS` lost its worker (killed, machine restarted): it reads as
failed ("worker_lost") at once and is stored as failed by the next sweep or the next `enqueue` of its subject. The
work itself is the handler's use case, one all-or-nothing transaction, so a dead worker leaves nothing half-applied.

With SQLite a handler's write transaction holds the database's write lock, so the progress and heartbeat writes of
that stretch are skipped (they never wait for the lock) and resume after its commit; `JOB_STALE_SECONDS` must be
longer than the longest such transaction (a publication of a large round takes seconds).

One job at a time per subject: `lock` (default: the subject) is unique while the job is queued or running; a second
`enqueue` with the same lock returns None, across processes (the unique constraint decides a race).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Optional

from flask import current_app
from sqlalchemy import create_engine, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from ..extensions import db
from ..models import Job, User
from ..models._types import utcnow
from . import audit

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"[:80]


@dataclass(frozen=True)
class Handler:
    run: Callable[[dict, Optional[User], Progress], Optional[dict]]
    stages: dict[str, tuple[int, int]]


HANDLERS: dict[str, Handler] = {}


def handler(kind: str, stages: Optional[dict[str, tuple[int, int]]] = None):
    """Register `fn(params, actor, progress) -> outcome dict | None` as the work of jobs of `kind`; `stages` maps a
    stage name to its (percent at start, percent at end). Raise to fail the job: an exception's `code` (or its
    class name) becomes the job's `error`."""

    def register(fn):
        HANDLERS[kind] = Handler(fn, dict(stages or {}))
        return fn

    return register


def _load_handlers() -> None:
    from . import round_runner  # noqa: F401  (registers "round.run" and "round.publish")


# ---- settings ----------------------------------------------------------------------------------------

def stale_after() -> timedelta:
    return timedelta(seconds=float(current_app.config.get("JOB_STALE_SECONDS", 120)))


def heartbeat_every() -> float:
    return float(current_app.config.get("JOB_HEARTBEAT_SECONDS", 5))


# ---- reading -----------------------------------------------------------------------------------------

def is_stale(job: Job, now: Optional[datetime] = None) -> bool:
    """A running job whose worker stopped beating: killed, or its machine restarted."""
    if job.state != "running":
        return False
    last = job.heartbeat or job.started_at or job.created_at
    return last < (now or utcnow()) - stale_after()


def effective_state(job: Job) -> tuple[str, Optional[str]]:
    """(state, error) as a reader should see them: a stale running job is failed with "worker_lost"."""
    if is_stale(job):
        return "failed", "worker_lost"
    return job.state, job.error


def latest(subject: str, kinds: Optional[tuple[str, ...]] = None) -> Optional[Job]:
    query = select(Job).where(Job.subject == subject)
    if kinds:
        query = query.where(Job.kind.in_(kinds))
    return db.session.scalar(query.order_by(Job.id.desc()).limit(1))


# ---- enqueueing --------------------------------------------------------------------------------------

def enqueue(kind: str, subject: Optional[str] = None, *, actor: Optional[User] = None, lock: Optional[str] = None,
            **params: Any) -> Optional[int]:
    """Create a queued job and hand it to the queue; returns its id, or None when a job holding the same lock
    (default: the subject) is still queued or running. Commits its own transaction (call it with none of the
    caller's work pending) and leaves none open."""
    _load_handlers()
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    lock = lock if lock is not None else subject
    if lock is not None:
        holder = db.session.scalar(select(Job).where(Job.lock == lock))
        if holder is not None:
            if not is_stale(holder):
                db.session.rollback()
                return None
            _mark_lost(holder)
            db.session.flush()  # the lock is free before the new job takes it
    job = Job(kind=kind, subject=subject, lock=lock, params=_jsonable(params), state="queued", percent=0,
              stage="queued", actor_id=getattr(actor, "id", None), created_at=utcnow())
    db.session.add(job)
    try:
        audit.record("job.enqueue", job, actor=actor, kind=kind, subject=subject)  # flushes: the job has its id
        job_id = job.id
        db.session.commit()
    except IntegrityError:  # another process took the lock between our read and our insert
        db.session.rollback()
        return None
    # No attribute of a committed object may be read before the dispatch: it would open a transaction, and with
    # SQLite that one holds the write lock the job (run at once in immediate mode) needs.
    from .. import worker

    try:
        worker.dispatch(job_id)
    except Exception as error:  # the queue's storage is unreachable: the job cannot run, say so
        log.exception("job %s could not be queued", job_id)
        db.session.rollback()
        _finish(job_id, "failed", error=f"queue_unavailable: {type(error).__name__}")
    return job_id


def _jsonable(params: dict) -> dict:
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in params.items()}


def _mark_lost(job: Job) -> None:
    job.state, job.error, job.lock, job.finished_at = "failed", "worker_lost", None, utcnow()
    audit.record("job.worker_lost", job, kind=job.kind, subject=job.subject, stage=job.stage,
                 heartbeat=job.heartbeat)


def fail_stale_jobs() -> int:
    """Store as failed every running job whose worker died (the consumer's sweep, every minute)."""
    cutoff = utcnow() - stale_after()
    stale = db.session.scalars(select(Job).where(Job.state == "running")).all()
    count = 0
    for job in stale:
        if (job.heartbeat or job.started_at or job.created_at) < cutoff:
            _mark_lost(job)
            count += 1
    db.session.commit()
    return count


# ---- running -----------------------------------------------------------------------------------------

_side_engines: dict[str, Engine] = {}
_side_lock = threading.Lock()


def _side_engine() -> Engine:
    """A second engine for progress and heartbeat writes: they must not join the handler's transaction, and with
    SQLite they must not wait for its write lock (timeout 0: a locked write is skipped)."""
    url = str(db.engine.url.render_as_string(hide_password=False))
    with _side_lock:
        engine = _side_engines.get(url)
        if engine is None:
            if url.startswith("sqlite"):
                engine = create_engine(url, connect_args={"timeout": 0}, pool_size=1, max_overflow=2)
            else:
                engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=2,
                                       pool_pre_ping=True)
            _side_engines[url] = engine
        return engine


class Reporter:
    """The handler's `progress(stage, done, total)` and the heartbeat thread of one running job."""

    def __init__(self, job_id: int, stages: dict[str, tuple[int, int]]):
        self.job_id, self.stages = job_id, stages
        self.engine = _side_engine()
        self.stage: Optional[str] = None
        self.percent = 0
        self.written = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, args=(heartbeat_every(),), daemon=True,
                                        name=f"job-{job_id}-heartbeat")

    def __enter__(self) -> Reporter:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def __call__(self, stage: str, done: int, total: int) -> None:
        low, high = self.stages.get(stage, (None, None))
        changed = stage != self.stage
        self.stage = stage
        if low is not None:
            share = (done / total) if total else 1.0
            self.percent = max(self.percent, min(100, int(low + (high - low) * share)))
        if changed or time.monotonic() - self.written >= 0.25:
            self.write()

    def _beat(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.write()

    def write(self) -> bool:
        values: dict[str, Any] = {"heartbeat": utcnow(), "percent": self.percent}
        if self.stage is not None:
            values["stage"] = self.stage[:40]
        with self._lock:
            try:
                with self.engine.begin() as connection:
                    connection.execute(update(Job.__table__).where(Job.__table__.c.id == self.job_id,
                                                                   Job.__table__.c.state == "running")
                                       .values(**values))
            except OperationalError:  # SQLite: the handler's transaction holds the write lock; next time
                return False
        self.written = time.monotonic()
        return True


def execute(job_id: int) -> Optional[str]:
    """Run one queued job in this process (the queue's task calls this in an app context); returns its final
    state, or None when the job was no longer queued (already run, or failed as lost)."""
    _load_handlers()
    now = utcnow()
    claimed = db.session.execute(update(Job).where(Job.id == job_id, Job.state == "queued").values(
        state="running", started_at=now, heartbeat=now, attempts=Job.attempts + 1, worker=WORKER_ID)).rowcount
    db.session.commit()
    if not claimed:
        return None
    job = db.session.get(Job, job_id)
    kind, params, actor_id = job.kind, dict(job.params or {}), job.actor_id
    db.session.rollback()  # ends the read: with SQLite the handler's first statement must be free to write
    work = HANDLERS.get(kind)
    if work is None:
        return _finish(job_id, "failed", error="unknown_kind")
    try:
        with Reporter(job_id, work.stages) as progress:
            actor = db.session.get(User, actor_id) if actor_id else None
            outcome = work.run(params, actor, progress)
    except Exception as error:  # the handler's use case rolled back: nothing of it was written
        db.session.rollback()
        code = getattr(error, "code", None)
        log.warning("job %s (%s) failed: %s", job_id, kind, error, exc_info=code is None)
        return _finish(job_id, "failed", error=str(code) if code else type(error).__name__)
    return _finish(job_id, "succeeded", outcome=outcome)


def _finish(job_id: int, state: str, outcome: Optional[dict] = None, error: Optional[str] = None) -> str:
    values: dict[str, Any] = {"state": state, "finished_at": utcnow(), "lock": None, "error": error,
                              "outcome": _jsonable(outcome) if outcome else outcome}
    if state == "succeeded":
        values.update(percent=100, stage="done")
    for attempt in range(5):  # the handler's work is committed: the row must say so, even past a busy database
        try:
            db.session.execute(update(Job).where(Job.id == job_id).values(**values))
            db.session.commit()
            break
        except OperationalError:
            db.session.rollback()
            if attempt == 4:
                raise
            time.sleep(1 + attempt)
    return state


# ---- the daily jobs ----------------------------------------------------------------------------------

@handler("daily", stages={"daily": (0, 100)})
def _daily(params: dict, actor: Optional[User], progress: Progress) -> dict:
    """services.daily.run_daily for one business day (each of its jobs is idempotent and commits on its own)."""
    from .daily import run_daily

    progress("daily", 0, 1)
    counts = run_daily(date.fromisoformat(params["as_of"]), city_code=params.get("city"))
    failed = sorted(name for name, result in counts.items() if "error" in result)
    if failed:  # the others ran and committed; the job says which did not
        raise DailyJobsFailed(failed)
    return {"as_of": params["as_of"], "jobs": counts}


class DailyJobsFailed(RuntimeError):
    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.code = "daily_failed: " + ", ".join(names)
