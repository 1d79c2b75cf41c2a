"""The portfolio allocation rate of any day, recomputed from the units' histories (plan §4(1), §1(1): 分配率保持
90%以上 for government-invested public rental housing).

A unit's status on a day is the `to_status` of its newest UnitEvent on or before that day (services/unit_status.py
writes one for every change). The rate is allocated ÷ in the programme: allocated = offered, awaiting contract
or occupied (`unit_status.ALLOCATED`); units withdrawn from the programme, and units not yet in the stock on that
day, are outside the denominator. One set-based select (a window over the events), whatever the stock size.
"""
from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import func, select

from ..extensions import db
from ..models import Building, Project, Unit, UnitEvent, UnitStatus
from .parameters import effective_pack
from .unit_status import ALLOCATED

OUTSIDE = (UnitStatus.withdrawn.value,)


def statuses_on(city_code: str, day: date, government_invested: bool = True) -> list[tuple[str, str, int]]:
    """(programme, status, units) on `day` from the histories."""
    ranked = (select(UnitEvent.unit_id, UnitEvent.to_status,
                     func.row_number().over(partition_by=UnitEvent.unit_id,
                                            order_by=(UnitEvent.on.desc(), UnitEvent.id.desc())).label("n"))
              .where(UnitEvent.on <= day).subquery())
    query = (select(Unit.programme, ranked.c.to_status, func.count())
             .join(ranked, ranked.c.unit_id == Unit.id).join(Building, Unit.building_id == Building.id)
             .join(Project, Building.project_id == Project.id)
             .where(ranked.c.n == 1, Project.city_code == city_code)
             .group_by(Unit.programme, ranked.c.to_status))
    if government_invested:
        query = query.where(Project.government_invested.is_(True))
    return [(programme, status, int(count)) for programme, status, count in db.session.execute(query)]


def rates_from_counts(rows, city_code: str, day: date) -> list[dict]:
    allocated_values = {status.value for status in ALLOCATED}
    table: dict[str, dict] = {}
    for programme, status, count in rows:
        entry = table.setdefault(programme, {"programme": programme, "total": 0, "allocated": 0})
        if status in OUTSIDE:
            continue
        entry["total"] += count
        if status in allocated_values:
            entry["allocated"] += count
    pack = effective_pack(city_code)
    for entry in table.values():
        entry["rate"] = entry["allocated"] / entry["total"] if entry["total"] else None
        target = f"{entry['programme']}.allocation_rate_min"
        entry["target"] = pack.value(target, day) if target in pack.params else None
    return sorted(table.values(), key=lambda e: e["programme"])


def allocation_rates_on(city_code: str, day: Optional[date] = None) -> list[dict]:
    """Per programme: {programme, total, allocated, rate, target} on `day` (today by default)."""
    day = day or date.today()
    return rates_from_counts(statuses_on(city_code, day), city_code, day)


def current_rates(city_code: str) -> list[dict]:
    """The same figures from the units' current statuses (what the histories must agree with today)."""
    rows = db.session.execute(
        select(Unit.programme, Unit.status, func.count()).join(Building).join(Project)
        .where(Project.city_code == city_code, Project.government_invested.is_(True))
        .group_by(Unit.programme, Unit.status)).all()
    return rates_from_counts([(p, s, int(c)) for p, s, c in rows], city_code, date.today())
