"""The policy lab: what would a parameter change do? Months of allocation rounds on a snapshot of the city, once
under the rules in force and once with the change, side by side.

The snapshot is read once from the database (the programme's government-invested units, occupied or vacant, and
every household that has applied to the programme, whatever became of the application); from then on nothing
touches the database. Each world re-decides every household's eligibility, priority groups, commitment and rent
subsidy under its own pack (`policy.evaluate`), so a higher income limit lets in households the current limit
turned away. Each month: a sample of the applicant pool applies again as new arrivals (the same draw in both
worlds), a share of tenants move out, the waiting list is ranked by the pack's ordering rule, the round is solved by
the allocation engine (`allocation.solve`), a share of offers is declined. Same seed, same figures.

Reported per month and world: the portfolio allocation rate against the plan's 90% (plan §4(1)), the six-month
coverage of commitment households whose deadline fell in the month (plan §12.1), households housed, waiting,
mean wait of those housed by priority group, monthly rent-subsidy total, and justified envy.
"""
from __future__ import annotations

import random
import threading
from datetime import date
from typing import Any, Optional

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import policy
from ..allocation import load_instance, solve
from ..extensions import db
from ..models import Application, Building, Household, Jurisdiction, PolicyLabRun, Project, Unit, User
from ..models._types import utcnow
from . import audit
from .calendar import add_months
from .eligibility import policy_household
from .parameter_values import to_json, validate_value
from .parameters import effective_pack, layer
from .rounds import TALENT_ROUND_TENURE, size_bands

GONE = ("draft", "withdrawn", "exited")
HOUSED = ("housed", "exiting")
MOVE_OUT_RATE = 0.008
DECLINE_RATE = 0.04


# ---- the snapshot (the only database read) -----------------------------------------------------------------

def snapshot(city_code: str, programme: str) -> dict:
    units = db.session.execute(
        select(Unit, Building.elevator, Project.code, Jurisdiction.code)
        .join(Building, Unit.building_id == Building.id).join(Project, Building.project_id == Project.id)
        .join(Jurisdiction, Project.district_id == Jurisdiction.id)
        .where(Project.city_code == city_code, Unit.programme == programme, Project.government_invested.is_(True),
               Unit.status != "withdrawn")
        .order_by(Unit.id)).all()
    unit_rows = [{"id": str(u.id), "program": programme, "district": district, "project": project,
                  "area_m2": float(u.area_m2), "bedrooms": u.bedrooms, "floor": u.floor, "elevator": bool(elevator),
                  "accessible": bool(u.accessible), "rent_month": float(u.rent_month or 0),
                  "occupied": u.status in ("offered", "awaiting_contract", "occupied"),
                  "usable": u.status in ("vacant", "reserved", "offered", "awaiting_contract", "occupied")
                  and (programme != "talent" or u.tenure in (None, TALENT_ROUND_TENURE))}
                 for u, elevator, project, district in units]
    applications = db.session.scalars(
        select(Application).options(selectinload(Application.household).selectinload(Household.members))
        .where(Application.city_code == city_code, Application.programme == programme,
               Application.status.not_in(GONE)).order_by(Application.id)).all()
    pool = []
    for a in applications:
        pool.append({"id": str(a.id), "household": policy_household(a.household), "tenure": a.tenure,
                     "housed": a.status in HOUSED,
                     "approved_on": a.approved_on or (a.submitted_at.date() if a.submitted_at else None),
                     "preferences": [p for p in (a.preferences or []) if isinstance(p, str) and p],
                     "accept_any_district": bool(a.accept_any_district), "needs_accessible": bool(a.needs_accessible),
                     "needs_low_floor": bool(a.needs_low_floor),
                     "current_area_m2": float(a.household.current_area_m2 or 0)})
    return {"city": city_code, "programme": programme, "units": unit_rows, "pool": pool}


# ---- one world ----------------------------------------------------------------------------------------------

def _decide(entry: dict, programme: str, pack: policy.ParameterPack, on: date) -> Optional[dict]:
    decision = policy.evaluate(entry["household"], programme, pack, on, tenure=entry["tenure"])
    if not decision.eligible:
        return None
    return {"groups": list(decision.priority_groups), "commitment": bool(decision.commitment_applies),
            "subsidy": float(decision.rent_subsidy_month or 0)}


def _best_group(groups: list[str], order: list[str]) -> str:
    ranked = [g for g in order if g in groups]
    return ranked[0] if ranked else (groups[0] if groups else "general")


def simulate_world(snap: dict, pack: policy.ParameterPack, start: date, months: int, seed: int,
                   arrivals_per_month: Optional[int] = None) -> list[dict]:
    programme, city = snap["programme"], snap["city"]
    usable = [u for u in snap["units"] if u["usable"]]
    occupied = [u for u in usable if u["occupied"]]
    vacant = [u for u in usable if not u["occupied"]]
    total_units = len(usable)
    waiting: dict[str, dict] = {}
    decisions: dict[str, Optional[dict]] = {}
    deadlines: dict[str, date] = {}
    months_cover = int(pack.value("public_rental.commitment_months", start))

    def join(entry: dict, hid: str, approved: date, on: date) -> None:
        if entry["id"] not in decisions:
            decisions[entry["id"]] = _decide(entry, programme, pack, on)
        decided = decisions[entry["id"]]
        if decided is None:
            return
        waiting[hid] = {"entry": entry, "approved_on": approved, "declined": [], **decided}
        if decided["commitment"]:
            deadlines[hid] = add_months(approved, months_cover)

    for entry in snap["pool"]:
        if not entry["housed"]:
            join(entry, entry["id"], entry["approved_on"] or start, start)
    arrivals = arrivals_per_month if arrivals_per_month is not None else max(1, len(snap["pool"]) // 12)
    target = float(pack.value("public_rental.allocation_rate_min", start))
    covered_on: dict[str, date] = {}
    rows = []
    for month in range(months):
        day, next_day = add_months(start, month), add_months(start, month + 1)
        draw = random.Random(f"{seed}:{month}:arrivals")
        for i in range(arrivals if snap["pool"] else 0):
            entry = draw.choice(snap["pool"])
            join(entry, f"{entry['id']}:{month}:{i}", day, start)
        moves = random.Random(f"{seed}:{month}:moves")
        staying = []
        for unit in occupied:
            (vacant if moves.random() < MOVE_OUT_RATE else staying).append(unit)
        occupied = staying
        order = list(pack.value("priority.group_order", day))
        entries = [{"id": hid, "priority_groups": w["groups"], "approved_on": w["approved_on"]}
                   for hid, w in waiting.items()]
        method = pack.value("ordering.method", day)
        ranks = dict(policy.queue_ranks(entries, pack, day, seed=f"{seed}:{month}" if method == "lottery" else None))
        households = []
        for hid, w in sorted(waiting.items(), key=lambda kv: ranks[kv[0]]):
            e = w["entry"]
            households.append({
                "id": hid, "program": programme, "size": max(1, len(e["household"].members)),
                "approved_on": w["approved_on"].isoformat(), "priority": _best_group(w["groups"], order),
                "rank": ranks[hid], "commitment": w["commitment"], "preferences": e["preferences"],
                "accept_any_district": e["accept_any_district"], "needs_accessible": e["needs_accessible"],
                "needs_low_floor": e["needs_low_floor"], "declined_units": list(w["declined"]),
                "current_area_m2": e["current_area_m2"], "subsidy_month": w["subsidy"]})
        largest = max((h["size"] for h in households), default=1)
        instance = {
            "round": {"city": city, "program": programme, "date": day.isoformat(),
                      "next_round_date": next_day.isoformat()},
            "policy": {"coverage_months": months_cover, "allocation_rate_target": target,
                       "size_bands": size_bands(city, programme, day, largest),
                       "tiers": ["due", "housed", "seniority", "preference", "fit"]},
            "portfolio": {"total_units": total_units, "occupied_units": len(occupied)},
            "units": [{k: v for k, v in u.items() if k not in ("occupied", "usable")} for u in vacant],
            "households": households}
        result = solve(load_instance(instance))
        metrics = result["metrics"]
        declines = random.Random(f"{seed}:{month}:declines")
        by_id = {u["id"]: u for u in vacant}
        housed, waits = 0, {}
        for a in result["assignments"]:
            w = waiting[a["household"]]
            if declines.random() < DECLINE_RATE:
                w["declined"].append(a["unit"])
                continue
            occupied.append(by_id.pop(a["unit"]))
            covered_on.setdefault(a["household"], day)
            group = _best_group(w["groups"], order)
            waits.setdefault(group, []).append((day - w["approved_on"]).days)
            del waiting[a["household"]]
            housed += 1
        for s in result["subsidies"]:
            covered_on.setdefault(s["household"], day)
        vacant = list(by_id.values())
        cohort = [hid for hid, deadline in deadlines.items() if day <= deadline < next_day]
        covered = sum(1 for hid in cohort if hid in covered_on and covered_on[hid] <= deadlines[hid])
        rows.append({
            "month": day.strftime("%Y-%m"),
            "allocation_rate": round(len(occupied) / total_units, 4) if total_units else None,
            "housed": housed, "waiting": len(waiting),
            "coverage": round(covered / len(cohort), 4) if cohort else None, "cohort": len(cohort),
            "subsidy_month_total": round(float(metrics.get("subsidy_month_total") or 0), 2),
            "justified_envy": metrics.get("justified_envy"),
            "wait_by_group": {g: {"housed": len(d), "mean_days": round(sum(d) / len(d), 1)}
                              for g, d in sorted(waits.items())},
        })
    return rows


def run_lab(city_code: str, programme: str, name: str, value: Any, start: date, months: int = 24,
            seed: int = 0, arrivals_per_month: Optional[int] = None) -> dict:
    """Both worlds from one snapshot: `baseline` (the rules in force) and `changed` (with `name` = `value` from
    `start`)."""
    base = effective_pack(city_code)
    value = validate_value(base.param(name), value)   # raises ChangeInvalid, as a parameter change would
    changed = layer(base, [(name, start, value, "policy lab")])
    snap = snapshot(city_code, programme)
    return {"baseline": simulate_world(snap, base, start, months, seed, arrivals_per_month),
            "changed": simulate_world(snap, changed, start, months, seed, arrivals_per_month),
            "households_in_snapshot": len(snap["pool"]), "units_in_snapshot": len(snap["units"])}


def totals(rows: list[dict]) -> dict:
    """Over all months: housed, waiting at the end, the last allocation rate, subsidy spending, justified envy
    (summed over rounds) and the mean wait of those housed by priority group."""
    groups: dict[str, list[float]] = {}
    for r in rows:
        for g, w in r["wait_by_group"].items():
            entry = groups.setdefault(g, [0.0, 0])
            entry[0] += w["mean_days"] * w["housed"]
            entry[1] += w["housed"]
    return {"housed": sum(r["housed"] for r in rows), "waiting_end": rows[-1]["waiting"] if rows else 0,
            "allocation_rate_end": rows[-1]["allocation_rate"] if rows else None,
            "subsidy_total": round(sum(r["subsidy_month_total"] for r in rows), 2),
            "justified_envy": sum(r["justified_envy"] or 0 for r in rows),
            "mean_wait_by_group": {g: round(total / n, 1) for g, (total, n) in sorted(groups.items()) if n}}


# ---- the background job ------------------------------------------------------------------------------------

def create_run(city_code: str, programme: str, name: str, value: Any, start: date, months: int, seed: int,
               actor: Optional[User]) -> PolicyLabRun:
    run = PolicyLabRun(city_code=city_code, programme=programme, status="queued",
                       created_by_id=getattr(actor, "id", None), request={"name": name, "value": to_json(value), "start": start.isoformat(), "months": months,
                                "seed": seed})
    db.session.add(run)
    db.session.flush()
    audit.record("policy_lab.run", run, actor=actor, city=city_code, programme=programme, name=name, value=value,
                 months=months, seed=seed)
    return run


def execute(run_id: int) -> None:
    """Run the job in this process and store its result (or its error) on the row."""
    run = db.session.get(PolicyLabRun, run_id)
    run.status = "running"
    db.session.commit()
    r = run.request
    try:
        result = run_lab(run.city_code, run.programme, r["name"], r["value"], date.fromisoformat(r["start"]),
                         int(r["months"]), int(r["seed"]))
    except Exception as error:  # the job's failure is shown on its page, never a 500
        db.session.rollback()
        run = db.session.get(PolicyLabRun, run_id)
        run.status, run.error, run.finished_at = "error", str(error)[:2000], utcnow()
        db.session.commit()
        return
    run = db.session.get(PolicyLabRun, run_id)
    run.status, run.result, run.finished_at = "done", result, utcnow()
    db.session.commit()


def start(app: Flask, run_id: int) -> None:
    """In a thread with its own app context; synchronously under TESTING (deterministic tests)."""
    if app.config.get("TESTING") and not app.config.get("ROUNDS_ASYNC"):
        execute(run_id)
        return

    def work():
        with app.app_context():
            try:
                execute(run_id)
            finally:
                db.session.remove()

    threading.Thread(target=work, name=f"policy-lab-{run_id}", daemon=True).start()
