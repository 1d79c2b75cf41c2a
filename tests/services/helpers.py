"""Builders for review-workflow tests: a fresh household and case in a given status and street,
plus look-ups of the events and audit rows a use case must write."""
from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, ApplicationEvent, AuditLog, Jurisdiction, Role, User
from housing_security.services import accounts, demo, eligibility

DEMO_PASSWORD = "demo-password-2026"
_counter = itertools.count(1)


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def street(code: str) -> Jurisdiction:
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.kind == "street", Jurisdiction.code == code))


def new_case(status: str, street_code: str = "wucheng", programme: str = "public_rental", eligible: bool = True,
             owner: str | None = None, size: int = 2, **fields) -> int:
    """A new household (valid ID numbers) and its case, put straight into `status` (test set-up only)."""
    n = next(_counter)
    rng = random.Random(1000 + n)
    today = date.today()
    place = street(street_code)
    owner_user = None
    if owner:
        owner_user = user(owner) or accounts.create_user(owner, DEMO_PASSWORD, Role.applicant, owner)
    household = demo._household(place, owner_user, programme, rng, today, eligible=eligible, size=size)
    household.minimum_allowance = True
    household.low_income = False
    db.session.flush()
    application = Application(reference=f"TEST{n:06d}{rng.randint(0, 999):03d}", household=household,
                              street_id=place.id, city_code="taiyuan", programme=programme, status=status,
                              **fields)
    db.session.add(application)
    db.session.flush()
    eligibility.decide(application, today)
    if status in ("publicity",) and "publicity_until" not in fields:
        application.approved_on = fields.get("approved_on", today - timedelta(days=3))
        application.publicity_until = today + timedelta(days=7)
    db.session.commit()
    return application.id


def get(application_id: int) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application_id)


def events(application_id: int) -> list[ApplicationEvent]:
    return list(db.session.scalars(select(ApplicationEvent).where(ApplicationEvent.application_id == application_id)
                                   .order_by(ApplicationEvent.id)))


def audits(action: str, object_id=None) -> list[AuditLog]:
    query = select(AuditLog).where(AuditLog.action == action)
    if object_id is not None:
        query = query.where(AuditLog.object_id == str(object_id))
    return list(db.session.scalars(query.order_by(AuditLog.id)))


def add_rejection_event(application_id: int, actor: User, from_status: str = "street_review") -> None:
    """A past rejection by `actor` (for appeal tests that start from a rejected case)."""
    db.session.add(ApplicationEvent(application_id=application_id, actor_id=actor.id, action="reject",
                                    from_status=from_status, to_status="rejected", reason="收入超过标准，不予通过。"))
    db.session.commit()
