"""A household applying for housing security, its members and the proofs it uploaded."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import AREA, MONEY, UTCDateTime, utcnow

RELATIONS = ("self", "spouse", "child", "parent", "other")


class Household(db.Model):
    __tablename__ = "household"
    __table_args__ = (
        CheckConstraint("assets_yuan >= 0", name="assets_non_negative"),
        CheckConstraint("current_area_m2 >= 0", name="area_non_negative"),
        CheckConstraint("hukou_type IN ('urban', 'rural')", name="hukou_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"), index=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("jurisdiction.id"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    hukou_city: Mapped[str] = mapped_column(String(32))
    hukou_type: Mapped[str] = mapped_column(String(8), default="urban")
    assets_yuan: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    current_area_m2: Mapped[Decimal] = mapped_column(AREA, default=Decimal("0"))
    minimum_allowance: Mapped[bool] = mapped_column(Boolean, default=False)
    special_hardship: Mapped[bool] = mapped_column(Boolean, default=False)
    low_income: Mapped[bool] = mapped_column(Boolean, default=False)
    veteran_family: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner = relationship("User")
    street = relationship("Jurisdiction")
    members: Mapped[list[Member]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="Member.position"
    )
    documents: Mapped[list[Document]] = relationship(back_populates="household", cascade="all, delete-orphan")

    @property
    def main_applicant(self) -> Optional[Member]:
        return next((m for m in self.members if m.relation == "self"), None)


class Member(db.Model):
    __tablename__ = "member"
    __table_args__ = (
        UniqueConstraint("household_id", "id_number", name="uq_member_household_id_number"),
        CheckConstraint("income_month >= 0", name="income_non_negative"),
        CheckConstraint("relation IN ('self', 'spouse', 'child', 'parent', 'other')", name="relation"),
        CheckConstraint("length(id_number) = 18", name="id_number_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    relation: Mapped[str] = mapped_column(String(16))
    birth_date: Mapped[date] = mapped_column(Date)
    disability: Mapped[bool] = mapped_column(Boolean, default=False)
    income_month: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    employed_locally: Mapped[bool] = mapped_column(Boolean, default=False)
    social_insurance_local: Mapped[bool] = mapped_column(Boolean, default=False)
    talent_category: Mapped[Optional[str]] = mapped_column(String(32))
    owns_home_in_city: Mapped[bool] = mapped_column(Boolean, default=False)

    household: Mapped[Household] = relationship(back_populates="members")


class Document(db.Model):
    """An uploaded proof. Stored under a random name; the applicant's file name is kept only as data."""

    __tablename__ = "document"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[Optional[int]] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)

    household: Mapped[Household] = relationship(back_populates="documents")
