"""The job queue (Huey) and its consumer: `housing-security worker`, started by `make run` and `make serve` beside
the web server.

The queue carries nothing but a job's id; the job itself (kind, subject, stage, percent, heartbeat, outcome, error)
is a row of the `job` table (services/jobs.py), so any web worker shows its progress and a restart of the web
server or of the consumer loses nothing.

Storage, one code path for both:
- embedded default: Huey's SQLite storage in the instance folder (`instance/huey.sqlite`), no extra service;
- `HOUSING_REDIS_URL=redis://host:6379/0`: Huey's Redis storage (install the `redis` extra), for several hosts.
With `TESTING` (unless `JOBS_IMMEDIATE` is set to false) Huey runs in immediate mode: a task runs at once, in the
caller's thread, so tests stay deterministic.

Periodic tasks (registered by the consumer only): the daily jobs at `DAILY_JOBS_AT` (HH:MM in the city's time zone,
`BABEL_DEFAULT_TIMEZONE`), and every minute a sweep that marks jobs whose worker died as failed.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.storage import MemoryStorage, SqliteStorage

QUEUE_NAME = "housing_security"
log = logging.getLogger(__name__)

# Created unbound (in memory); `configure(app)` gives it the app's storage.
huey = Huey(QUEUE_NAME, results=False, utc=True, storage_class=MemoryStorage)
_app: Optional[Flask] = None


def storage_for(app: Flask):
    """Redis when `REDIS_URL` (HOUSING_REDIS_URL) is set, else SQLite in the instance folder."""
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        from huey.storage import RedisStorage

        return RedisStorage(QUEUE_NAME, url=redis_url)
    return SqliteStorage(QUEUE_NAME, filename=str(Path(app.instance_path) / "huey.sqlite"))


def configure(app: Flask) -> None:
    """Bind the queue to this app (called by create_app): immediate mode under TESTING, else its storage."""
    global _app
    _app = app
    immediate = app.config.get("JOBS_IMMEDIATE")
    if immediate is None:
        immediate = bool(app.config.get("TESTING"))
    huey.immediate = bool(immediate)
    if not immediate:
        huey.storage = storage_for(app)


def _the_app() -> Flask:
    if has_app_context():
        return current_app._get_current_object()
    if _app is None:
        from . import create_app

        configure(create_app())
    assert _app is not None
    return _app


@huey.task(retries=3, retry_delay=2)
def run_job(job_id: int) -> None:
    """Runs one job of the `job` table (services.jobs.execute); the row says what it is. Retried when the job
    could not even be claimed (a busy database): a claimed job is never run twice."""
    from .services import jobs

    app = _the_app()
    with app.app_context():
        jobs.execute(job_id)


def dispatch(job_id: int) -> None:
    """Put the job on the queue (in immediate mode: run it now)."""
    run_job(job_id)


def drain(limit: Optional[int] = None) -> int:
    """Run the queued tasks in this thread until the queue is empty (tests, `housing-security worker --drain`)."""
    done = 0
    while limit is None or done < limit:
        task = huey.dequeue()
        if task is None:
            break
        huey.execute(task)
        done += 1
    return done


def daily_time_utc(app: Flask) -> tuple[int, int]:
    """`DAILY_JOBS_AT` (HH:MM, the city's local time) as UTC hour and minute for Huey's crontab."""
    hour, minute = (int(part) for part in str(app.config.get("DAILY_JOBS_AT", "02:30")).split(":"))
    zone = ZoneInfo(app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))
    local = datetime.now(zone).replace(hour=hour, minute=minute, second=0, microsecond=0)
    moment = local.astimezone(UTC)
    return moment.hour, moment.minute


def local_today(app: Flask):
    return datetime.now(ZoneInfo(app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))).date()


_periodic_registered = False


def register_periodic(app: Flask) -> None:
    """The consumer's schedule: the daily jobs once a day, the sweep of dead workers' jobs every minute."""
    global _periodic_registered
    if _periodic_registered:
        return
    _periodic_registered = True
    hour, minute = daily_time_utc(app)

    @huey.periodic_task(crontab(minute=str(minute), hour=str(hour)), name="daily_jobs")
    def daily_jobs() -> None:
        from .services import jobs

        with _the_app().app_context():
            as_of = local_today(_the_app())
            jobs.enqueue("daily", f"daily:{as_of.isoformat()}", as_of=as_of.isoformat())

    @huey.periodic_task(crontab(minute="*"), name="sweep_jobs")
    def sweep_jobs() -> None:
        from .services import jobs

        with _the_app().app_context():
            jobs.fail_stale_jobs()


def run_consumer(app: Flask, workers: int = 1, periodic: bool = True) -> None:
    """Run the Huey consumer in this process until SIGINT/SIGTERM (threads: the jobs are mostly database work and
    the solver, which releases the GIL)."""
    configure(app)
    if huey.immediate:
        raise RuntimeError("the consumer needs a real queue: JOBS_IMMEDIATE is on")
    if periodic:
        register_periodic(app)
    with app.app_context():
        from .services import jobs

        jobs.fail_stale_jobs()
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic,
                                    check_worker_health=True, initial_delay=0.1, max_delay=1.0)
    log.info("job consumer: %d worker(s), storage %s", workers, type(huey.storage).__name__)
    consumer.run()

