"""Keeping the housing stock of a city: projects, their buildings and units created and edited by the bureau, units
put into maintenance or withdrawn from the programme and returned, and the daily flag of units kept in maintenance
past their expected return date.

Each use case is one transaction with its audit row. A unit's size is checked against its programme's area cap for
its kind and tenure, taken from the city's parameter pack in force on the day (plan §4(2), box 1); its status moves
only through services/unit_status.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Optional

from sqlalchemy import func, select

from ..extensions import db
from ..models import Building, Jurisdiction, MaintenanceOverdue, Project, Unit, UnitStatus, User
from ..policy.units import UNIT_KINDS, area_within_limits, unit_area_limits
from ..policy.vocabulary import TENURES
from . import audit, unit_status
from .parameters import effective_pack

# Tenures a unit of the stock may carry (the public-rental rent subsidy is money, not a unit).
UNIT_TENURES = {programme: tuple(t for t in tenures if t != "rent_subsidy") for programme, tenures in TENURES.items()}


class StockError(ValueError):
    """Input or state the stock refuses; `field` names the form field, `code` the message (see web/stock.py)."""

    def __init__(self, code: str, field: str = "", **params):
        super().__init__(f"{field}: {code}")
        self.code = code
        self.field = field
        self.params = params


# ---- scope ------------------------------------------------------------------------------------------------------

def city_districts(city_code: str) -> list[Jurisdiction]:
    city = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == city_code,
                                                        Jurisdiction.kind == "city"))
    if city is None:
        return []
    return list(db.session.scalars(select(Jurisdiction).where(Jurisdiction.parent_id == city.id,
                                                              Jurisdiction.kind == "district")
                                   .order_by(Jurisdiction.code)))


def project_in_city(project_id: int, city_code: Optional[str]) -> Optional[Project]:
    return db.session.scalar(select(Project).where(Project.id == project_id, Project.city_code == city_code))


def building_in_city(building_id: int, city_code: Optional[str]) -> Optional[Building]:
    return db.session.scalar(select(Building).join(Project).where(Building.id == building_id,
                                                                  Project.city_code == city_code))


def unit_in_city(unit_id: int, city_code: Optional[str]) -> Optional[Unit]:
    return db.session.scalar(select(Unit).join(Building).join(Project).where(Unit.id == unit_id,
                                                                             Project.city_code == city_code))


# ---- area caps --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AreaLimits:
    low: Decimal
    high: Optional[Decimal]
    parameters: tuple[str, ...]

    def admits(self, area) -> bool:
        return area_within_limits(area, self.low, self.high)


def area_limits(city_code: str, programme: str, tenure: Optional[str], kind: str, on: date) -> AreaLimits:
    """The area cap of a unit of this programme, tenure and kind in the city's pack on `on` (plan §4(2), box 1)."""
    low, high, refs = unit_area_limits(effective_pack(city_code).at(on), programme, tenure, kind)
    return AreaLimits(low, high, tuple(ref.name for ref in refs))


def _check_area(city_code: str, programme: str, tenure: Optional[str], kind: str, area: Decimal, on: date) -> None:
    limits = area_limits(city_code, programme, tenure, kind, on)
    if not limits.admits(area):
        raise StockError("area_outside_cap", "area_m2", area=area, low=limits.low, high=limits.high)


# ---- projects and buildings -------------------------------------------------------------------------------------

PROJECT_FIELDS = ("code", "name", "district_id", "programme", "address", "government_invested", "completed_on",
                  "market_rent_per_m2", "cost_per_m2")


def _check_project(city_code: str, values: dict, project: Optional[Project] = None) -> None:
    districts = {d.id for d in city_districts(city_code)}
    if values["district_id"] not in districts:
        raise StockError("unknown_district", "district_id")
    offered = effective_pack(city_code).value("programmes.offered", date.today())
    if values["programme"] not in offered:
        raise StockError("programme_not_offered", "programme")
    taken = db.session.scalar(select(Project.id).where(Project.code == values["code"]))
    if taken is not None and (project is None or taken != project.id):
        raise StockError("duplicate_project_code", "code")
    if project is not None and values["programme"] != project.programme and project.buildings and any(
            b.units for b in project.buildings):
        raise StockError("programme_fixed", "programme")


def create_project(city_code: str, actor: Optional[User], **values) -> Project:
    values = {key: values.get(key) for key in PROJECT_FIELDS}
    _check_project(city_code, values)
    project = Project(city_code=city_code, **{k: v for k, v in values.items() if v is not None})
    project.address = values.get("address") or ""
    db.session.add(project)
    db.session.flush()
    audit.record("project.create", project, actor=actor, **values)
    db.session.commit()
    return project


def update_project(project: Project, actor: Optional[User], **values) -> Project:
    values = {key: values.get(key) for key in PROJECT_FIELDS}
    _check_project(project.city_code, values, project)
    values["address"] = values["address"] or ""
    changed = {key: value for key, value in values.items() if getattr(project, key) != value}
    for key, value in changed.items():
        setattr(project, key, value)
    audit.record("project.update", project, actor=actor, changed=sorted(changed), **changed)
    db.session.commit()
    return project


def create_building(project: Project, actor: Optional[User], *, name: str, floors: int, elevator: bool) -> Building:
    name = name.strip()
    if db.session.scalar(select(Building.id).where(Building.project_id == project.id, Building.name == name)):
        raise StockError("duplicate_building", "name")
    building = Building(project=project, name=name, floors=floors, elevator=bool(elevator))
    db.session.add(building)
    db.session.flush()
    audit.record("building.create", building, actor=actor, project=project.code, name=name, floors=floors,
                 elevator=bool(elevator))
    db.session.commit()
    return building


def update_building(building: Building, actor: Optional[User], *, name: str, floors: int,
                    elevator: bool) -> Building:
    name = name.strip()
    other = db.session.scalar(select(Building.id).where(Building.project_id == building.project_id,
                                                        Building.name == name, Building.id != building.id))
    if other is not None:
        raise StockError("duplicate_building", "name")
    highest = db.session.scalar(select(func.max(Unit.floor)).where(Unit.building_id == building.id))
    if highest is not None and floors < highest:
        raise StockError("floors_below_units", "floors", highest=highest)
    before = {"name": building.name, "floors": building.floors, "elevator": building.elevator}
    building.name, building.floors, building.elevator = name, floors, bool(elevator)
    audit.record("building.update", building, actor=actor, before=before, name=name, floors=floors,
                 elevator=bool(elevator))
    db.session.commit()
    return building


# ---- units ------------------------------------------------------------------------------------------------------

UNIT_FIELDS = ("number", "tenure", "kind", "area_m2", "bedrooms", "floor", "accessible", "rent_month")


def _check_unit(building: Building, values: dict, on: date, unit: Optional[Unit] = None) -> None:
    project = building.project
    if values["kind"] not in UNIT_KINDS:
        raise StockError("unknown_kind", "kind")
    if values["tenure"] and values["tenure"] not in UNIT_TENURES.get(project.programme, ()):
        raise StockError("tenure_not_of_programme", "tenure")
    if values["floor"] > building.floors:
        raise StockError("floor_above_building", "floor", floors=building.floors)
    if values["floor"] < 1:
        raise StockError("floor_below_one", "floor")
    if values["rent_month"] < 0:
        raise StockError("negative_rent", "rent_month")
    if values["bedrooms"] < 0:
        raise StockError("negative_bedrooms", "bedrooms")
    taken = db.session.scalar(select(Unit.id).where(Unit.building_id == building.id,
                                                    Unit.number == values["number"]))
    if taken is not None and (unit is None or taken != unit.id):
        raise StockError("duplicate_unit", "number")
    _check_area(project.city_code, project.programme, values["tenure"], values["kind"], values["area_m2"], on)


def _unit_values(values: dict) -> dict:
    out = {key: values.get(key) for key in UNIT_FIELDS}
    out["number"] = (out["number"] or "").strip()
    out["tenure"] = out["tenure"] or None
    out["kind"] = out["kind"] or "apartment"
    out["rent_month"] = Decimal(str(out["rent_month"] or 0))
    out["area_m2"] = Decimal(str(out["area_m2"]))
    out["bedrooms"] = int(out["bedrooms"] or 0)
    out["accessible"] = bool(out["accessible"])
    return out


def create_unit(building: Building, actor: Optional[User], on: date, **values) -> Unit:
    """A new unit, vacant from `on`, with the first event of its history."""
    values = _unit_values(values)
    _check_unit(building, values, on)
    unit = Unit(building=building, programme=building.project.programme, status=UnitStatus.vacant.value, **values)
    db.session.add(unit)
    db.session.flush()
    unit_status.record_initial(unit, actor, on=on, reason="", source="form")
    audit.record("unit.create", unit, actor=actor, building=building.id, **values)
    db.session.commit()
    return unit


def update_unit(unit: Unit, actor: Optional[User], on: date, **values) -> Unit:
    values = _unit_values(values)
    _check_unit(unit.building, values, on, unit)
    changed = {key: value for key, value in values.items() if getattr(unit, key) != value}
    for key, value in changed.items():
        setattr(unit, key, value)
    audit.record("unit.update", unit, actor=actor, changed=sorted(changed), **changed)
    db.session.commit()
    return unit


# ---- unit status: maintenance, withdrawal, return -----------------------------------------------------------------

# The status actions the bureau takes by hand, and the status each leads to. Offers, contracts and move-outs move
# units through their own services.
ACTIONS = {
    "maintenance": UnitStatus.maintenance,
    "vacant": UnitStatus.vacant,
    "withdraw": UnitStatus.withdrawn,
}


def available_actions(unit: Unit) -> list[str]:
    return [name for name, target in ACTIONS.items() if unit_status.can_change(unit, target)
            and not (name == "vacant" and unit.status not in (UnitStatus.maintenance.value,
                                                              UnitStatus.withdrawn.value))]


def change_status(unit: Unit, action: str, actor: Optional[User], on: date, *, reason: str = "",
                  until: Optional[date] = None) -> None:
    """Put a unit into maintenance (reason and expected return), back to vacant, or withdraw it from the programme
    (reason); one transaction. Raises StockError (unknown action) or unit_status.UnitStatusError."""
    if action not in ACTIONS or action not in available_actions(unit):
        raise unit_status.UnitStatusError("transition_not_allowed", from_status=unit.status,
                                          to_status=str(ACTIONS.get(action, action)))
    reason = (reason or "").strip()
    if action == "maintenance" and until is None:
        raise unit_status.UnitStatusError("until_required", field="until")
    if action == "withdraw" and not reason:
        raise unit_status.UnitStatusError("reason_required", field="reason")
    extra = {"expected_return": until} if action == "maintenance" else {}
    unit_status.change_unit_status(unit, ACTIONS[action], actor, on=on, reason=reason, until=until, **extra)
    _resolve_overdue(unit, on)
    db.session.commit()


def _resolve_overdue(unit: Unit, on: date) -> None:
    for flag in db.session.scalars(select(MaintenanceOverdue).where(MaintenanceOverdue.unit_id == unit.id,
                                                                    MaintenanceOverdue.resolved_on.is_(None))):
        if unit.status != UnitStatus.maintenance.value or unit.status_until != flag.expected_on:
            flag.resolved_on = on


# ---- the daily flag of units overdue from maintenance --------------------------------------------------------------

def flag_overdue_maintenance(as_of: date, city_code: Optional[str] = None) -> dict:
    """Flag every unit still in maintenance after its expected return date (one flag per unit and date; a second
    run the same day finds nothing new) and close the flags of units that left maintenance or got a new date. The
    units are listed for the bureau, never returned to the pool by themselves."""
    query = (select(Unit).join(Building).join(Project)
             .where(Unit.status == UnitStatus.maintenance.value, Unit.status_until.is_not(None),
                    Unit.status_until < as_of))
    if city_code:
        query = query.where(Project.city_code == city_code)
    flagged = {(f.unit_id, f.expected_on) for f in db.session.scalars(select(MaintenanceOverdue))}
    new = 0
    for unit in db.session.scalars(query):
        if (unit.id, unit.status_until) in flagged:
            continue
        db.session.add(MaintenanceOverdue(unit_id=unit.id, expected_on=unit.status_until, flagged_on=as_of))
        audit.record("unit.maintenance_overdue", unit, actor=None, expected_on=unit.status_until, on=as_of)
        new += 1
    open_flags = select(MaintenanceOverdue).join(Unit).join(Building).join(Project).where(
        MaintenanceOverdue.resolved_on.is_(None))
    if city_code:
        open_flags = open_flags.where(Project.city_code == city_code)
    resolved = 0
    for flag in db.session.scalars(open_flags):
        unit = flag.unit
        if unit.status != UnitStatus.maintenance.value or unit.status_until != flag.expected_on:
            flag.resolved_on = as_of
            resolved += 1
    db.session.flush()
    return {"flagged": new, "resolved": resolved}


def overdue_units(city_code: str) -> list[MaintenanceOverdue]:
    return list(db.session.scalars(
        select(MaintenanceOverdue).join(Unit).join(Building).join(Project)
        .where(MaintenanceOverdue.resolved_on.is_(None), Project.city_code == city_code)
        .order_by(MaintenanceOverdue.expected_on, MaintenanceOverdue.id)))
