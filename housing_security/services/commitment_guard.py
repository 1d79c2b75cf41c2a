"""The six-month commitment kept every day, not only inside a round (plan §12.1: 城镇低保、低收入住房困难家庭
在6个月内实现应保尽保).

Daily job `commitment_guard`: every commitment household still waiting (no unit, no outstanding offer, no running
rent subsidy) whose deadline — approval + `public_rental.commitment_months` — falls within
`workflow.commitment_subsidy_lead_days` of today, or has passed, gets its rent subsidy started today, at the amount
the policy engine gives (`policy.rent_subsidy`, with the pack hash in the trace), for `rent_subsidy.term_months`,
and is told. Run every day, the subsidy therefore starts on the deadline itself (or the city's lead days before
it); a household whose offer lapses after its deadline is picked up the next morning. Idempotent: a covered
household is no longer waiting.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Optional

from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.orm import selectinload

from .. import policy
from ..extensions import db
from ..models import Application, Household, Notification, RentSubsidy, User
from . import audit, transitions
from .calendar import add_months, workflow_value
from .eligibility import policy_household
from .parameters import effective_pack

CITATION = "plan §12.1"
# Households the guard covers: waiting, without an offer out (an offered household has a unit on the table;
# if the offer lapses it is back on the waiting list and covered the next day).
GUARDED_STATUSES = ("waitlist",)


def _months(city_code: str, as_of: date) -> int:
    return int(effective_pack(city_code).value("public_rental.commitment_months", as_of))


def _lead_days(city_code: str, as_of: date) -> int:
    return int(workflow_value(city_code, "commitment_subsidy_lead_days", as_of, default=0) or 0)


def guard_day(application: Application, as_of: date) -> Optional[date]:
    """The day the guard starts this household's subsidy if it is still waiting then."""
    if not application.commitment or application.approved_on is None:
        return None
    deadline = add_months(application.approved_on, _months(application.city_code, application.approved_on))
    return deadline - timedelta(days=_lead_days(application.city_code, as_of))


def due_query(as_of: date, city_code: Optional[str] = None):
    """Commitment households waiting without cover whose guard day has come (set-based, one select)."""
    cities = [city_code] if city_code else db.session.scalars(
        select(Application.city_code).where(Application.commitment.is_(True)).distinct()).all()
    # approved_on + months - lead <= as_of  ⇔  approved_on <= (as_of + lead) - months
    per_city = or_(false(), *(
        and_(Application.city_code == city,
             Application.approved_on <= add_months(as_of + timedelta(days=_lead_days(city, as_of)),
                                                   -_months(city, as_of)))
        for city in cities))
    covered = exists().where(RentSubsidy.application_id == Application.id, RentSubsidy.status == "active",
                             RentSubsidy.end_on >= as_of)
    query = select(Application).where(
        Application.commitment.is_(True), Application.status.in_(GUARDED_STATUSES),
        Application.approved_on.is_not(None), per_city, ~covered)
    if city_code:
        query = query.where(Application.city_code == city_code)
    return query


def start_subsidy(application: Application, as_of: date, actor: Optional[User] = None) -> RentSubsidy:
    pack = effective_pack(application.city_code)
    amount = policy.rent_subsidy(policy_household(application.household), pack, as_of)
    amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    term = int(pack.value("rent_subsidy.term_months", as_of))
    months = _months(application.city_code, application.approved_on)
    deadline = add_months(application.approved_on, months)
    subsidy = RentSubsidy(application_id=application.id, amount_month=amount, start_on=as_of,
                          end_on=add_months(as_of, term),
                          trace={"rule": "rent_subsidy", "pack_hash": pack.hash, "citation": CITATION,
                                 "reason": "commitment_guard", "deadline": deadline.isoformat(),
                                 "approved_on": application.approved_on.isoformat(), "term_months": term,
                                 "lead_days": _lead_days(application.city_code, as_of)})
    db.session.add(subsidy)
    db.session.flush([subsidy])
    transitions.move(application, "subsidised", actor, "start_subsidy", notify=False, subsidy=subsidy.id,
                     amount_month=str(amount), deadline=deadline.isoformat(), cause="commitment_guard")
    owner_id = application.household.owner_id if application.household else None
    if owner_id is not None:
        db.session.add(Notification(user_id=owner_id, application_id=application.id, message_id="subsidy_started",
                                    params={"reference": application.reference, "start": as_of.isoformat(),
                                            "amount": str(amount)}))
    audit.record("subsidy.start", subsidy, actor=actor, application=application.id, amount_month=amount,
                 pack_hash=pack.hash, deadline=deadline, cause="commitment_guard")
    return subsidy


def run_guard(as_of: date, city_code: Optional[str] = None, actor: Optional[User] = None) -> dict:
    applications = db.session.scalars(due_query(as_of, city_code).options(
        selectinload(Application.household).selectinload(Household.members)).order_by(Application.id)).all()
    started = 0
    for application in applications:
        start_subsidy(application, as_of, actor)
        started += 1
    return {"started": started}
