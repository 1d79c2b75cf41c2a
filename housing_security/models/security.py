"""Sign-in throttling: failed attempts per account and per address, kept in the database so that every
worker and every server sees the same counts."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import UTCDateTime


class SignInThrottle(db.Model):
    """One row per throttled key: `account:<username>` (whether or not the account exists, so an unknown
    username is treated exactly like a known one) or `address:<ip>`."""

    __tablename__ = "sign_in_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    locked_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
