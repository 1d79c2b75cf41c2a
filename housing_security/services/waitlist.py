"""The waiting list (轮候): queue ranks computed by the city's ordering rule (plan §4(1); DOMAIN workflow)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import policy
from ..extensions import db
from ..models import Application
from .calendar import add_months
from .parameters import effective_pack

# Households still waiting for a unit: those on a rent subsidy keep their place in the queue.
WAITING_STATUSES = ("waitlist", "subsidised")


def commitment_deadline(application: Application) -> date | None:
    """The day by which a commitment household must have a unit or a rent subsidy (plan §12.1)."""
    if not application.commitment or application.approved_on is None:
        return None
    months = effective_pack(application.city_code).value("public_rental.commitment_months", application.approved_on)
    return add_months(application.approved_on, int(months))


def waiting_applications(city_code: str, programme: str) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(
            Application.city_code == city_code, Application.programme == programme,
            Application.status.in_(WAITING_STATUSES),
        )
    ))


def rerank(city_code: str, programme: str, as_of: date, seed: str | None = None) -> int:
    """Give every waiting case of one city and programme its queue rank; returns how many were ranked."""
    applications = waiting_applications(city_code, programme)
    if not applications:
        return 0
    entries = [
        {
            "id": str(a.id),
            "priority_groups": (a.decision or {}).get("priority_groups") or [],
            "approved_on": a.approved_on,
        }
        for a in applications
    ]
    ranks = dict(policy.queue_ranks(entries, effective_pack(city_code), as_of, seed=seed))
    for application in applications:
        application.queue_rank = ranks[str(application.id)]
    return len(applications)
