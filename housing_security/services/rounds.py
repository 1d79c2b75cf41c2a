"""Allocation rounds (配租批次): build the snapshot from the database, solve it, publish the offers.

The solve is the pure `housing_security.allocation` package (its README documents the contract); this module is the use case around
it. Each use case is one transaction with its audit rows: `run_round` stores the round's objective, metrics,
comparison, explanations and every Assignment together or not at all, and `publish_round` turns assignments into
offers and starts the rent subsidies of due households left without a unit, together or not at all.

Size bands (`policy.size_bands` of the instance) come from the city's parameter pack through the same function
the eligibility engine uses, `policy.allowed_area_range(size, programme, city, round_date, tenure)`:
one band per household size from 1 to the largest size present (the last band also covers every larger size),
with `min_area`/`max_area` the policy's range for that size — for public rental: min = size ×
`public_rental.area_per_person_min`, max = `max_m2` of the first `public_rental.area_bands` entry whose
`max_members` ≥ size (the last entry for larger households), never above `public_rental.unit_area_max`;
for subsidized rental the residential range (≤ `subsidized_rental.residential_area_max`, which also contains the
20–45 m² dormitories); for talent the rental tenure (≤ `talent.rental_area_max`). Subsidized-rental and talent rounds
give `size_bands` per kind (`residential`, `dormitory`: plan §4(2)) or per tenure (`rental`, `full_property`,
`shared_ownership`: plan box 1), each computed the same way for that tenure; units carry their `kind` (the
database's `apartment` is `residential`) and `tenure`, households the kinds or tenures their application chose.
`target_area` (the fit
tier) is, for public rental, size × `rent_subsidy.standard_area_per_person` clamped into the range, otherwise
the middle of the range. Sizes whose bands are identical are merged into one band.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import date
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import policy
from ..allocation import compare, load_instance
from ..extensions import db
from ..models import (
    AllocationRound,
    Application,
    Assignment,
    Building,
    Household,
    Jurisdiction,
    Offer,
    Project,
    Unit,
    User,
)
from ..models._types import utcnow
from . import audit, unit_status, waitlist
from .calendar import workflow_value
from .eligibility import policy_household
from .parameters import effective_pack

Progress = Optional[Callable[[str, int, int], None]]
TALENT_ROUND_TENURE = "rental"


class RoundError(ValueError):
    """A refused round action; `field` names the form field (or "round"), `code` the reason."""

    def __init__(self, field: str, code: str, **params):
        super().__init__(f"{field}: {code}")
        self.field, self.code, self.params = field, code, params


# ---- parameters ---------------------------------------------------------------------------------------

def offer_response_days(city_code: str, as_of: date) -> int:
    """`workflow.offer_response_days` of the city's pack: how long a household has to answer an offer."""
    return int(workflow_value(city_code, "offer_response_days", as_of))


def programmes_offered(city_code: str, as_of: date) -> list[str]:
    try:
        pack = effective_pack(city_code)
    except policy.PolicyError:
        return []
    return [p for p in policy.PROGRAMMES if pack.offers(p, as_of)]


def size_bands(city_code: str, programme: str, as_of: date, largest_size: int,
               tenure: Optional[str] = None) -> list[dict]:
    """See the module docstring: per-size bands from the pack, identical neighbours merged."""
    pack = effective_pack(city_code)
    snap = pack.at(as_of)
    tenure = tenure or {"subsidized_rental": "residential", "talent": TALENT_ROUND_TENURE}.get(programme)
    standard = float(snap["rent_subsidy.standard_area_per_person"].value) if programme == "public_rental" else None
    last = max(largest_size, 1)
    if programme == "public_rental":
        last = max(last, max(b["max_members"] for b in snap["public_rental.area_bands"].value))
    bands: list[dict] = []
    for size in range(1, last + 1):
        low, high = policy.allowed_area_range(size, programme, pack, as_of, tenure)
        low = float(low)
        high = float(high) if high is not None else 10_000.0
        target = size * standard if standard is not None else (low + high) / 2
        band = {"min_size": size, "max_size": size, "min_area": low, "max_area": high,
                "target_area": round(min(max(target, low), high), 1)}
        previous = bands[-1] if bands else None
        if previous and all(previous[k] == band[k] for k in ("min_area", "max_area", "target_area")):
            previous["max_size"] = size
        else:
            bands.append(band)
    bands[-1]["max_size"] = max(bands[-1]["max_size"], 99)
    return bands


# ---- the instance -------------------------------------------------------------------------------------

def _round_units(city_code: str, programme: str):
    query = (select(Unit, Building.elevator, Project.code, Jurisdiction.code)
             .join(Building, Unit.building_id == Building.id).join(Project, Building.project_id == Project.id)
             .join(Jurisdiction, Project.district_id == Jurisdiction.id)
             .where(Project.city_code == city_code, Unit.programme == programme, Unit.status == "vacant")
             .order_by(Unit.id))
    return db.session.execute(query).all()


def round_applications(city_code: str, programme: str) -> list[Application]:
    query = (select(Application)
             .options(selectinload(Application.household).selectinload(Household.members))
             .where(Application.city_code == city_code, Application.programme == programme,
                    Application.status.in_(waitlist.WAITING_STATUSES))
             .order_by(Application.queue_rank, Application.id))
    return list(db.session.scalars(query))


# Per programme: the instance's size_bands keys (kinds or tenures, policy.TENURES order) or None for one list.
BAND_KEYS = {"subsidized_rental": ("residential", "dormitory"),
             "talent": ("rental", "full_property", "shared_ownership")}
UNIT_TENURES = ("rental", "full_property", "shared_ownership")


def _unit_kind_tenure(unit: Unit) -> tuple[str, str]:
    kind = "dormitory" if unit.kind == "dormitory" else "residential"  # the database says 'apartment'
    return kind, unit.tenure if unit.tenure in UNIT_TENURES else "rental"


def _accepts(application: Application, programme: str) -> dict:
    """The kinds or tenures a household accepts, from its application's choice (absent: the defaults)."""
    if programme == "subsidized_rental" and application.tenure in ("residential", "dormitory"):
        return {"kinds": [application.tenure]}
    if programme == "talent" and application.tenure in UNIT_TENURES:
        return {"tenures": [application.tenure]}
    return {}


def round_size_bands(city_code: str, programme: str, as_of: date, largest_size: int):
    """A plain list of bands, or for programmes with kinds/tenures one list per kind or tenure."""
    keys = BAND_KEYS.get(programme)
    if not keys:
        return size_bands(city_code, programme, as_of, largest_size)
    return {key: size_bands(city_code, programme, as_of, largest_size, tenure=key) for key in keys}


def _subsidy_month(application: Application, as_of: date) -> float:
    if application.programme != "public_rental":
        return 0.0
    try:
        return float(policy.rent_subsidy(policy_household(application.household),
                                         effective_pack(application.city_code), as_of))
    except (policy.PolicyError, ValueError):
        stored = (application.decision or {}).get("rent_subsidy_month")
        return float(stored) if stored else 0.0


def _portfolio(city_code: str, programme: str) -> dict:
    """Government-invested units of the city and programme (plan §4(1): the allocation-rate denominator)."""
    rows = dict(db.session.execute(
        select(Unit.status, func.count()).join(Building, Unit.building_id == Building.id)
        .join(Project, Building.project_id == Project.id)
        .where(Project.city_code == city_code, Unit.programme == programme,
               Project.government_invested.is_(True))
        .group_by(Unit.status)).all())
    total, allocated = unit_status.portfolio_counts(rows)
    return {"total_units": total, "occupied_units": allocated}


def build_instance(city_code: str, programme: str, round_date: date, next_round_date: date) -> dict:
    """The allocation instance of this city's programme as the database holds it now.

    Re-ranks the waiting list first (the new ranks are written with the caller's transaction). Queries run
    without autoflush, so with SQLite no write lock is taken until the caller commits.
    """
    with db.session.no_autoflush:
        waitlist.rerank(city_code, programme, round_date)
        units = _round_units(city_code, programme)
        applications = round_applications(city_code, programme)
        applications.sort(key=lambda a: (a.queue_rank is None, a.queue_rank or 0, a.id))
        declined: dict[int, list[str]] = {}
        if applications:
            for application_id, unit_id in db.session.execute(
                    select(Offer.application_id, Offer.unit_id).where(
                        Offer.status == "declined", Offer.application_id.in_([a.id for a in applications]))
                    .order_by(Offer.id)):
                declined.setdefault(application_id, []).append(str(unit_id))
        pack = effective_pack(city_code)
        households = []
        for position, a in enumerate(applications, start=1):
            preferences = list(dict.fromkeys(p for p in (a.preferences or []) if isinstance(p, str) and p))
            approved = a.approved_on or a.waitlist_since or a.created_at.date()
            households.append({
                "id": str(a.id), "program": programme, "size": max(1, len(a.household.members)),
                "approved_on": approved.isoformat(), "priority": a.priority_group or "general",
                "rank": position,  # the queue rank, made dense (ties and gaps cannot reach the solver)
                "commitment": bool(a.commitment), "preferences": preferences,
                "accept_any_district": bool(a.accept_any_district), "needs_accessible": bool(a.needs_accessible),
                "needs_low_floor": bool(a.needs_low_floor), "declined_units": declined.get(a.id, []),
                "current_area_m2": float(a.household.current_area_m2 or 0),
                "subsidy_month": _subsidy_month(a, round_date),
                **_accepts(a, programme),
            })
        largest = max((h["size"] for h in households), default=1)
        return {
            "round": {"city": city_code, "program": programme, "date": round_date.isoformat(),
                      "next_round_date": next_round_date.isoformat()},
            "policy": {
                "coverage_months": int(pack.value("public_rental.commitment_months", round_date)),
                "allocation_rate_target": float(pack.value("public_rental.allocation_rate_min", round_date)),
                "size_bands": round_size_bands(city_code, programme, round_date, largest),
                "tiers": ["due", "housed", "seniority", "preference", "fit"],
                "preference_rule": str(pack.value("allocation.preference_rule", round_date)),
            },
            "portfolio": _portfolio(city_code, programme),
            "units": [{"id": str(u.id), "program": programme, "district": district, "project": project,
                       "area_m2": float(u.area_m2), "bedrooms": u.bedrooms, "floor": u.floor,
                       "elevator": bool(elevator), "accessible": bool(u.accessible),
                       "rent_month": float(u.rent_month or 0),
                       **dict(zip(("kind", "tenure"), _unit_kind_tenure(u)))}
                      for u, elevator, project, district in units],
            "households": households,
        }


def canonical_json(data) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def instance_hash(instance: dict) -> str:
    return hashlib.sha256(canonical_json(instance)).hexdigest()


# ---- use cases ----------------------------------------------------------------------------------------

def create_round(city_code: str, programme: str, round_date: date, next_round_date: date,
                 actor: Optional[User]) -> AllocationRound:
    if programme not in programmes_offered(city_code, round_date):
        raise RoundError("programme", "not_offered")
    if next_round_date <= round_date:
        raise RoundError("next_round_date", "not_after_round")
    rnd = AllocationRound(city_code=city_code, programme=programme, round_date=round_date,
                          next_round_date=next_round_date, method="optimal", status="draft",
                          created_by_id=getattr(actor, "id", None))
    db.session.add(rnd)
    audit.record("round.create", rnd, actor=actor, city=city_code, programme=programme,
                 round_date=round_date, next_round_date=next_round_date)
    db.session.commit()
    return rnd


def _round(round_id: int) -> AllocationRound:
    rnd = db.session.get(AllocationRound, round_id)
    if rnd is None:
        raise RoundError("round", "not_found")
    return rnd


def _runnable(round_id: int) -> AllocationRound:
    rnd = _round(round_id)
    if rnd.status not in ("draft", "solved"):
        raise RoundError("round", "not_runnable", status=rnd.status)
    return rnd


def run_round(round_id: int, progress: Progress = None, actor: Optional[User] = None) -> AllocationRound:
    """Solve the round (optimal, with the first-come-first-served comparison) and store it in one commit.

    Three steps, because with SQLite every transaction takes the write lock at BEGIN (extensions.py): read the
    snapshot and end that transaction; solve with no transaction open; then write the queue ranks, the round,
    its assignments and the audit row in one short transaction. Nothing is written if any step fails.
    """
    started = time.perf_counter()
    if progress:
        progress("instance", 0, 1)
    try:
        rnd = _runnable(round_id)
        instance = build_instance(rnd.city_code, rnd.programme, rnd.round_date, rnd.next_round_date)
    finally:
        db.session.rollback()  # ends the read; the re-ranking is written again below, with the result
    built = time.perf_counter() - started
    if progress:
        progress("instance", 1, 1)
    report = compare(load_instance(instance), progress=progress)
    if progress:
        progress("save", 0, 1)
    optimal, fifo = report["optimal"], report["fifo"]
    try:
        rnd = _runnable(round_id)
        with db.session.no_autoflush:
            waitlist.rerank(rnd.city_code, rnd.programme, rnd.round_date)
            rnd.assignments.clear()
        db.session.flush()
        for a in optimal["assignments"]:
            rnd.assignments.append(Assignment(application_id=int(a["household"]), unit_id=int(a["unit"]),
                                              preference_rank=a["preference_rank"]))
        rnd.status, rnd.method, rnd.solved_at = "solved", "optimal", utcnow()
        rnd.instance_sha256 = instance_hash(instance)
        rnd.objective, rnd.metrics = optimal["objective"], optimal["metrics"]
        rnd.solver = {"optimal": optimal["solver"], "fifo": fifo["solver"],
                      "instance_seconds": round(built, 3), "seconds": round(time.perf_counter() - started, 3),
                      "units": len(instance["units"]), "households": len(instance["households"])}
        rnd.comparison = {"tiers": report["tiers"], "lexicographic": report["lexicographic"],
                          "metrics": report["metrics"], "preference_rules": report["preference_rules"],
                          "fifo": {"objective": fifo["objective"], "metrics": fifo["metrics"]}}
        rnd.instance, rnd.result = instance, optimal
        audit.record("round.run", rnd, actor=actor, instance_sha256=rnd.instance_sha256,
                     units=len(instance["units"]), households=len(instance["households"]),
                     allocated=len(optimal["assignments"]), seconds=rnd.solver["seconds"])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if progress:
        progress("save", 1, 1)
    return rnd


def run_round_now(city_code: str, programme: str, round_date: date, next_round_date: date,
                  actor: Optional[User] = None, progress: Progress = None) -> AllocationRound:
    """Create and solve a round in this process (for the command line and tests); returns the solved round."""
    rnd = create_round(city_code, programme, round_date, next_round_date, actor)
    return run_round(rnd.id, progress=progress, actor=actor)


def cancel_round(round_id: int, actor: Optional[User]) -> AllocationRound:
    """A draft or solved round may be cancelled; a published one has offers out and may not."""
    rnd = _round(round_id)
    if rnd.status not in ("draft", "solved"):
        raise RoundError("round", "not_cancellable", status=rnd.status)
    previous = rnd.status
    rnd.status = "cancelled"
    audit.record("round.cancel", rnd, actor=actor, from_status=previous)
    db.session.commit()
    return rnd


def last_published_round(city_code: str, programme: Optional[str] = None) -> Optional[AllocationRound]:
    query = select(AllocationRound).where(AllocationRound.city_code == city_code,
                                          AllocationRound.status == "published")
    if programme:
        query = query.where(AllocationRound.programme == programme)
    return db.session.scalar(query.order_by(AllocationRound.round_date.desc(), AllocationRound.id.desc()).limit(1))
