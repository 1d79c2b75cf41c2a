"""Sign-in throttling: failed attempts per account and per address, kept in the database so that every
worker and every server sees the same counts."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import UTCDateTime, utcnow


class SignInThrottle(db.Model):
    """One row per throttled key: `account:<username>` (whether or not the account exists, so an unknown
    username is treated exactly like a known one) or `address:<ip>`."""

    __tablename__ = "sign_in_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    locked_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)


class IntakeConsent(db.Model):
    """A one-time code an applicant reads out at a street office's window, so that a caseworker may file an
    application into their account. Only its hash is stored."""

    __tablename__ = "intake_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class IdempotencyKey(db.Model):
    """A create form's one-time key (web/idempotency.py): the same form posted twice, even at the same moment,
    creates one row, and the second post is sent where the first one went."""

    __tablename__ = "idempotency_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    endpoint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    result_url: Mapped[Optional[str]] = mapped_column(String(256))
