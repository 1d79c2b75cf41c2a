"""Dated changes to a city's policy parameters, entered by an administrator over the YAML packs.

A row is never deleted or edited in substance: withdrawing a change sets its status (with who,
when and why) and leaves the row, so every decision's pack hash can still be explained.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, utcnow


class ParameterChange(db.Model):
    """One dated value of one parameter of one city's pack, with its citation.

    (city_code, name, effective_from) is unique among the *active* rows; the service enforces it
    (a partial unique index would read differently on SQLite and PostgreSQL)."""

    __tablename__ = "parameter_change"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'withdrawn')", name="status"),
        CheckConstraint("citation <> ''", name="citation_required"),
        Index("ix_parameter_change_city_name", "city_code", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128))
    effective_from: Mapped[date] = mapped_column(Date)
    value: Mapped[Any] = mapped_column(JSON)
    citation: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[Optional[str]] = mapped_column(Text)

    created_by = relationship("User", foreign_keys=[created_by_id])
    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])

    def __repr__(self) -> str:
        return f"<ParameterChange {self.city_code} {self.name} {self.effective_from} {self.status}>"
