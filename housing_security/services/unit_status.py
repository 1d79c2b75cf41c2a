"""The one door for a unit's status: which status may follow which, and the function that moves a unit.

Every move appends a UnitEvent (business date, who, from, to, why) and an audit row in the caller's
transaction, so the unit's history answers "what was this unit on that day" and the portfolio allocation rate of
any past day can be recomputed from the events (plan §4(1)). Nothing else assigns `Unit.status`.
"""
from __future__ import annotations

from datetime import date
from typing import Optional, Union

from sqlalchemy import select

from ..extensions import db
from ..models import Unit, UnitEvent, UnitStatus, User
from . import audit

S = UnitStatus
ALLOWED: dict[UnitStatus, frozenset[UnitStatus]] = {
    S.vacant: frozenset({S.reserved, S.offered, S.maintenance, S.withdrawn, S.occupied}),
    S.reserved: frozenset({S.vacant, S.offered}),
    S.offered: frozenset({S.vacant, S.awaiting_contract, S.occupied}),
    S.awaiting_contract: frozenset({S.occupied, S.vacant}),
    S.occupied: frozenset({S.vacant, S.maintenance}),
    S.maintenance: frozenset({S.vacant, S.withdrawn}),
    S.withdrawn: frozenset({S.vacant, S.maintenance}),
}
# Statuses in which a unit counts as allocated (let, sold, offered, or awaiting the contract of a household that
# accepted it); a unit withdrawn from the programme leaves the allocation rate's denominator (plan §4(1)).
ALLOCATED = frozenset({S.offered, S.awaiting_contract, S.occupied})
OUTSIDE_PORTFOLIO = frozenset({S.withdrawn})


def portfolio_counts(units_by_status: dict[str, int]) -> tuple[int, int]:
    """(units in the portfolio, units allocated) from counts of units per status."""
    total = sum(n for status, n in units_by_status.items() if status not in OUTSIDE_PORTFOLIO)
    allocated = sum(n for status, n in units_by_status.items() if status in ALLOCATED)
    return total, allocated


class UnitStatusError(ValueError):
    """A move the unit's life forbids (or a missing reason/date it needs); views answer it, never a 500."""

    def __init__(self, code: str, field: str = "status", **params):
        super().__init__(f"{field}: {code}")
        self.code = code
        self.field = field
        self.params = params


def can_change(unit: Unit, to_status: Union[UnitStatus, str]) -> bool:
    return UnitStatus(to_status) in ALLOWED.get(UnitStatus(unit.status), frozenset())


def change_unit_status(unit: Unit, to_status: Union[UnitStatus, str], actor: Optional[User], *, on: date,
                       reason: str = "", until: Optional[date] = None, **data) -> UnitEvent:
    """Move `unit` to `to_status` as of the business day `on`. Maintenance needs a reason; `until` (the expected
    return from maintenance) may not lie before `on`. Raises UnitStatusError."""
    try:
        target = UnitStatus(to_status)
    except ValueError:
        raise UnitStatusError("unknown_status", status=str(to_status)) from None
    current = UnitStatus(unit.status)
    if target not in ALLOWED.get(current, frozenset()):
        raise UnitStatusError("transition_not_allowed", from_status=current.value, to_status=target.value)
    reason = (reason or "").strip()
    if target is S.maintenance and not reason:
        raise UnitStatusError("reason_required", field="reason")
    if until is not None and until < on:
        raise UnitStatusError("until_before_on", field="until", on=on.isoformat())
    unit.status = target.value
    unit.status_note = reason if target in (S.maintenance, S.withdrawn) else ""
    unit.status_until = until if target is S.maintenance else None
    event = UnitEvent(unit=unit, on=on, from_status=current.value, to_status=target.value,
                      actor_id=getattr(actor, "id", None), reason=reason,
                      data={key: audit._jsonable(value) for key, value in data.items()})
    db.session.add(event)
    audit.record("unit.status", unit, actor=actor, from_status=current.value, to_status=target.value, on=on,
                 reason=reason, until=until, **data)
    return event


def record_initial(unit: Unit, actor: Optional[User], *, on: date, reason: str = "", **data) -> UnitEvent:
    """The first event of a unit that enters the stock (created, imported or seeded) in its current status."""
    event = UnitEvent(unit=unit, on=on, from_status=None, to_status=unit.status,
                      actor_id=getattr(actor, "id", None), reason=reason or "",
                      data={key: audit._jsonable(value) for key, value in data.items()})
    db.session.add(event)
    return event


def status_on(unit_id: int, day: date) -> Optional[str]:
    """The unit's status at the end of `day` according to its history (None before it entered the stock)."""
    return db.session.scalar(
        select(UnitEvent.to_status).where(UnitEvent.unit_id == unit_id, UnitEvent.on <= day)
        .order_by(UnitEvent.on.desc(), UnitEvent.id.desc()).limit(1))
