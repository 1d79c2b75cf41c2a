"""Offers (配租通知) answered by the household, and what a waiting household can know about its wait."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional

from sqlalchemy import func, select

from ..extensions import db
from ..models import Application, Offer, Tenancy, User
from ..models._types import utcnow
from . import audit, transitions
from .calendar import workflow_value
from .waitlist import WAITING_STATUSES


class OfferError(ValueError):
    def __init__(self, field: str, code: str):
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


def pending_offers(application: Application) -> list[Offer]:
    return list(db.session.scalars(
        select(Offer).where(Offer.application_id == application.id, Offer.status == "pending").order_by(Offer.id)))


def _answerable(offer: Offer, today: date) -> None:
    if offer.status != "pending":
        raise OfferError("offer", "already_answered")
    if offer.application.status != "offered":
        raise OfferError("offer", "not_offered")
    if offer.respond_by < today:
        raise OfferError("offer", "expired")


def _contract_end(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def accept(offer: Offer, actor: User, today: Optional[date] = None) -> Tenancy:
    """offered → housed: a tenancy on the unit, the unit occupied, any other pending offer withdrawn."""
    today = today or date.today()
    _answerable(offer, today)
    application, unit = offer.application, offer.unit
    offer.status, offer.responded_at = "accepted", utcnow()
    unit.status = "occupied"
    years = int(workflow_value(application.city_code, "contract_years", today))
    tenancy = Tenancy(application_id=application.id, unit_id=unit.id, start_on=today,
                      end_on=_contract_end(today, years), rent_month=unit.rent_month)
    db.session.add(tenancy)
    for other in pending_offers(application):
        if other.id != offer.id:
            other.status, other.responded_at = "withdrawn", utcnow()
            other.unit.status = "vacant"
    transitions.move(application, "housed", actor, "accept_offer", offer=offer.id, unit=unit.id)
    audit.record("offer.accept", offer, actor=actor, unit=unit.id, tenancy_end=tenancy.end_on)
    return tenancy


def decline(offer: Offer, actor: User, reason: str, today: Optional[date] = None) -> bool:
    """Back to the waiting list with one more decline; at the city's limit the case is suspended.
    Returns True when this decline suspended the case."""
    today = today or date.today()
    _answerable(offer, today)
    reason = (reason or "").strip()
    if not reason:
        raise OfferError("reason", "reason_required")
    application, unit = offer.application, offer.unit
    offer.status, offer.responded_at, offer.decline_reason = "declined", utcnow(), reason
    unit.status = "vacant"
    application.declines = (application.declines or 0) + 1
    limit = int(workflow_value(application.city_code, "decline_limit", today))
    suspended = application.declines >= limit
    transitions.move(application, "suspended" if suspended else "waitlist", actor,
                     "decline_offer", reason=reason, offer=offer.id, declines=application.declines, limit=limit)
    audit.record("offer.decline", offer, actor=actor, unit=unit.id, declines=application.declines,
                 suspended=suspended)
    return suspended


@dataclass
class QueueStanding:
    rank: Optional[int]
    ahead_total: Optional[int]        # households ranked before this one in the programme
    ahead_in_group: Optional[int]     # of those, in the same priority group
    handed_out_12m: int               # units let in this city and programme in the last 12 months
    estimated_months: Optional[int]   # None: no basis for an estimate


def standing(application: Application, today: Optional[date] = None) -> QueueStanding:
    today = today or date.today()
    since = today - timedelta(days=365)
    handed_out = db.session.scalar(
        select(func.count(Tenancy.id)).join(Application, Tenancy.application_id == Application.id).where(
            Application.city_code == application.city_code, Application.programme == application.programme,
            Tenancy.start_on >= since, Tenancy.start_on <= today)) or 0
    if not handed_out:  # tenancies not recorded yet: accepted offers are the same hand-outs
        handed_out = db.session.scalar(
            select(func.count(Offer.id)).join(Application, Offer.application_id == Application.id).where(
                Application.city_code == application.city_code, Application.programme == application.programme,
                Offer.status == "accepted",
                Offer.made_at >= datetime.combine(since, time.min, tzinfo=timezone.utc))) or 0
    rank = application.queue_rank if application.status in WAITING_STATUSES else None
    if rank is None:
        return QueueStanding(None, None, None, handed_out, None)
    peers = select(func.count(Application.id)).where(
        Application.city_code == application.city_code, Application.programme == application.programme,
        Application.status.in_(WAITING_STATUSES), Application.queue_rank < rank)
    ahead_total = db.session.scalar(peers) or 0
    ahead_group = db.session.scalar(peers.where(Application.priority_group == application.priority_group)) or 0
    estimate = math.ceil((ahead_total + 1) * 12 / handed_out) if handed_out else None
    return QueueStanding(rank, ahead_total, ahead_group, handed_out, estimate)
