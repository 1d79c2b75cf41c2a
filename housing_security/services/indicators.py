"""The bureau's and the province's indicators, recomputed from the records (read-only).

Two measures of 分配率, both against the plan's 90% (plan §4(1): 保持政府投资公租房分配率在 90% 以上):
- the stock measure, `portfolio_rates`: units allocated (offered, awaiting contract, occupied) ÷ completed
  government-invested units in the stock on a day, from each unit's history (UnitEvent), so any past month can be
  recomputed;
- the plan's own definition, `coverage_by_month` (plan chapter 十二 item 1: 公租房分配率 is the 保障率 of approved
  urban-hukou 低保/低收入 households, 应保尽保 within six months): of the commitment households whose six months
  ended in a month, the share housed or on a rent subsidy by their deadline.
Plus the six-month coverage of households still inside their six months, the waiting list by programme, priority
group and district with the median wait, offers per round, the monthly rent-subsidy total, and units raised and
supplied per year (completed / first let) for the province's supply targets (plan §2(3)).
"""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Optional

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    AllocationRound,
    Application,
    ApplicationEvent,
    Building,
    Jurisdiction,
    Offer,
    Project,
    RentSubsidy,
    Unit,
    UnitEvent,
)
from .calendar import add_months
from .parameters import effective_pack
from .unit_status import ALLOCATED
from .waitlist import WAITING_STATUSES

ALLOCATED_STATUSES = frozenset(s.value for s in ALLOCATED)
OUT_OF_STOCK = frozenset({"withdrawn"})
COVERED_BY = {"housed": "unit", "subsidised": "subsidy"}
# Once housed, a household may later be exiting or exited; it was covered.
COVERED_STATUSES = ("housed", "subsidised", "exiting", "exited")
DAYS_LEFT_BUCKETS = ((0, 30), (31, 60), (61, 90), (91, 120), (121, 150), (151, 10_000))


def month_ends(today: date, months: int = 12) -> list[date]:
    """The last day of each of the `months` - 1 previous months, then `today` (the month so far), oldest first."""
    days = [today]
    day = today.replace(day=1) - timedelta(days=1)
    while len(days) < months:
        days.append(day)
        day = day.replace(day=1) - timedelta(days=1)
    return sorted(days)


def target(city_code: str, programme: str, on: date) -> Optional[float]:
    """`<programme>.allocation_rate_min` of the city's pack where the plan sets one (plan §4(1))."""
    pack = effective_pack(city_code)
    name = f"{programme}.allocation_rate_min"
    return float(pack.value(name, on)) if name in pack.params else None


# ---- the stock measure, from unit histories -------------------------------------------------------------

def _unit_events(city_codes: Iterable[str], until: date):
    return db.session.execute(
        select(Project.city_code, Unit.programme, UnitEvent.unit_id, UnitEvent.on, UnitEvent.to_status)
        .join(Unit, UnitEvent.unit_id == Unit.id).join(Building, Unit.building_id == Building.id)
        .join(Project, Building.project_id == Project.id)
        .where(Project.city_code.in_(list(city_codes)), Project.government_invested.is_(True),
               UnitEvent.on <= until)
        .order_by(UnitEvent.on, UnitEvent.id)).all()


def portfolio_rates_by_city(city_codes: Iterable[str], days: list[date]) -> dict[str, dict[str, list[dict]]]:
    """{city: {programme: [{day, completed, allocated, rate}] for each day}}: each unit's status at the end of
    each day from its history; completed = in the stock that day (its history has begun) and not withdrawn."""
    days = sorted(days)
    city_codes = list(city_codes)
    events = _unit_events(city_codes, days[-1]) if days else []
    pairs = sorted({(e.city_code, e.programme) for e in events})
    state: dict[int, tuple[str, str, str]] = {}
    out: dict[str, dict[str, list[dict]]] = {c: {} for c in city_codes}
    i = 0
    for day in days:
        while i < len(events) and events[i].on <= day:
            e = events[i]
            state[e.unit_id] = (e.city_code, e.programme, e.to_status)
            i += 1
        counts: Counter = Counter()
        for city, programme, status in state.values():
            if status not in OUT_OF_STOCK:
                counts[(city, programme, "completed")] += 1
                counts[(city, programme, "allocated")] += status in ALLOCATED_STATUSES
        for city, programme in pairs:
            completed, allocated = counts[(city, programme, "completed")], counts[(city, programme, "allocated")]
            out[city].setdefault(programme, []).append(
                {"day": day, "completed": completed, "allocated": allocated,
                 "rate": allocated / completed if completed else None})
    return out


def portfolio_rates(city_code: str, days: list[date]) -> dict[str, list[dict]]:
    return portfolio_rates_by_city([city_code], days)[city_code]


def portfolio_rate_on(city_code: str, day: date) -> dict[str, dict]:
    """The portfolio allocation rate of each programme on one day, from the unit histories."""
    return {p: rows[0] for p, rows in portfolio_rates(city_code, [day]).items()}


# ---- the plan's measure: six-month coverage of approved 低保/低收入 households (plan §12.1) ------------

def _commitment_cases(city_code: str):
    return db.session.execute(
        select(Application.id, Application.approved_on, Application.status)
        .where(Application.city_code == city_code, Application.commitment.is_(True),
               Application.approved_on.is_not(None))).all()


def _first_cover(application_ids: list[int]) -> dict[int, tuple[date, str]]:
    """The day each case was first housed or put on a rent subsidy, and by which."""
    covered: dict[int, tuple[date, str]] = {}
    if not application_ids:
        return covered
    for application_id, at, to_status in db.session.execute(
            select(ApplicationEvent.application_id, ApplicationEvent.at, ApplicationEvent.to_status)
            .where(ApplicationEvent.application_id.in_(application_ids),
                   ApplicationEvent.to_status.in_(tuple(COVERED_BY)))
            .order_by(ApplicationEvent.at, ApplicationEvent.id)):
        covered.setdefault(application_id, (at.date(), COVERED_BY[to_status]))
    return covered


def commitment_months(city_code: str, on: date) -> int:
    return int(effective_pack(city_code).value("public_rental.commitment_months", on))


def coverage_by_month(city_code: str, days: list[date]) -> list[dict]:
    """For each month ending on `days[k]`: the commitment households whose six-month deadline fell in that month
    (due), and how many were housed (by_unit) or subsidised (by_subsidy) on or before their deadline."""
    cases = _commitment_cases(city_code)
    covered = _first_cover([c.id for c in cases])
    months = commitment_months(city_code, days[-1]) if days else 6
    rows = []
    for day in sorted(days):
        start = day.replace(day=1)
        row = {"day": day, "due": 0, "by_unit": 0, "by_subsidy": 0}
        for case in cases:
            deadline = add_months(case.approved_on, months)
            if not (start <= deadline <= day):
                continue
            row["due"] += 1
            cover = covered.get(case.id)
            if cover and cover[0] <= deadline:
                row["by_unit" if cover[1] == "unit" else "by_subsidy"] += 1
        row["covered"] = row["by_unit"] + row["by_subsidy"]
        row["rate"] = row["covered"] / row["due"] if row["due"] else None
        rows.append(row)
    return rows


def coverage_now(city_code: str, today: date) -> dict:
    """Commitment households inside their six months today, by days left to their deadline, covered by a unit,
    by a subsidy, or not yet; and those whose deadline passed uncovered (overdue)."""
    months = commitment_months(city_code, today)
    buckets = [{"low": low, "high": high, "unit": 0, "subsidy": 0, "not_yet": 0} for low, high in DAYS_LEFT_BUCKETS]
    overdue = 0
    for case in _commitment_cases(city_code):
        deadline = add_months(case.approved_on, months)
        days_left = (deadline - today).days
        kind = ("unit" if case.status in ("housed", "exiting") else "subsidy" if case.status == "subsidised"
                else "not_yet" if case.status in ("publicity", "waitlist", "offered", "suspended") else None)
        if kind is None:
            continue  # exited, withdrawn, rejected…: no longer to be covered
        if days_left < 0:
            overdue += kind == "not_yet"
            continue
        for bucket in buckets:
            if bucket["low"] <= days_left <= bucket["high"]:
                bucket[kind] += 1
                break
    return {"buckets": buckets, "overdue": overdue, "months": months}


# ---- the waiting list, offers, subsidies ---------------------------------------------------------------

def waiting_list(city_code: str, today: date) -> dict:
    """Waiting households by programme × priority group and by programme × district, each with the median wait
    in days since joining the waiting list (or approval)."""
    rows = db.session.execute(
        select(Application.programme, Application.priority_group, Jurisdiction.parent_id,
               Application.waitlist_since, Application.approved_on)
        .join(Jurisdiction, Application.street_id == Jurisdiction.id)
        .where(Application.city_code == city_code, Application.status.in_(WAITING_STATUSES))).all()
    districts = {j.id: j for j in db.session.scalars(select(Jurisdiction).where(
        Jurisdiction.id.in_({r.parent_id for r in rows if r.parent_id})))}
    by_group: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_district: dict[tuple[str, int], list[int]] = defaultdict(list)
    for r in rows:
        since = r.waitlist_since or r.approved_on or today
        wait = max((today - since).days, 0)
        by_group[(r.programme, r.priority_group or "general")].append(wait)
        by_district[(r.programme, r.parent_id)].append(wait)

    def summary(waits):
        return {"households": len(waits), "median_wait_days": int(statistics.median(waits)) if waits else None}

    return {
        "by_group": [{"programme": p, "group": g, **summary(w)} for (p, g), w in sorted(by_group.items())],
        "by_district": [{"programme": p, "district": districts.get(d), **summary(w)}
                        for (p, d), w in sorted(by_district.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))],
        "total": len(rows),
    }


def waiting_by_month(city_code: str, days: list[date]) -> dict[str, list[dict]]:
    """Per programme and month end: households waiting that day (轮候 or on a rent subsidy while waiting) and their
    median wait in days since they first joined the waiting list, replayed from the cases' append-only histories."""
    rows = db.session.execute(
        select(ApplicationEvent.application_id, ApplicationEvent.at, ApplicationEvent.to_status,
               Application.programme)
        .join(Application, ApplicationEvent.application_id == Application.id)
        .where(Application.city_code == city_code)
        .order_by(ApplicationEvent.application_id, ApplicationEvent.at, ApplicationEvent.id)).all()
    histories: dict[int, tuple[str, list[tuple[date, str]]]] = {}
    for row in rows:
        programme, events = histories.setdefault(row.application_id, (row.programme, []))
        events.append((row.at.date(), row.to_status))
    waits: dict[str, list[list[int]]] = defaultdict(lambda: [[] for _ in days])
    for programme, events in histories.values():
        joined = next((on for on, status in events if status in WAITING_STATUSES), None)
        if joined is None:
            continue
        for index, day in enumerate(days):
            status = None
            for on, to_status in events:
                if on > day:
                    break
                status = to_status
            if status in WAITING_STATUSES:
                waits[programme][index].append(max((day - joined).days, 0))
    return {programme: [{"day": day, "households": len(per_day[i]),
                         "median_wait_days": int(statistics.median(per_day[i])) if per_day[i] else None}
                        for i, day in enumerate(days)]
            for programme, per_day in sorted(waits.items())}


def offers_by_round(city_code: str, limit: int = 12) -> list[dict]:
    """Offers of the city's last published rounds by outcome (accepted, declined, expired, pending, withdrawn)."""
    rounds = db.session.scalars(
        select(AllocationRound).where(AllocationRound.city_code == city_code, AllocationRound.status == "published")
        .order_by(AllocationRound.round_date.desc(), AllocationRound.id.desc()).limit(limit)).all()
    counts: dict[int, Counter] = defaultdict(Counter)
    if rounds:
        for round_id, status, n in db.session.execute(
                select(Offer.round_id, Offer.status, func.count()).where(Offer.round_id.in_([r.id for r in rounds]))
                .group_by(Offer.round_id, Offer.status)):
            counts[round_id][status] = n
    return [{"round": r, "accepted": counts[r.id]["accepted"], "declined": counts[r.id]["declined"],
             "expired": counts[r.id]["expired"], "pending": counts[r.id]["pending"],
             "withdrawn": counts[r.id]["withdrawn"]} for r in reversed(rounds)]


def subsidy_by_month(city_code: str, days: list[date]) -> list[dict]:
    """Rent subsidies running on the last day of each month (or today): households and the monthly total, yuan."""
    rows = db.session.execute(
        select(RentSubsidy.amount_month, RentSubsidy.start_on, RentSubsidy.end_on, RentSubsidy.status)
        .join(Application, RentSubsidy.application_id == Application.id)
        .where(Application.city_code == city_code)).all()
    out = []
    for day in sorted(days):
        running = [r for r in rows if r.start_on <= day <= r.end_on and r.status != "stopped"]
        out.append({"day": day, "households": len(running),
                    "total": sum((Decimal(str(r.amount_month)) for r in running), Decimal(0))})
    return out


# ---- supply per year, for the province's targets (plan §2(3)) -------------------------------------------

def supply_between(city_codes: Iterable[str], start: date, end: date) -> dict[str, dict[str, dict]]:
    """{city: {programme: {raised, supplied}}} between two days inclusive: units raised = units whose project was
    completed then (筹集: entered the stock); supplied = units first offered, let or sold then (供应: first moved to
    an allocated status, from the unit histories)."""
    city_codes = list(city_codes)
    out: dict[str, dict[str, dict]] = {c: {} for c in city_codes}

    def cell(city, programme):
        return out[city].setdefault(programme, {"raised": 0, "supplied": 0})

    for city, programme, n in db.session.execute(
            select(Project.city_code, Unit.programme, func.count())
            .join(Building, Unit.building_id == Building.id).join(Project, Building.project_id == Project.id)
            .where(Project.city_code.in_(city_codes), Project.completed_on.between(start, end))
            .group_by(Project.city_code, Unit.programme)):
        cell(city, programme)["raised"] += n
    first_allocated = (
        select(UnitEvent.unit_id, func.min(UnitEvent.on).label("first_on"))
        .where(UnitEvent.to_status.in_(tuple(ALLOCATED_STATUSES))).group_by(UnitEvent.unit_id).subquery())
    for city, programme, n in db.session.execute(
            select(Project.city_code, Unit.programme, func.count())
            .select_from(first_allocated)
            .join(Unit, Unit.id == first_allocated.c.unit_id).join(Building, Unit.building_id == Building.id)
            .join(Project, Building.project_id == Project.id)
            .where(Project.city_code.in_(city_codes), first_allocated.c.first_on.between(start, end))
            .group_by(Project.city_code, Unit.programme)):
        cell(city, programme)["supplied"] += n
    return out


def supply_by_year(city_codes: Iterable[str], years: Iterable[int]) -> dict[str, dict[str, dict[int, dict]]]:
    """{city: {programme: {year: {raised, supplied}}}} (see `supply_between`)."""
    city_codes = list(city_codes)
    out: dict[str, dict[str, dict[int, dict]]] = {c: {} for c in city_codes}
    years = sorted(years)
    for year in years:
        for city, programmes in supply_between(city_codes, date(year, 1, 1), date(year, 12, 31)).items():
            for programme, figures in programmes.items():
                out[city].setdefault(programme, {})[year] = figures
    for city in city_codes:
        for per_year in out[city].values():
            for year in years:
                per_year.setdefault(year, {"raised": 0, "supplied": 0})
    return out


def offers_between(city_code: str, start: date, end: date) -> dict[str, Counter]:
    """{programme: Counter(status)} of the offers made between two days inclusive."""
    out: dict[str, Counter] = defaultdict(Counter)
    for programme, status, made_at in db.session.execute(
            select(Unit.programme, Offer.status, Offer.made_at).join(Unit, Offer.unit_id == Unit.id)
            .join(Application, Offer.application_id == Application.id)
            .where(Application.city_code == city_code)):
        if start <= made_at.date() <= end:
            out[programme][status] += 1
    return out


# ---- the province: the cities side by side ---------------------------------------------------------------

PLAN_YEARS = tuple(range(2021, 2026))  # the 14th Five-Year period (plan §2(3))
TARGET_PROGRAMMES = ("public_rental", "subsidized_rental", "talent")


def supply_targets(city_code: str, on: date) -> dict:
    """The province's period totals (plan §2(3)) and this city's example share of them, as dated parameters."""
    pack = effective_pack(city_code)
    totals = pack.value("province.supply_targets", on)
    shares = pack.value("province.supply_target_share", on)
    return {
        "totals": totals, "shares": {p: float(v) for p, v in shares.items()},
        "city": {p: round(float(totals[p]) * float(shares.get(p, 0))) for p in TARGET_PROGRAMMES if p in totals},
        "citation": pack.param("province.supply_targets").citation,
        "share_source": pack.param("province.supply_target_share").source
        or pack.param("province.supply_target_share").citation,
    }


def city_summary(city_codes: list[str], today: date) -> list[dict]:
    """Per city: the stock allocation rate per programme today, the plan's coverage over the last 12 months,
    households waiting, commitment households overdue, rent subsidies this month, and supply per year."""
    days = month_ends(today, 12)
    stock = portfolio_rates_by_city(city_codes, [today])
    supply = supply_by_year(city_codes, PLAN_YEARS)
    out = []
    for city in city_codes:
        coverage = coverage_by_month(city, days)
        due, covered = sum(r["due"] for r in coverage), sum(r["covered"] for r in coverage)
        waiting = db.session.scalar(select(func.count()).select_from(Application).where(
            Application.city_code == city, Application.status.in_(WAITING_STATUSES)))
        subsidy = subsidy_by_month(city, [today])[0]
        out.append({
            "city": city,
            "stock": {p: rows[0] for p, rows in stock[city].items()},
            "due": due, "covered": covered, "plan_rate": covered / due if due else None,
            "waiting": waiting, "overdue": coverage_now(city, today)["overdue"],
            "subsidy_households": subsidy["households"], "subsidy_total": subsidy["total"],
            "supply": supply[city], "targets": supply_targets(city, today),
        })
    return out
