"""The web app at a big city's scale: a fresh SQLite database seeded with the real demo seeder, then the key
pages through the Flask test client (signed-in sessions) and the round services, with timing.

    .venv/bin/python benchmarks/bench_web.py [--households 20000] [--repeat 20] [--instance DIR]

Without --instance the database lives in a temporary folder that is removed afterwards. With --instance DIR,
a database already seeded there is reused (seeding 20,000 households takes minutes); else it is made there.
Seeding runs in a child process, so the peak memory printed for the pages is the serving process's own.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

DEMO_PASSWORD = "demo-password-2026"
CONFIG = {
    "SECRET_KEY": "bench-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    # The demo accounts are hashed at seed time with this config: signing in stays cheap. Timed pages never hash.
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
}


def _app(instance: Path):
    os.environ["HOUSING_INSTANCE_PATH"] = str(instance)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from housing_security import create_app

    return create_app(dict(CONFIG))


def _seed(instance: str, households: int) -> None:
    """In a child process: migrations, then the real demo seeder."""
    import logging

    from flask_migrate import upgrade

    from housing_security.extensions import db
    from housing_security.services import demo

    app = _app(Path(instance))
    with app.app_context():
        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade()
        started = time.perf_counter()
        counts = demo.seed(households=households)
        print(f"seeded {counts} in {time.perf_counter() - started:.1f} s", flush=True)
        db.session.remove()
        db.engine.dispose()


def _megabytes(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


class QueryCounter:
    """Counts the SQL statements the engine runs (to tell a query per row from a slow query)."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args):
        self.count += 1


def _timed(label: str, call, repeat: int, counter: QueryCounter, rows: list) -> None:
    call()  # warm-up: template compilation, caches; not counted
    times, queries = [], []
    for _ in range(repeat):
        before = counter.count
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
        queries.append(counter.count - before)
    times.sort()
    p95 = times[max(0, -(-95 * len(times) // 100) - 1)]  # nearest rank
    rows.append((label, statistics.median(times), p95, max(times), statistics.median(queries)))
    print(f"  {label:44s} median {statistics.median(times):8.1f} ms   p95 {p95:8.1f} ms   "
          f"queries {statistics.median(queries):6.0f}", flush=True)


NEW_SUPPLY = "新增房源"  # the benchmark's building name (String(32))


def _new_supply(count: int) -> int:
    """Newly completed public-rental units, vacant: at 20,000 households the demo seeder lets or offers every unit
    it builds, and a round with no vacant unit would time nothing but the queries. Each new unit copies the
    shape (area, bedrooms, rent) of an existing unit of its project. Added once; returns the number added now."""
    import random

    from sqlalchemy import select

    from housing_security.extensions import db
    from housing_security.models import Building, Project, Unit

    if count <= 0 or db.session.scalar(select(Building.id).where(Building.name == NEW_SUPPLY)):
        return 0
    rng = random.Random(1)
    projects = db.session.scalars(select(Project).where(Project.city_code == "taiyuan",
                                                        Project.programme == "public_rental")
                                  .order_by(Project.id)).all()
    shapes = {p.id: [u for b in p.buildings for u in b.units] for p in projects}
    buildings = {p.id: Building(project=p, name=NEW_SUPPLY, floors=18, elevator=True) for p in projects}
    db.session.add_all(buildings.values())
    for i in range(count):
        project = projects[i % len(projects)]
        like = rng.choice(shapes[project.id])
        floor = 1 + (i // len(projects)) % 18
        db.session.add(Unit(building=buildings[project.id], number=f"{floor}{i:04d}", programme=like.programme,
                            tenure=like.tenure, kind=like.kind, area_m2=like.area_m2, bedrooms=like.bedrooms,
                            floor=floor, accessible=floor == 1, rent_month=like.rent_month, status="vacant"))
    db.session.commit()
    return count


def _signed_in(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, (username, response.status_code)
    return client


def _page(client, path: str):
    def get():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response
    return get


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--service-repeat", type=int, default=3, help="repeats of build_instance and run_round_now")
    parser.add_argument("--new-units", type=int, default=400,
                        help="vacant public-rental units added after seeding, so that the round has units to allocate")
    parser.add_argument("--instance", help="a folder to keep (and reuse) the seeded database in")
    args = parser.parse_args()

    instance = Path(args.instance) if args.instance else Path(tempfile.mkdtemp(prefix="bench_web_"))
    instance.mkdir(parents=True, exist_ok=True)
    try:
        if (instance / "housing.sqlite").exists() and args.instance:
            print(f"reusing the database in {instance}")
        else:
            print(f"seeding {args.households} households in {instance} …", flush=True)
            started = time.perf_counter()
            child = multiprocessing.get_context("spawn").Process(target=_seed, args=(str(instance), args.households))
            child.start()
            child.join()
            if child.exitcode:
                raise SystemExit(f"seeding failed ({child.exitcode})")
            print(f"seeding (migrations and demo.seed) took {time.perf_counter() - started:.1f} s, "
                  f"peak RSS {_megabytes(resource.RUSAGE_CHILDREN):.0f} MB", flush=True)
        run(instance, args)
    finally:
        if not args.instance:
            shutil.rmtree(instance, ignore_errors=True)


def run(instance: Path, args) -> None:
    import logging

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from housing_security.extensions import db
    from housing_security.models import Application, Household, Member, User

    app = _app(instance)
    with app.app_context():
        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade()  # a reused database gets migrations added since it was seeded
        added = _new_supply(args.new_units)
        counter = QueryCounter(db.engine)
        total = db.session.scalar(select(func.count()).select_from(Application))
        wangqiang = db.session.scalar(select(User).where(User.username == "wangqiang"))
        in_street = select(Application.id).where(Application.street_id == wangqiang.jurisdiction_id)
        street_cases = db.session.scalar(select(func.count()).select_from(in_street.subquery()))
        case_id = db.session.scalar(in_street.where(Application.status == "street_review").order_by(Application.id))
        name = db.session.scalar(select(Member.name).join(Household).join(Application)
                                 .where(Application.street_id == wangqiang.jurisdiction_id,
                                        Application.status != "draft")
                                 .order_by(Member.id.desc()))
        status_id = db.session.scalar(select(Application.id).join(Household).join(User, Household.owner_id == User.id)
                                      .where(User.username == "lixiulan"))
        db.session.remove()
    print(f"{total} applications in the city; {street_cases} in wangqiang's street; case {case_id}, "
          f"search '{name}', lixiulan's application {status_id}; {added} new vacant public-rental units added")

    caseworker, bureau, applicant = (_signed_in(app, u) for u in ("wangqiang", "liuchu", "lixiulan"))
    anonymous = app.test_client()
    rows: list = []
    print(f"pages, {args.repeat} requests each after one warm-up:")
    for label, client, path in (
        ("caseworker inbox, first page", caseworker, "/cases/"),
        ("caseworker inbox, status filter (waitlist)", caseworker, "/cases/?status=waitlist"),
        ("caseworker inbox, filtered overdue, by status", caseworker, "/cases/?due=overdue&sort=status"),
        ("caseworker inbox, search by name", caseworker, f"/cases/?q={name}"),
        ("case page", caseworker, f"/cases/{case_id}"),
        ("bureau inbox (whole city), first page", bureau, "/cases/"),
        ("bureau dashboard", bureau, "/bureau/"),
        ("units list", bureau, "/bureau/units"),
        ("early-warning list", bureau, "/bureau/early-warning"),
        ("re-verification list", bureau, "/bureau/reverification"),
        ("publicity page (anonymous)", anonymous, "/publicity/"),
        ("applicant status page", applicant, f"/me/applications/{status_id}"),
    ):
        # No app context around the requests: each request must get its own (and so its own database session,
        # with an empty identity map), as in the server; an outer context would be shared by all of them.
        _timed(label, _page(client, path), args.repeat, counter, rows)

    from housing_security.services import rounds

    today = date.today()
    print(f"services, {args.service_repeat} runs each after one warm-up (public rental, taiyuan):")
    with app.app_context():
        def instance_once():
            built = rounds.build_instance("taiyuan", "public_rental", today, today + timedelta(days=30))
            db.session.rollback()  # build_instance re-ranks within the caller's transaction
            return built

        built = instance_once()
        print(f"  instance: {len(built['households'])} waiting households, {len(built['units'])} vacant units")
        _timed("rounds.build_instance", instance_once, args.service_repeat, counter, rows)
        _timed("rounds.run_round_now (create, solve, save)",
               lambda: rounds.run_round_now("taiyuan", "public_rental", today, today + timedelta(days=30)),
               args.service_repeat, counter, rows)
        db.session.remove()

    print(f"peak RSS of the serving process {_megabytes(resource.RUSAGE_SELF):.0f} MB")
    slow = [r for r in rows if r[1] > 300]
    if slow:
        print("slower than 300 ms median: " + ", ".join(f"{r[0]} ({r[1]:.0f} ms)" for r in slow))


if __name__ == "__main__":
    main()
