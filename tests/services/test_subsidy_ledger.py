"""The rent-subsidy ledger: one line per running subsidy per month with its pack hash, idempotent, stopped
subsidies end from the next month, approval closes the month."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from housing_security.extensions import db
from housing_security.models import RentSubsidy, SubsidyBatch, SubsidyPayment
from housing_security.services import contracts, daily, subsidy_ledger
from housing_security.services.subsidy_ledger import LedgerError

from .helpers import audits, get, new_case, user


def _subsidy(case_id: int, start: date, end: date, amount="321.50") -> int:
    subsidy = RentSubsidy(application_id=case_id, amount_month=Decimal(amount), start_on=start, end_on=end,
                          trace={"pack_hash": "abc123"})
    db.session.add(subsidy)
    db.session.commit()
    return subsidy.id


def _lines(subsidy_id: int) -> list[date]:
    return list(db.session.scalars(select(SubsidyPayment.month).where(SubsidyPayment.subsidy_id == subsidy_id)
                                   .order_by(SubsidyPayment.month)))


def test_a_twelve_month_subsidy_pays_twelve_months_once_each(app):
    with app.app_context():
        subsidy_id = _subsidy(new_case("subsidised"), date(2031, 1, 15), date(2032, 1, 15))
        for month in range(1, 13):
            daily.run_daily(date(2031, month, 3), "taiyuan", only=["subsidy_ledger"])
            daily.run_daily(date(2031, month, 20), "taiyuan", only=["subsidy_ledger"])  # again: nothing new
        daily.run_daily(date(2032, 1, 20), "taiyuan", only=["subsidy_ledger"])
        assert _lines(subsidy_id) == [date(2031, m, 1) for m in range(1, 13)]
        line = db.session.scalar(select(SubsidyPayment).where(SubsidyPayment.subsidy_id == subsidy_id))
        assert line.amount == Decimal("321.50") and line.pack_hash == "abc123"
        batch = subsidy_ledger.batch_for("taiyuan", date(2031, 1, 1), create=False)
        assert batch.lines >= 1 and batch.total >= Decimal("321.50")


def test_stopping_ends_the_lines_from_the_next_month_and_approval_closes_the_month(app):
    with app.app_context():
        officer = user("liuchu")
        case_id = new_case("subsidised")
        subsidy_id = _subsidy(case_id, date(2033, 1, 1), date(2034, 1, 1))
        subsidy_ledger.generate_month(date(2033, 3, 1), "taiyuan")
        contracts.stop_subsidies(get(case_id), officer, date(2033, 3, 10), cause="housed")
        db.session.commit()
        subsidy_ledger.generate_month(date(2033, 4, 1), "taiyuan")
        assert _lines(subsidy_id) == [date(2033, 3, 1)]
        batch = subsidy_ledger.batch_for("taiyuan", date(2033, 3, 1), create=False)
        subsidy_ledger.approve(batch, officer)
        db.session.commit()
        assert batch.status == "approved" and audits("subsidy_batch.approve", batch.id)
        with pytest.raises(LedgerError) as error:
            subsidy_ledger.approve(batch, officer)
        assert error.value.code == "already_approved"
        # a subsidy starting after the approval waits for the next month's batch
        late = _subsidy(new_case("subsidised"), date(2033, 3, 20), date(2034, 3, 20))
        assert subsidy_ledger.generate_month(date(2033, 3, 25), "taiyuan")["late"] == 1
        assert _lines(late) == [] and db.session.scalar(select(func.count()).select_from(SubsidyPayment).where(
            SubsidyPayment.batch_id == batch.id)) == batch.lines
        empty = SubsidyBatch(city_code="taiyuan", month=date(2040, 1, 1), status="open", total=0, lines=0)
        db.session.add(empty)
        with pytest.raises(LedgerError) as error:
            subsidy_ledger.approve(empty, officer)
        assert error.value.code == "empty"
