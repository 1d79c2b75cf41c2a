"""Publishing a solved round (配租批次): offers for every assignment, a rent subsidy for every due household left
without a unit (plan §12.1), and a notification with the engine's reason for every other household left
without one — all in one transaction, so a round is published whole or not at all."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Optional

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    AllocationRound,
    Application,
    Household,
    Notification,
    Offer,
    RentSubsidy,
    Unit,
    UnitStatus,
    User,
)
from ..models._types import utcnow
from . import audit, transitions, unit_status, waitlist
from .calendar import add_months
from .parameters import effective_pack
from .rounds import Progress, RoundError, _round, offer_response_days


def _check_fresh(rnd: AllocationRound, result: dict) -> None:
    """Publishing a stale solve would offer a unit twice or to a household no longer waiting."""
    unit_ids = [a.unit_id for a in rnd.assignments]
    application_ids = [a.application_id for a in rnd.assignments] + [int(s["household"])
                                                                       for s in result.get("subsidies", [])]
    busy_units = db.session.scalar(select(func.count()).select_from(Unit).where(
        Unit.id.in_(unit_ids), Unit.status != UnitStatus.vacant.value)) if unit_ids else 0
    moved = db.session.scalar(select(func.count()).select_from(Application).where(
        Application.id.in_(application_ids),
        Application.status.not_in(waitlist.WAITING_STATUSES))) if application_ids else 0
    if busy_units or moved:
        raise RoundError("round", "stale", units=busy_units, households=moved)


def publish_round(round_id: int, actor: Optional[User], today: Optional[date] = None,
                  progress: Progress = None) -> dict:
    """Offers for every assignment, subsidies for due households left without a unit; one transaction.
    `progress(stage, done, total)` reports the stages "publish_check", "publish_offers", "publish_subsidies",
    "publish_explain" and "save" (services/round_runner.py runs it outside the request); nothing is written
    until the single final commit, and nothing at all if any step fails."""
    today = today or date.today()
    if progress:
        progress("publish_check", 0, 1)
    rnd = _round(round_id)
    if rnd.status != "solved":
        raise RoundError("round", "not_publishable", status=rnd.status)
    result = rnd.result or {}
    try:
        _check_fresh(rnd, result)
        if progress:
            progress("publish_check", 1, 1)
        respond_by = today + timedelta(days=offer_response_days(rnd.city_code, today))
        offers = subsidies = 0
        assignments = list(rnd.assignments)
        step = max(1, len(assignments) // 50)
        for index, assignment in enumerate(assignments):
            if progress and index % step == 0:
                progress("publish_offers", index, len(assignments))
            application, unit = assignment.application, assignment.unit
            offer = Offer(round_id=rnd.id, application_id=application.id, unit_id=unit.id, respond_by=respond_by)
            db.session.add(offer)
            db.session.flush([offer])
            unit_status.change_unit_status(unit, UnitStatus.offered, actor, on=today, round=rnd.id, offer=offer.id)
            transitions.move(application, "offered", actor, "offer", notify=False, round=rnd.id, offer=offer.id,
                             unit=unit.id, respond_by=respond_by.isoformat())
            _notify(application, "offer_made", deadline=respond_by.isoformat())
            audit.record("offer.make", offer, actor=actor, round=rnd.id, unit=unit.id, respond_by=respond_by)
            offers += 1
        entries = result.get("subsidies", [])
        step = max(1, len(entries) // 50)
        for index, entry in enumerate(entries):
            if progress and index % step == 0:
                progress("publish_subsidies", index, len(entries))
            application = db.session.get(Application, int(entry["household"]))
            subsidies += _start_subsidy(rnd, application, entry, actor)
        if progress:
            progress("publish_explain", 0, 1)
        _explain_to_the_unhoused(rnd, result)
        if progress:
            progress("save", 0, 1)
        rnd.status, rnd.published_at = "published", utcnow()
        audit.record("round.publish", rnd, actor=actor, offers=offers, subsidies=subsidies,
                     instance_sha256=rnd.instance_sha256, respond_by=respond_by)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if progress:
        progress("save", 1, 1)
    return {"offers": offers, "subsidies": subsidies, "respond_by": respond_by}


def _start_subsidy(rnd: AllocationRound, application: Application, entry: dict, actor) -> int:
    """Commitment B (plan §12.1): a due household without a unit is covered by a rent subsidy this round."""
    active = db.session.scalar(select(RentSubsidy).where(
        RentSubsidy.application_id == application.id, RentSubsidy.status == "active",
        RentSubsidy.end_on >= rnd.round_date))
    if active is not None and application.status == "subsidised":
        return 0  # already covered; the running subsidy continues
    amount = Decimal(str(entry.get("amount_month") or 0)).quantize(Decimal("0.01"))
    term_months = int(effective_pack(rnd.city_code).value("rent_subsidy.term_months", rnd.round_date))
    subsidy = RentSubsidy(application_id=application.id, round_id=rnd.id, amount_month=amount,
                          start_on=rnd.round_date, end_on=add_months(rnd.round_date, term_months),
                          trace={"rule": "rent_subsidy", "round": rnd.id, "pack_hash": application.pack_hash,
                                 "reason": entry.get("reason"), "citation": "plan §12.1",
                                 "term_months": term_months})
    db.session.add(subsidy)
    db.session.flush([subsidy])
    transitions.move(application, "subsidised", actor, "start_subsidy", round=rnd.id, subsidy=subsidy.id,
                     amount_month=str(amount))
    audit.record("subsidy.start", subsidy, actor=actor, round=rnd.id, application=application.id,
                 amount_month=amount)
    return 1


def _explain_to_the_unhoused(rnd: AllocationRound, result: dict) -> None:
    """Every household left without a unit is told why, in the engine's own terms (a reason code and its
    parameters, rendered in the reader's language): no compatible unit, or the units went to households
    ahead of it, with the cut-off rank."""
    reasons = {int(entry["household"]): entry["reason"] for entry in result.get("unassigned", [])}
    if not reasons:
        return
    owners = db.session.execute(
        select(Application.id, Application.reference, Household.owner_id).join(Household)
        .where(Application.id.in_(list(reasons)), Household.owner_id.is_not(None))).all()
    db.session.add_all([
        Notification(user_id=owner_id, application_id=application_id, message_id="round_unassigned",
                     params={"reference": reference, "round": rnd.id, "reason": reasons[application_id]})
        for application_id, reference, owner_id in owners
    ])


def _notify(application: Application, message_id: str, **params) -> None:
    owner_id = application.household.owner_id if application.household else None
    if owner_id is not None:
        db.session.add(Notification(user_id=owner_id, application_id=application.id, message_id=message_id,
                                    params={"reference": application.reference, **params}))


