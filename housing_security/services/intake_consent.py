"""Assisted intake only with the applicant's consent: a one-time code the applicant makes in their account and
reads out at the window. A caseworker who types an applicant's username without a live code gets the same answer
as for an unknown username; five wrong codes end every live code of that account."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import IntakeConsent, Role, User
from ..models._types import utcnow
from . import audit

MAX_FAILURES = 5


def _hash(user_id: int, code: str) -> str:
    secret = str(current_app.config.get("SECRET_KEY") or "").encode("utf-8")
    return hmac.new(secret, f"{user_id}:{code.strip()}".encode(), hashlib.sha256).hexdigest()


def issue(user: User) -> str:
    """A fresh 6-digit code for this applicant (earlier live codes end)."""
    now = utcnow()
    for old in db.session.scalars(select(IntakeConsent).where(IntakeConsent.user_id == user.id,
                                                              IntakeConsent.used_at.is_(None))):
        old.used_at = now
    code = f"{secrets.randbelow(10 ** 6):06d}"
    minutes = int(current_app.config["INTAKE_CONSENT_MINUTES"])
    db.session.add(IntakeConsent(user_id=user.id, code_hash=_hash(user.id, code),
                                 expires_at=now + timedelta(minutes=minutes)))
    audit.record("intake.consent_issued", user, actor=user, minutes=minutes)
    return code


def redeem(username: str, code: str, caseworker: User) -> Optional[User]:
    """The applicant whose live code this is (the code is used up), or None — whatever went wrong."""
    owner = db.session.scalar(select(User).where(func.lower(User.username) == (username or "").strip().lower(),
                                                 User.role == Role.applicant.value))
    if owner is None:
        return None
    now = utcnow()
    consent = db.session.scalar(select(IntakeConsent).where(
        IntakeConsent.user_id == owner.id, IntakeConsent.used_at.is_(None), IntakeConsent.expires_at > now)
        .order_by(IntakeConsent.id.desc()))
    if consent is None:
        return None
    if not hmac.compare_digest(consent.code_hash, _hash(owner.id, code or "")):
        consent.failures = (consent.failures or 0) + 1
        if consent.failures >= MAX_FAILURES:
            consent.used_at = now
        audit.record("intake.consent_wrong", owner, actor=caseworker, failures=consent.failures)
        return None
    consent.used_at = now
    audit.record("intake.consent_used", owner, actor=caseworker)
    return owner
