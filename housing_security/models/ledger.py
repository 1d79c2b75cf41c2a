"""Money over time: the monthly rent-subsidy ledger and its approved batches, the rent roll of tenancies
(charges and payments), and the tasks raised for caseworkers when a tenancy meets an exit trigger."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import MONEY, UTCDateTime, utcnow


class SubsidyBatch(db.Model):
    """One city's rent-subsidy payments of one month, approved once by the bureau (then exported to the bank)."""

    __tablename__ = "subsidy_batch"
    __table_args__ = (
        UniqueConstraint("city_code", "month", name="uq_subsidy_batch_city_month"),
        CheckConstraint("status IN ('open', 'approved')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_code: Mapped[str] = mapped_column(String(32), index=True)
    month: Mapped[date] = mapped_column(Date)                 # first day of the month
    status: Mapped[str] = mapped_column(String(16), default="open")
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    lines: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SubsidyPayment(db.Model):
    """One month of one rent subsidy: the amount and the hash of the parameter pack that fixed it."""

    __tablename__ = "subsidy_payment"
    __table_args__ = (
        UniqueConstraint("subsidy_id", "month", name="uq_subsidy_payment_subsidy_month"),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subsidy_id: Mapped[int] = mapped_column(ForeignKey("rent_subsidy.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("subsidy_batch.id"), index=True)
    month: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    pack_hash: Mapped[str] = mapped_column(String(64), default="")

    subsidy = relationship("RentSubsidy")
    application = relationship("Application")
    batch = relationship("SubsidyBatch")


class RentCharge(db.Model):
    """The rent a tenancy owes for one month (the contract rent; market rent during an exit buffer)."""

    __tablename__ = "rent_charge"
    __table_args__ = (
        UniqueConstraint("tenancy_id", "month", name="uq_rent_charge_tenancy_month"),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id"), index=True)
    month: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    basis: Mapped[str] = mapped_column(String(32), default="contract")

    tenancy = relationship("Tenancy")


class RentPayment(db.Model):
    """Money received from a tenant, recorded by hand or imported from the bank's statement."""

    __tablename__ = "rent_payment"
    __table_args__ = (
        UniqueConstraint("tenancy_id", "reference", name="uq_rent_payment_tenancy_reference"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("source IN ('manual', 'bank')", name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    reference: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16), default="manual")
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tenancy = relationship("Tenancy")


class CaseTask(db.Model):
    """Something a caseworker must look into, raised by a daily job (an exit trigger met by a tenancy)."""

    __tablename__ = "case_task"
    __table_args__ = (CheckConstraint("status IN ('open', 'done')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    tenancy_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tenancy.id"))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    raised_on: Mapped[date] = mapped_column(Date)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    outcome: Mapped[str] = mapped_column(Text, default="")
    closed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    application = relationship("Application")
    tenancy = relationship("Tenancy")
