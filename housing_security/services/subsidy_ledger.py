"""The rent-subsidy ledger: one payment line per running subsidy per month, gathered in the city's monthly batch,
approved once by the bureau and exported to the bank.

* A subsidy has a line for every calendar month from the month it starts in to the last month it runs through
  (see `_running`) at its monthly amount, with the hash of the parameter pack that fixed the amount. Stopping a subsidy (housed, exited,
  re-verified ineligible) sets its end to the end of the month it stops in, so no line falls in the next month.
* Lines are written by the daily job `subsidy_ledger` for the month of the day (set-based: one select of the
  subsidies without a line, one bulk insert), so a subsidy started mid-month gets its line the same day; run
  twice, it finds nothing left to write.
* Once a month's batch is approved (audited) it is closed: a subsidy that starts after the approval gets its
  first line in the next month's batch (counted as `late` on the day it is found).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Optional

from sqlalchemy import exists, func, insert, select

from ..extensions import db
from ..models import Application, RentSubsidy, SubsidyBatch, SubsidyPayment, User
from ..models._types import utcnow
from . import audit
from .calendar import end_of_month


class LedgerError(ValueError):
    def __init__(self, field: str, code: str):
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


def month_of(day: date) -> date:
    return day.replace(day=1)


def batch_for(city_code: str, month: date, create: bool = True) -> Optional[SubsidyBatch]:
    month = month_of(month)
    batch = db.session.scalar(select(SubsidyBatch).where(SubsidyBatch.city_code == city_code,
                                                         SubsidyBatch.month == month))
    if batch is None and create:
        batch = SubsidyBatch(city_code=city_code, month=month, status="open", total=Decimal("0"), lines=0)
        db.session.add(batch)
        db.session.flush([batch])
    return batch


def _running(month: date):
    """Subsidies that run through `month`: started by its last day and ending on or after it. A term of twelve
    months from 15 January pays January to December; a subsidy stopped in May (end = 31 May) pays May."""
    return (RentSubsidy.start_on <= end_of_month(month), RentSubsidy.end_on >= end_of_month(month),
            RentSubsidy.status.in_(("active", "stopped", "ended")))


def generate_month(month: date, city_code: Optional[str] = None) -> dict:
    """Write the missing lines of `month` for every city (or one); returns counts."""
    month = month_of(month)
    missing = exists().where(SubsidyPayment.subsidy_id == RentSubsidy.id, SubsidyPayment.month == month)
    query = (select(RentSubsidy.id, RentSubsidy.application_id, RentSubsidy.amount_month, RentSubsidy.trace,
                    Application.city_code, Application.pack_hash)
             .join(Application, RentSubsidy.application_id == Application.id)
             .where(*_running(month), ~missing))
    if city_code:
        query = query.where(Application.city_code == city_code)
    rows = db.session.execute(query).all()
    counts = {"lines": 0, "late": 0, "amount": Decimal("0")}
    by_city: dict[str, list] = {}
    for row in rows:
        by_city.setdefault(row.city_code, []).append(row)
    for city, city_rows in by_city.items():
        batch = batch_for(city, month)
        if batch.status != "open":
            counts["late"] += len(city_rows)
            continue
        values = [{"subsidy_id": r.id, "application_id": r.application_id, "batch_id": batch.id, "month": month,
                   "amount": Decimal(str(r.amount_month)),
                   "pack_hash": str((r.trace or {}).get("pack_hash") or r.pack_hash or "")} for r in city_rows]
        db.session.execute(insert(SubsidyPayment), values)
        _refresh_totals(batch)
        counts["lines"] += len(values)
        counts["amount"] += sum((v["amount"] for v in values), Decimal("0"))
    counts["amount"] = str(counts["amount"])
    return counts


def _refresh_totals(batch: SubsidyBatch) -> None:
    lines, total = db.session.execute(select(func.count(SubsidyPayment.id), func.coalesce(
        func.sum(SubsidyPayment.amount), 0)).where(SubsidyPayment.batch_id == batch.id)).one()
    batch.lines, batch.total = int(lines), Decimal(str(total)).quantize(Decimal("0.01"))
    db.session.flush([batch])


def approve(batch: SubsidyBatch, actor: User) -> SubsidyBatch:
    if batch.status != "open":
        raise LedgerError("batch", "already_approved")
    if not batch.lines:
        raise LedgerError("batch", "empty")
    _refresh_totals(batch)
    batch.status, batch.approved_by_id, batch.approved_at = "approved", actor.id, utcnow()
    audit.record("subsidy_batch.approve", batch, actor=actor, city=batch.city_code, month=batch.month,
                 lines=batch.lines, total=batch.total)
    return batch


def lines(batch: SubsidyBatch) -> list[SubsidyPayment]:
    return list(db.session.scalars(select(SubsidyPayment).where(SubsidyPayment.batch_id == batch.id)
                                   .order_by(SubsidyPayment.id)))


def month_total(city_code: str, month: date) -> Optional[SubsidyBatch]:
    """The city's batch of `month` (lines and total) for the dashboard; None before its first line."""
    return batch_for(city_code, month, create=False)
