"""Public lottery draws (摇号): commit-then-reveal, so anyone can check the order afterwards.

When scheduled, a draw freezes its entry list and publishes it (masked) with sha256 of a secret seed; at the draw
the seed is revealed and the order computed by `policy.lottery_draw`. The seed is never shown before `drawn_at`.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import UTCDateTime, utcnow


class LotteryDraw(db.Model):
    __tablename__ = "lottery_draw"
    __table_args__ = (CheckConstraint("status IN ('scheduled', 'drawn', 'cancelled')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_code: Mapped[str] = mapped_column(String(32), index=True)
    programme: Mapped[str] = mapped_column(String(32))
    draw_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    # The published entry list: [{"id": reference, "name": masked name, "size": members}], frozen at scheduling.
    entries: Mapped[list] = mapped_column(JSON, default=list)
    entries_hash: Mapped[str] = mapped_column(String(64))
    seed: Mapped[str] = mapped_column(String(128))          # secret until the draw
    seed_hash: Mapped[str] = mapped_column(String(64))
    order: Mapped[Optional[list]] = mapped_column(JSON)     # entry ids, first drawn first
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    drawn_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    drawn_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
