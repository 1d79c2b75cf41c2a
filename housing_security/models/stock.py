"""Keeping the housing stock: bulk imports of units (with their validation report) and units kept in maintenance
past their expected return date."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, utcnow


class StockImport(db.Model):
    """One bulk import of units from a CSV or XLSX file: what was written and the validation report of the rows
    that were refused (kept when the officer chose to import only the valid rows)."""

    __tablename__ = "stock_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_code: Mapped[str] = mapped_column(String(32), index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "all": every row was valid; "valid_rows": the officer chose to import the valid rows only.
    mode: Mapped[str] = mapped_column(String(16), default="all")
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_imported: Mapped[int] = mapped_column(Integer, default=0)
    projects_created: Mapped[int] = mapped_column(Integer, default=0)
    buildings_created: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[list] = mapped_column(JSON, default=list)

    actor = relationship("User")


class MaintenanceOverdue(db.Model):
    """A unit still in maintenance after its expected return date, flagged for the bureau by the daily job (one
    row per unit and expected date, so the job is idempotent); resolved when the unit leaves maintenance or its
    expected return date is moved."""

    __tablename__ = "maintenance_overdue"
    __table_args__ = (UniqueConstraint("unit_id", "expected_on", name="uq_maintenance_overdue_unit_expected"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    expected_on: Mapped[date] = mapped_column(Date)
    flagged_on: Mapped[date] = mapped_column(Date, index=True)
    resolved_on: Mapped[Optional[date]] = mapped_column(Date, index=True)

    unit = relationship("Unit")
