"""`housing-security daily` on a generated city: 100,000 households and 30,000 units by default.

    .venv/bin/python benchmarks/bench_daily.py [--households 100000] [--units 30000] [--instance DIR]

The city is written with bulk inserts into a fresh SQLite database (migrations first, then the demo seeder's
jurisdictions and staff with a handful of households): public-rental units in government-invested projects, each
with its first history event; households of one or two members (valid ID numbers) with cases spread over the
waiting list (60%), let with an active tenancy and an occupied unit (25%), on a rent subsidy (6%), with an offer
out (3%, one in seven answerable until yesterday) and in publicity or exiting (the rest). A steady day: waiting
commitment households were approved within the last six months, so those approved six months ago reach their
deadline today; re-verification dates lie ahead (the re-verification job's select runs, no case is due). The
day is the 15th and no ledger line or rent charge of the month exists yet, so the first run also writes the
whole month's subsidy lines and rent charges (what the first run of a month does). Then the command runs twice as of the same day (the
second run must find nothing to do) and the time of each job is printed.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CONFIG = {"SECRET_KEY": "bench-secret", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
AS_OF = date(2027, 3, 15)
CHUNK = 5000


def _app(instance: Path):
    os.environ["HOUSING_INSTANCE_PATH"] = str(instance)
    from housing_security import create_app

    return create_app(dict(CONFIG))


def _bulk(model, rows: list[dict]) -> None:
    from sqlalchemy import insert

    from housing_security.extensions import db

    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start:start + CHUNK])


def generate(instance: Path, households: int, units: int, seed: int) -> dict:
    import logging

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from housing_security import policy
    from housing_security.extensions import db
    from housing_security.models import (
        Application,
        Building,
        Household,
        Jurisdiction,
        Member,
        Offer,
        Project,
        RentSubsidy,
        Tenancy,
        Unit,
        UnitEvent,
    )
    from housing_security.services import demo

    rng = random.Random(seed)
    app = _app(instance)
    with app.app_context():
        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade()
        demo.seed(households=20, today=AS_OF)
        streets = db.session.scalars(select(Jurisdiction).where(Jurisdiction.kind == "street")).all()
        streets = [s for s in streets if s.parent is not None and s.parent.parent is not None
                   and s.parent.parent.code == "taiyuan"]
        districts = sorted({s.parent_id for s in streets})
        base = {"project": db.session.scalar(select(func.max(Project.id))) or 0,
                "building": db.session.scalar(select(func.max(Building.id))) or 0,
                "unit": db.session.scalar(select(func.max(Unit.id))) or 0,
                "household": db.session.scalar(select(func.max(Household.id))) or 0,
                "application": db.session.scalar(select(func.max(Application.id))) or 0}
        # ---- stock: 100 units per building, 10 buildings per project
        projects, buildings, unit_rows, events = [], [], [], []
        per_building, per_project = 100, 10
        for b in range((units + per_building - 1) // per_building):
            if b % per_project == 0:
                pid = base["project"] + len(projects) + 1
                projects.append({"id": pid, "code": f"BENCH{pid}", "name": f"基准项目{pid}", "city_code": "taiyuan",
                                 "district_id": districts[len(projects) % len(districts)], "programme": "public_rental",
                                 "government_invested": True, "market_rent_per_m2": Decimal("30"),
                                 "cost_per_m2": Decimal("5000"), "address": ""})
            bid = base["building"] + b + 1
            buildings.append({"id": bid, "project_id": projects[-1]["id"], "name": f"{b % per_project + 1}号楼",
                              "floors": 18, "elevator": True})
        for n in range(units):
            uid = base["unit"] + n + 1
            unit_rows.append({"id": uid, "building_id": base["building"] + n // per_building + 1,
                              "number": f"{n % per_building + 101}", "programme": "public_rental", "kind": "apartment",
                              "area_m2": Decimal(rng.choice(("38", "45", "52", "58"))), "bedrooms": rng.randint(1, 2),
                              "floor": rng.randint(1, 18), "rent_month": Decimal("280"), "status": "vacant",
                              "status_note": ""})
        # ---- households and cases
        household_rows, member_rows, application_rows = [], [], []
        tenancy_rows, subsidy_rows, offer_rows = [], [], []
        free_units = list(range(len(unit_rows)))
        rng.shuffle(free_units)
        statuses = rng.choices(["waitlist", "housed", "subsidised", "offered", "publicity", "exiting"],
                               [60, 25, 6, 3, 3, 3], k=households)
        for n in range(households):
            hid, aid = base["household"] + n + 1, base["application"] + n + 1
            street = streets[n % len(streets)]
            size = rng.choice((1, 2))
            low = rng.random() < 0.5
            household_rows.append({"id": hid, "street_id": street.id, "hukou_city": "taiyuan", "hukou_type": "urban",
                                   "assets_yuan": Decimal("10000"), "current_area_m2": Decimal("8"),
                                   "minimum_allowance": low, "low_income": not low, "special_hardship": False,
                                   "veteran_family": False, "address": "", "phone": ""})
            for position in range(size):
                birth = date(1960 + rng.randint(0, 40), rng.randint(1, 12), rng.randint(1, 28))
                member_rows.append({"household_id": hid, "position": position, "name": "基准", "relation":
                                    "self" if position == 0 else "spouse", "birth_date": birth,
                                    "id_number": policy.make_id_number("140105", birth, rng.randint(1, 999)),
                                    "income_month": Decimal("900"), "disability": False, "employed_locally": False,
                                    "social_insurance_local": False, "owns_home_in_city": False})
            status = statuses[n]
            approved = AS_OF - timedelta(days=rng.randint(0, 730))
            if status == "waitlist":  # still waiting: approved within the six months, the oldest due today
                approved = AS_OF - timedelta(days=rng.randint(0, 182))
            application_rows.append({
                "id": aid, "reference": f"BENCH{aid:09d}", "household_id": hid, "street_id": street.id,
                "city_code": "taiyuan", "programme": "public_rental", "status": status, "preferences": [],
                "eligible": True, "priority_group": "minimum_allowance" if low else "low_income",
                "commitment": True, "pack_hash": "bench", "approved_on": approved, "waitlist_since": approved,
                "queue_rank": n + 1, "declines": 0,
                "next_reverification_on": AS_OF + timedelta(days=rng.randint(1, 365)),
                "publicity_until": AS_OF + timedelta(days=5) if status == "publicity" else None,
                "exit_buffer_until": AS_OF + timedelta(days=90) if status == "exiting" else None})
            if status in ("housed", "exiting", "offered") and free_units:
                index = free_units.pop()
                unit = unit_rows[index]
                if status == "offered":
                    unit["status"] = "offered"
                    offer_rows.append({"application_id": aid, "unit_id": unit["id"], "status": "pending",
                                       "respond_by": AS_OF - timedelta(days=rng.choice((1, -1, -2, -3, -4, -5, -6)))})
                else:
                    unit["status"] = "occupied"
                    start = approved + timedelta(days=30)
                    tenancy_rows.append({"application_id": aid, "unit_id": unit["id"], "start_on": start,
                                         "keys_on": start, "end_on": start.replace(year=start.year + 5),
                                         "rent_month": Decimal("280"), "status": "active",
                                         "rent_basis": "public_rental_rent", "rent_trace": {}})
            elif status == "subsidised":
                subsidy_rows.append({"application_id": aid, "amount_month": Decimal("420"),
                                     "start_on": approved + timedelta(days=180),
                                     "end_on": approved + timedelta(days=180 + 365), "status": "active",
                                     "trace": {"pack_hash": "bench"}})
        for unit in unit_rows:
            events.append({"unit_id": unit["id"], "on": AS_OF - timedelta(days=800), "from_status": None,
                           "to_status": unit["status"], "reason": "", "data": {}})
        started = time.perf_counter()
        _bulk(Project, projects)
        _bulk(Building, buildings)
        _bulk(Unit, unit_rows)
        _bulk(UnitEvent, events)
        _bulk(Household, household_rows)
        _bulk(Member, member_rows)
        _bulk(Application, application_rows)
        _bulk(Tenancy, tenancy_rows)
        _bulk(RentSubsidy, subsidy_rows)
        _bulk(Offer, offer_rows)
        db.session.commit()
        counts = {"units": len(unit_rows), "households": len(household_rows), "members": len(member_rows),
                  "tenancies": len(tenancy_rows), "subsidies": len(subsidy_rows), "offers": len(offer_rows),
                  "insert_seconds": round(time.perf_counter() - started, 1)}
        db.session.remove()
        db.engine.dispose()
        return counts


def run_daily(instance: Path) -> tuple[float, dict]:
    env = dict(os.environ, HOUSING_INSTANCE_PATH=str(instance), FLASK_APP="housing_security")
    command = [str(Path(sys.executable).parent / "housing-security"), "daily", "--as-of", AS_OF.isoformat(),
               "--city", "taiyuan"]
    started, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"  (CPU time of the command: {after.ru_utime - cpu.ru_utime + after.ru_stime - cpu.ru_stime:.1f} s; "
          f"wall time depends on what else the machine runs)")
    if done.returncode:
        raise SystemExit(f"daily failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout)


def timed_jobs(instance: Path) -> list[tuple[str, float, dict]]:
    """In this process, each job on its own (same order as the command), with its time."""
    from housing_security.extensions import db
    from housing_security.services import daily

    app = _app(instance)
    rows = []
    with app.app_context():
        for name in daily.jobs():
            started = time.perf_counter()
            cpu = time.process_time()
            result = daily.run_daily(AS_OF, "taiyuan", only=[name])[name]
            rows.append((name, time.perf_counter() - started, time.process_time() - cpu, result))
        db.session.remove()
        db.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--instance", help="a folder to keep the generated database in")
    args = parser.parse_args()
    instance = Path(args.instance) if args.instance else Path(tempfile.mkdtemp(prefix="bench_daily_"))
    instance.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        counts = generate(instance, args.households, args.units, args.seed)
        print(f"generated {counts} in {time.perf_counter() - started:.1f} s", flush=True)
        copy = instance / "copy"
        copy.mkdir(exist_ok=True)
        shutil.copy(instance / "housing.sqlite", copy / "housing.sqlite")
        for attempt in ("first run", "second run (same day)"):
            seconds, result = run_daily(instance)
            print(f"housing-security daily, {attempt}: {seconds:.1f} s (wall, process start-up included)")
            for job, figures in result.items():
                print(f"  {job:18s} {figures}")
        print("the same first run job by job, in one process (start-up excluded):")
        total = 0.0
        cpu_total = 0.0
        for job, seconds, cpu, _figures in timed_jobs(copy):
            total += seconds
            cpu_total += cpu
            print(f"  {job:18s} {seconds:6.2f} s wall, {cpu:6.2f} s CPU")
        print(f"  {'all jobs':18s} {total:6.2f} s wall, {cpu_total:6.2f} s CPU")
    finally:
        if not args.instance:
            shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
