"""Allocation rounds and what they hand out: assignments, offers, tenancies and rent subsidies."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import MONEY, UTCDateTime, utcnow


class AllocationRound(db.Model):
    """A round is stored whole or not at all: its assignments are written in the same transaction."""

    __tablename__ = "allocation_round"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'solved', 'published', 'cancelled')", name="status"),
        CheckConstraint("method IN ('optimal', 'fifo')", name="method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_code: Mapped[str] = mapped_column(String(32), index=True)
    programme: Mapped[str] = mapped_column(String(32))
    round_date: Mapped[date] = mapped_column(Date)
    next_round_date: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(16), default="optimal")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    solved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    instance_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    objective: Mapped[Optional[dict]] = mapped_column(JSON)
    metrics: Mapped[Optional[dict]] = mapped_column(JSON)
    solver: Mapped[Optional[dict]] = mapped_column(JSON)
    comparison: Mapped[Optional[dict]] = mapped_column(JSON)
    # The exact instance solved (its sha256 is instance_sha256) and the full result, so anyone can re-run it.
    instance: Mapped[Optional[dict]] = mapped_column(JSON)
    result: Mapped[Optional[dict]] = mapped_column(JSON)

    assignments: Mapped[list[Assignment]] = relationship(back_populates="round", cascade="all, delete-orphan")


class Assignment(db.Model):
    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("round_id", "unit_id", name="uq_assignment_round_unit"),
        UniqueConstraint("round_id", "application_id", name="uq_assignment_round_application"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("allocation_round.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    preference_rank: Mapped[int] = mapped_column(Integer)

    round: Mapped[AllocationRound] = relationship(back_populates="assignments")
    application = relationship("Application")
    unit = relationship("Unit")


class Offer(db.Model):
    __tablename__ = "offer"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'accepted', 'declined', 'expired', 'withdrawn')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[Optional[int]] = mapped_column(ForeignKey("allocation_round.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    respond_by: Mapped[date] = mapped_column(Date)
    responded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decline_reason: Mapped[Optional[str]] = mapped_column(Text)
    decline_justified: Mapped[Optional[bool]] = mapped_column(Boolean)
    # Once accepted: the day the household is expected at the bureau to sign the contract (待签约).
    appointment_on: Mapped[Optional[date]] = mapped_column(Date)

    application = relationship("Application")
    unit = relationship("Unit")


class Tenancy(db.Model):
    """A signed contract on a unit: `signed` until the keys are handed over, then `active`, `ended` after the
    household leaves. The rent and the rule that fixed it (`rent_basis`, `rent_trace`) are kept as signed."""

    __tablename__ = "tenancy"
    __table_args__ = (CheckConstraint("end_on > start_on", name="dates_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    rent_month: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[str] = mapped_column(String(16), default="active")
    offer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("offer.id"))
    # public_rental_rent | subsidized_rental_ceiling | talent_guide_price (see services/contracts.py)
    rent_basis: Mapped[str] = mapped_column(String(32), default="")
    rent_trace: Mapped[dict] = mapped_column(JSON, default=dict)
    signed_on: Mapped[Optional[date]] = mapped_column(Date)
    keys_on: Mapped[Optional[date]] = mapped_column(Date)
    move_out_on: Mapped[Optional[date]] = mapped_column(Date)
    inspection_on: Mapped[Optional[date]] = mapped_column(Date)

    unit = relationship("Unit")
    application = relationship("Application")


class RentSubsidy(db.Model):
    __tablename__ = "rent_subsidy"
    __table_args__ = (
        CheckConstraint("amount_month >= 0", name="amount_non_negative"),
        CheckConstraint("status IN ('active', 'stopped', 'ended')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    round_id: Mapped[Optional[int]] = mapped_column(ForeignKey("allocation_round.id"))
    amount_month: Mapped[Decimal] = mapped_column(MONEY)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # Which rule and which parameters fixed the amount, as the policy engine reported them.
    trace: Mapped[dict] = mapped_column(JSON, default=dict)

    application = relationship("Application")
