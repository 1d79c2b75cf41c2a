"""Offers (配租通知) answered by the household, and what a waiting household can know about its wait."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Application, ApplicationEvent, Notification, Offer, RentSubsidy, Tenancy, UnitStatus, User
from ..models._types import utcnow
from . import audit, transitions, unit_status
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


def accept(offer: Offer, actor: User, today: Optional[date] = None) -> Offer:
    """offered → awaiting_contract (待签约): the unit is held for the household (unit `awaiting_contract`), an
    appointment to sign is set `workflow.contract_appointment_days` ahead, any other pending offer is withdrawn.
    The contract and the keys follow in services/contracts.py."""
    today = today or date.today()
    _answerable(offer, today)
    application, unit = offer.application, offer.unit
    appointment = today + timedelta(days=int(workflow_value(application.city_code, "contract_appointment_days",
                                                            today)))
    offer.status, offer.responded_at, offer.appointment_on = "accepted", utcnow(), appointment
    unit_status.change_unit_status(unit, UnitStatus.awaiting_contract, actor, on=today, offer=offer.id)
    for other in pending_offers(application):
        if other.id != offer.id:
            other.status, other.responded_at = "withdrawn", utcnow()
            unit_status.change_unit_status(other.unit, UnitStatus.vacant, actor, on=today, offer=other.id,
                                           cause="offer_withdrawn")
    transitions.move(application, "awaiting_contract", actor, "accept_offer", offer=offer.id, unit=unit.id,
                     appointment_on=appointment.isoformat())
    audit.record("offer.accept", offer, actor=actor, unit=unit.id, appointment_on=appointment)
    return offer


def justified_reasons(city_code: str, as_of: Optional[date] = None) -> list[dict]:
    """The city's listed justified reasons for declining (`workflow.justified_decline_reasons`):
    [{code, zh, en}, ...]; a decline for one of them, once the street caseworker confirms it, does not count."""
    reasons = workflow_value(city_code, "justified_decline_reasons", as_of or date.today(), default=[]) or []
    return [dict(r) for r in reasons if isinstance(r, dict) and r.get("code")]


def reason_label(city_code: str, code: Optional[str], lang: str = "zh", as_of: Optional[date] = None) -> str:
    for reason in justified_reasons(city_code, as_of):
        if reason["code"] == code:
            return str(reason.get(lang) or reason.get("zh") or code)
    return code or ""


def counts(offer: Offer) -> bool:
    """Whether a declined offer counts towards the city's decline limit: only an unjustified one does.
    `decline_justified` is None while a decline for a listed reason awaits the caseworker's review (not counted
    yet), False for an unjustified decline (counted), True for a justified one (not counted)."""
    return offer.status == "declined" and offer.decline_justified is False


def claimed_reason(offer: Offer) -> Optional[str]:
    """The listed justified reason the household ticked when declining (kept on the decline's case event)."""
    for event in offer.application.events:
        if event.action == "decline_offer" and (event.data or {}).get("offer") == offer.id:
            return (event.data or {}).get("claimed")
    return None


def decline(offer: Offer, actor: User, reason: str, today: Optional[date] = None,
            claimed: Optional[str] = None) -> bool:
    """Back to the waiting list. A decline without a listed justified reason counts at once; at the city's limit
    the case is suspended. A decline for a listed reason (`claimed`) awaits the street caseworker's review and
    does not count unless the caseworker finds it unjustified. Returns True when this decline suspended the case."""
    today = today or date.today()
    _answerable(offer, today)
    reason = (reason or "").strip()
    if not reason:
        raise OfferError("reason", "reason_required")
    application, unit = offer.application, offer.unit
    claimed = (claimed or "").strip() or None
    if claimed is not None and claimed not in {r["code"] for r in justified_reasons(application.city_code, today)}:
        raise OfferError("justified_reason", "unknown_justified_reason")
    offer.status, offer.responded_at, offer.decline_reason = "declined", utcnow(), reason
    offer.decline_justified = None if claimed else False
    unit_status.change_unit_status(unit, UnitStatus.vacant, actor, on=today, offer=offer.id, cause="offer_declined")
    if claimed is None:
        application.declines = (application.declines or 0) + 1
    limit = int(workflow_value(application.city_code, "decline_limit", today))
    suspended = claimed is None and application.declines >= limit
    transitions.move(application, "suspended" if suspended else "waitlist", actor,
                     "decline_offer", reason=reason, offer=offer.id, declines=application.declines, limit=limit,
                     claimed=claimed, counted=claimed is None)
    audit.record("offer.decline", offer, actor=actor, unit=unit.id, declines=application.declines,
                 suspended=suspended, claimed=claimed, counted=claimed is None)
    return suspended


def review_decline(offer: Offer, actor: User, justified: bool, note: str, today: Optional[date] = None) -> dict:
    """The street caseworker marks a decline justified or not, with a written note. Only unjustified declines
    count towards `workflow.decline_limit`: the count follows the decision, a suspended case whose count falls
    below the limit returns to the waiting list, and a waiting case whose count reaches it is suspended. Without
    a status change the review is still an append-only case event ("decline_reviewed") and an audit row."""
    today = today or date.today()
    note = (note or "").strip()
    if offer.status != "declined":
        raise OfferError("offer", "not_declined")
    if not note:
        raise OfferError("note", "note_required")
    application = offer.application
    was_counted = counts(offer)
    previous = offer.decline_justified
    offer.decline_justified = bool(justified)
    delta = int(counts(offer)) - int(was_counted)
    application.declines = max(0, (application.declines or 0) + delta)
    limit = int(workflow_value(application.city_code, "decline_limit", today))
    data = {"offer": offer.id, "justified": bool(justified), "previous": previous,
            "declines": application.declines, "limit": limit}
    from_status = application.status
    if from_status == "suspended" and application.declines < limit:
        transitions.move(application, "waitlist", actor, "decline_reviewed", reason=note, **data)
    elif from_status == "waitlist" and application.declines >= limit:
        transitions.move(application, "suspended", actor, "decline_reviewed", reason=note, **data)
    else:
        db.session.add(ApplicationEvent(application=application, actor_id=getattr(actor, "id", None),
                                        action="decline_reviewed", from_status=from_status, to_status=from_status,
                                        reason=note, data=data))
    audit.record("offer.decline_review", offer, actor=actor, application=application.id, note=note,
                 from_status=from_status, to_status=application.status, **data)
    return {"declines": application.declines, "limit": limit, "from_status": from_status,
            "to_status": application.status}


@dataclass
class QueueStanding:
    rank: Optional[int]
    ahead_total: Optional[int]        # households ranked before this one in the programme
    ahead_in_group: Optional[int]     # of those, in the same priority group
    handed_out_12m: int               # units let in this city and programme in the last 12 months
    estimated_months: Optional[int]   # None: no basis for an estimate


def standing(application: Application, today: Optional[date] = None) -> QueueStanding:
    """The applicant's place in the queue; its counts come from one query (the status page reads it each time)."""
    today = today or date.today()
    since = today - timedelta(days=365)
    same_queue = (Application.city_code == application.city_code, Application.programme == application.programme)
    tenancies = (select(func.count(Tenancy.id)).join(Application, Tenancy.application_id == Application.id)
                 .where(*same_queue, Tenancy.start_on >= since, Tenancy.start_on <= today).scalar_subquery())
    # tenancies not recorded yet: accepted offers are the same hand-outs
    accepted = (select(func.count(Offer.id)).join(Application, Offer.application_id == Application.id)
                .where(*same_queue, Offer.status == "accepted",
                       Offer.made_at >= datetime.combine(since, time.min, tzinfo=UTC)).scalar_subquery())
    rank = application.queue_rank if application.status in WAITING_STATUSES else None
    columns = [tenancies, accepted]
    if rank is not None:
        ahead = (Application.status.in_(WAITING_STATUSES), Application.queue_rank < rank)
        columns += [select(func.count(Application.id)).where(*same_queue, *ahead).scalar_subquery(),
                    select(func.count(Application.id)).where(
                        *same_queue, *ahead, Application.priority_group == application.priority_group)
                    .scalar_subquery()]
    counts = db.session.execute(select(*columns)).one()
    handed_out = counts[0] or counts[1] or 0
    if rank is None:
        return QueueStanding(None, None, None, handed_out, None)
    ahead_total, ahead_group = counts[2] or 0, counts[3] or 0
    estimate = math.ceil((ahead_total + 1) * 12 / handed_out) if handed_out else None
    return QueueStanding(rank, ahead_total, ahead_group, handed_out, estimate)


def expire_offers(as_of: date, city_code: Optional[str] = None, actor: Optional[User] = None) -> dict:
    """Daily job: every pending offer whose reply deadline (`respond_by`, the last day to answer) has passed
    expires on the next day. The unit returns to the pool (vacant); the silence counts as an unjustified decline
    when the city says so (`workflow.offer_expiry_counts_as_decline`), and at `workflow.decline_limit` the case
    is suspended; otherwise the household returns to the waiting list (or to its running rent subsidy). The
    household is told. Idempotent: an expired offer is no longer pending."""
    query = (select(Offer).join(Application, Offer.application_id == Application.id)
             .where(Offer.status == "pending", Offer.respond_by < as_of)
             .options(selectinload(Offer.application), selectinload(Offer.unit)).order_by(Offer.id))
    if city_code:
        query = query.where(Application.city_code == city_code)
    counts = {"expired": 0, "counted": 0, "suspended": 0}
    for offer in db.session.scalars(query).all():
        application, unit = offer.application, offer.unit
        offer.status, offer.responded_at = "expired", utcnow()
        if unit.status == UnitStatus.offered.value:
            unit_status.change_unit_status(unit, UnitStatus.vacant, actor, on=as_of, offer=offer.id,
                                           cause="offer_expired")
        counted = bool(workflow_value(application.city_code, "offer_expiry_counts_as_decline", as_of))
        if counted:
            offer.decline_justified = False
            application.declines = (application.declines or 0) + 1
            counts["counted"] += 1
        limit = int(workflow_value(application.city_code, "decline_limit", as_of))
        suspended = counted and application.declines >= limit
        if application.status == "offered" and not [o for o in pending_offers(application) if o.id != offer.id]:
            subsidised = db.session.scalar(select(func.count(RentSubsidy.id)).where(
                RentSubsidy.application_id == application.id, RentSubsidy.status == "active",
                RentSubsidy.end_on >= as_of))
            to_status = "suspended" if suspended else "subsidised" if subsidised else "waitlist"
            transitions.move(application, to_status, actor, "offer_expired", notify=False, offer=offer.id,
                             respond_by=offer.respond_by.isoformat(), counted=counted,
                             declines=application.declines, limit=limit)
            counts["suspended"] += int(to_status == "suspended")
        owner_id = application.household.owner_id if application.household else None
        if owner_id is not None:
            db.session.add(Notification(user_id=owner_id, application_id=application.id, message_id="offer_expired",
                                        params={"reference": application.reference,
                                                "deadline": offer.respond_by.isoformat()}))
        audit.record("offer.expire", offer, actor=actor, unit=unit.id, as_of=as_of, counted=counted,
                     declines=application.declines, suspended=suspended)
        counts["expired"] += 1
    return counts
