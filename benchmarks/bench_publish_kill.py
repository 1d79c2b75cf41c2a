"""A round's publication killed with SIGKILL at a random point, many times: the round must be left as it was
every time, its job must read as failed, and publishing it again must then succeed whole.

    .venv/bin/python benchmarks/bench_publish_kill.py [--runs 20] [--households 600] [--seed 1]

Once: the demo city is seeded (SQLite, the real migrations and demo seeder) and a public-rental round is solved;
that file is the template. Each run copies the template, queues the publication (the real Huey queue on SQLite in
the run's folder), starts the queue's consumer in a child process (tests/services/killed_publish.py), and kills it
with SIGKILL at a random progress report of the publication, chosen among the reports made before its commit
(counted once in a calibration run). Then it checks, in this process: everything a publication writes (round
status, offers, subsidies, notifications, every unit's and every application's status, audit rows) is exactly as
before; the job reads failed ("worker_lost") once its heartbeat is stale; a second publication succeeds with one
offer per assignment. Prints one line per run and the counts.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONFIG = {"SECRET_KEY": "bench-secret", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "JOBS_IMMEDIATE": False,
          "JOB_STALE_SECONDS": 1, "JOB_HEARTBEAT_SECONDS": 0.2}


def _app(folder: Path):
    os.environ["HOUSING_INSTANCE_PATH"] = str(folder)
    from housing_security import create_app

    return create_app({**CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'housing.sqlite'}"})


def _state(round_id: int) -> dict:
    from sqlalchemy import func, select

    from housing_security.extensions import db
    from housing_security.models import AllocationRound, Application, AuditLog, Notification, Offer, RentSubsidy, Unit

    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return {"round": db.session.get(AllocationRound, round_id).status, "offers": count(Offer),
            "subsidies": count(RentSubsidy), "notifications": count(Notification),
            "units": dict(db.session.execute(select(Unit.id, Unit.status)).all()),
            "applications": dict(db.session.execute(select(Application.id, Application.status)).all()),
            "audit": db.session.scalar(select(func.count()).select_from(AuditLog).where(
                AuditLog.action.not_like("job.%")))}


def _template(folder: Path, households: int, seed: int) -> int:
    import logging

    from flask_migrate import upgrade

    from housing_security.extensions import db
    from housing_security.services import demo, rounds

    app = _app(folder)
    with app.app_context():
        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade()
        demo.seed(households=households, seed=seed)
        today = date.today()
        round_id = rounds.run_round_now("taiyuan", "public_rental", today, today + timedelta(days=245)).id
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return round_id


def _one(template: Path, folder: Path, round_id: int, kill_at: int | None) -> dict:
    from housing_security import worker
    from housing_security.extensions import db
    from housing_security.models import AllocationRound, Job
    from housing_security.services import jobs, round_runner
    from tests.services.killed_publish import publish_and_kill

    folder.mkdir(parents=True)
    shutil.copyfile(template / "housing.sqlite", folder / "housing.sqlite")
    app = _app(folder)
    config = {**CONFIG, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    with app.app_context():
        before = _state(round_id)
        job_id = round_runner.start(round_id, kind="publish")
        db.session.rollback()
    outcome = publish_and_kill(config, str(folder), kill_at=kill_at or 10**9)
    result = {"kill_at": kill_at, "reports": outcome["reports"], "last": outcome["last"],
              "killed": outcome["killed"]}
    with app.app_context():
        if kill_at is None:  # the calibration run: not killed, published
            result["published"] = db.session.get(AllocationRound, round_id).status == "published"
            return result
        result["unchanged"] = _state(round_id) == before
        time.sleep(1.1)  # JOB_STALE_SECONDS
        db.session.expire_all()
        result["job_reads_failed"] = jobs.effective_state(db.session.get(Job, job_id)) == ("failed", "worker_lost")
        db.session.rollback()
        again = round_runner.start(round_id, kind="publish")
        db.session.rollback()
        worker.drain()
        db.session.expire_all()
        rnd = db.session.get(AllocationRound, round_id)
        after = _state(round_id)
        result["republished"] = (again is not None and rnd.status == "published"
                                 and after["offers"] - before["offers"] == rnd.metrics["units_allocated"])
        db.session.remove()
        db.engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--households", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    args = parser.parse_args()
    if args.runs > 200 or args.households > 20000:
        raise SystemExit("keep it short: at most 200 runs and 20,000 households")
    work = Path(tempfile.mkdtemp(prefix="bench_publish_kill_"))
    rng = random.Random(args.seed)
    try:
        started = time.perf_counter()
        round_id = _template(work / "template", args.households, args.seed)
        print(f"template: {args.households} households, round {round_id} solved "
              f"({time.perf_counter() - started:.1f} s)", flush=True)
        calibration = _one(work / "template", work / "calibration", round_id, None)
        reports = calibration["reports"]
        assert calibration["published"] and calibration["last"] == "save 1 1", calibration
        print(f"calibration: a whole publication makes {reports} progress reports, the last one after its commit",
              flush=True)
        tally = {"runs": 0, "killed": 0, "unchanged": 0, "job_reads_failed": 0, "republished": 0}
        for run in range(1, args.runs + 1):
            kill_at = rng.randint(1, reports - 1)  # any report before the commit ("save 1 1" is the last)
            result = _one(work / "template", work / f"run{run}", round_id, kill_at)
            tally["runs"] += 1
            for key in ("killed", "unchanged", "job_reads_failed", "republished"):
                tally[key] += bool(result.get(key))
            print(f"run {run:3d}: killed at report {kill_at:3d}/{reports} ({result['last']}): "
                  f"round unchanged {result['unchanged']}, job failed {result['job_reads_failed']}, "
                  f"published again whole {result['republished']}", flush=True)
            shutil.rmtree(work / f"run{run}", ignore_errors=True)
        print(json.dumps(tally))
        print(f"{tally['unchanged']} of {tally['runs']} publications killed with SIGKILL left the round as it was; "
              f"{tally['republished']} published whole afterwards")
        if tally["unchanged"] != tally["runs"] or tally["killed"] != tally["runs"]:
            raise SystemExit(1)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
