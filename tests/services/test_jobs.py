"""Background jobs with their state in the database (services/jobs.py, worker.py): one job at a time per round,
a worker killed in the middle of a publication, a dead worker's job read and stored as failed."""
from __future__ import annotations

import threading
import time
from datetime import date, timedelta

from sqlalchemy import func, select

from housing_security import worker
from housing_security.extensions import db
from housing_security.models import (
    AllocationRound,
    Application,
    AuditLog,
    Job,
    Notification,
    Offer,
    RentSubsidy,
    Unit,
    User,
)
from housing_security.services import jobs, round_runner, rounds
from tests.conftest import _config
from tests.services.killed_publish import publish_and_kill

TODAY = date.today()
FAR = TODAY + timedelta(days=245)  # every commitment household is due: the publication starts subsidies too


def _solved_round(app) -> int:
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.username == "liuchu"))
        round_id = rounds.run_round_now("taiyuan", "public_rental", TODAY, FAR, actor=officer).id
        db.session.commit()
        return round_id


def _drain() -> int:
    """The queue's consumer, here (with SQLite a reader's open transaction would hold the write lock it needs)."""
    db.session.rollback()
    ran = worker.drain()
    db.session.expire_all()
    return ran


def _state_of_the_city(round_id: int) -> dict:
    """Everything a publication writes."""
    return {
        "round": db.session.get(AllocationRound, round_id).status,
        "offers": db.session.scalar(select(func.count()).select_from(Offer)),
        "subsidies": db.session.scalar(select(func.count()).select_from(RentSubsidy)),
        "notifications": db.session.scalar(select(func.count()).select_from(Notification)),
        "units": dict(db.session.execute(select(Unit.id, Unit.status)).all()),
        "applications": dict(db.session.execute(select(Application.id, Application.status)).all()),
        "audit": db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action.not_like("job.%"))),
    }


def test_two_publications_of_the_same_round_at_once_make_one(make_app):
    app = make_app(JOBS_IMMEDIATE=False)
    round_id = _solved_round(app)
    barrier, started = threading.Barrier(2), []

    def publish():
        with app.app_context():
            barrier.wait()
            started.append(round_runner.start(round_id, kind="publish"))

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(started) == 2 and sum(job is not None for job in started) == 1
    with app.app_context():
        assert _drain() == 1
        assert round_runner.start(round_id, kind="publish") is not None  # the round is free again: it is refused
        _drain()
        publications = db.session.scalars(select(Job).where(Job.kind == "round.publish").order_by(Job.id)).all()
        assert [(j.state, j.error) for j in publications] == [("succeeded", None), ("failed", "not_publishable")]
        rnd = db.session.get(AllocationRound, round_id)
        assert rnd.status == "published"
        assert db.session.scalar(select(func.count()).select_from(Offer).where(
            Offer.round_id == round_id)) == rnd.metrics["units_allocated"] > 0
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "round.publish")) == 1


def test_a_second_start_while_a_job_of_the_round_is_queued_is_refused(make_app):
    app = make_app(JOBS_IMMEDIATE=False)
    round_id = _solved_round(app)
    with app.app_context():
        first = round_runner.start(round_id, kind="run")
        assert first is not None
        assert round_runner.start(round_id, kind="publish") is None
        assert round_runner.start(round_id, kind="run") is None
        assert round_runner.progress_of(round_id)["state"] == "running"
        _drain()
        assert db.session.get(Job, first).state == "succeeded" and db.session.get(Job, first).lock is None
        assert round_runner.start(round_id, kind="publish") is not None


def test_a_worker_killed_in_the_middle_of_a_publication_leaves_the_round_as_it_was(make_app, tmp_path):
    app = make_app(JOBS_IMMEDIATE=False, JOB_STALE_SECONDS=1, JOB_HEARTBEAT_SECONDS=0.2)
    round_id = _solved_round(app)
    with app.app_context():
        before = _state_of_the_city(round_id)
        assert before["round"] == "solved"
        job_id = round_runner.start(round_id, kind="publish")
    config = _config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"], JOB_STALE_SECONDS=1,
                     JOB_HEARTBEAT_SECONDS=0.2)
    outcome = publish_and_kill(config, str(tmp_path), kill_at=4)
    assert outcome["killed"], outcome
    assert outcome["last"].startswith("publish_offers"), outcome  # killed with offers written, not committed
    with app.app_context():
        assert _state_of_the_city(round_id) == before  # nothing of the publication is left
        job = db.session.get(Job, job_id)
        assert job.state == "running" and job.started_at is not None  # as the dead worker left the row
        time.sleep(1.2)
        db.session.expire_all()
        assert jobs.effective_state(db.session.get(Job, job_id)) == ("failed", "worker_lost")
        progress = round_runner.progress_of(round_id)
        assert (progress["kind"], progress["state"], progress["error"]) == ("publish", "error", "worker_lost")
        assert jobs.fail_stale_jobs() == 1
        job = db.session.get(Job, job_id)
        assert (job.state, job.error, job.lock) == ("failed", "worker_lost", None)
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "job.worker_lost", AuditLog.object_id == str(job_id))) == 1
        # the officer starts the publication again, and it is whole
        assert round_runner.start(round_id, kind="publish") is not None
        _drain()
        rnd = db.session.get(AllocationRound, round_id)
        assert rnd.status == "published"
        assert db.session.scalar(select(func.count()).select_from(Offer).where(
            Offer.round_id == round_id)) == rnd.metrics["units_allocated"]


def test_a_job_whose_worker_died_reads_as_failed_and_frees_its_subject(make_app):
    app = make_app(JOBS_IMMEDIATE=False, JOB_STALE_SECONDS=30)
    round_id = _solved_round(app)
    with app.app_context():
        job_id = round_runner.start(round_id, kind="publish")
        job = db.session.get(Job, job_id)
        job.state, job.started_at = "running", job.created_at
        job.heartbeat = job.created_at - timedelta(seconds=5)
        db.session.commit()
        assert round_runner.progress_of(round_id)["state"] == "running"  # beat 5 s ago: alive
        assert round_runner.start(round_id, kind="publish") is None
        job.heartbeat = job.created_at - timedelta(seconds=31)
        db.session.commit()
        assert round_runner.progress_of(round_id)["error"] == "worker_lost"
        second = round_runner.start(round_id, kind="publish")  # frees the dead job's lock first
        assert second is not None and second != job_id
        assert (db.session.get(Job, job_id).state, db.session.get(Job, job_id).error) == ("failed", "worker_lost")
        _drain()  # the dead job's queue message was consumed already; the second one runs
        assert db.session.get(Job, second).state == "succeeded"
        assert db.session.get(AllocationRound, round_id).status == "published"


def test_a_failing_job_records_its_error_code_and_frees_its_subject(app):
    with app.app_context():
        job_id = jobs.enqueue("round.run", "round:999999", round=999999)  # immediate mode under TESTING
        job = db.session.get(Job, job_id)
        assert (job.state, job.error, job.lock, job.attempts) == ("failed", "not_found", None, 1)
        assert job.finished_at >= job.started_at >= job.created_at
        assert jobs.enqueue("round.run", "round:999999", round=999999) != job_id


def test_the_daily_jobs_run_at_the_configured_local_time(make_app):
    app = make_app(DAILY_JOBS_AT="02:30", BABEL_DEFAULT_TIMEZONE="Asia/Shanghai")
    assert worker.daily_time_utc(app) == (18, 30)  # China Standard Time is UTC+8 all year
    app.config["DAILY_JOBS_AT"] = "09:05"
    assert worker.daily_time_utc(app) == (1, 5)


def test_the_daily_jobs_run_as_a_job_and_a_second_run_the_same_day_changes_nothing(app):
    with app.app_context():
        first = jobs.enqueue("daily", f"daily:{TODAY.isoformat()}", as_of=TODAY)  # immediate mode under TESTING
        job = db.session.get(Job, first)
        assert job.state == "succeeded", job.error
        assert set(job.outcome["jobs"]) >= {"close_publicity", "reverify_due"}
        changes = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.not_like("job.%")))
        second = jobs.enqueue("daily", f"daily:{TODAY.isoformat()}", as_of=TODAY)
        assert db.session.get(Job, second).state == "succeeded"
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action.not_like("job.%"))) == changes


def test_the_consumer_schedules_the_daily_jobs_and_the_sweep(make_app):
    from datetime import datetime

    app = make_app(DAILY_JOBS_AT="02:30")
    worker.register_periodic(app)
    due_at = {task.name for task in worker.huey.read_periodic(datetime(2026, 12, 3, 18, 30))}
    assert {"daily_jobs", "sweep_jobs"} <= due_at  # 02:30 in Taiyuan is 18:30 UTC
    assert {task.name for task in worker.huey.read_periodic(datetime(2026, 12, 3, 18, 31))} == {"sweep_jobs"}
