"""Tenancies after the keys: charges, payments (by hand and from a bank CSV), arrears with ageing, the arrears
exit trigger as a caseworker task, renewal on re-verification, move-out with inspection."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from housing_security.extensions import db
from housing_security.models import CaseTask, RentCharge, RentPayment, Tenancy, Unit
from housing_security.services import daily, rent_roll, reverification
from housing_security.services.contracts import contract_end
from housing_security.services.rent_roll import TenancyError

from .helpers import audits, get, new_case, user


def _tenancy(start: date, rent="500.00", end: date | None = None) -> Tenancy:
    case_id = new_case("housed")
    unit = db.session.scalar(select(Unit).where(Unit.programme == "public_rental", Unit.status == "vacant")
                             .order_by(Unit.id))
    unit.status = "occupied"
    tenancy = Tenancy(application_id=case_id, unit_id=unit.id, start_on=start, keys_on=start,
                      end_on=end or start.replace(year=start.year + 5), rent_month=Decimal(rent), status="active",
                      rent_basis="public_rental_rent", rent_trace={})
    db.session.add(tenancy)
    db.session.commit()
    return tenancy


def test_charges_payments_arrears_ageing_and_the_arrears_task(app):
    with app.app_context():
        officer = user("liuchu")
        tenancy = _tenancy(date(2035, 1, 10))
        for month in range(1, 9):
            daily.run_daily(date(2035, month, 2), "taiyuan", only=["rent_roll"])
            daily.run_daily(date(2035, month, 15), "taiyuan", only=["rent_roll"])  # idempotent
        assert db.session.scalar(select(func.count()).select_from(RentCharge).where(
            RentCharge.tenancy_id == tenancy.id)) == 8
        rent_roll.record_payment(tenancy, officer, "1000", date(2035, 2, 5), "B-1")
        with pytest.raises(TenancyError) as error:
            rent_roll.record_payment(tenancy, officer, "10", date(2035, 2, 5), "B-1")
        assert error.value.code == "duplicate_reference"
        with pytest.raises(TenancyError) as error:
            rent_roll.record_payment(tenancy, officer, "-5", date(2035, 2, 5), "B-2")
        assert error.value.field == "amount"
        db.session.commit()
        balance = rent_roll.balances([tenancy.id], date(2035, 8, 20))[tenancy.id]
        assert balance.charged == Decimal("4000.00") and balance.arrears == Decimal("3000.00")
        assert balance.months_owed == 6  # January and February paid; March to August owed
        assert balance.ageing["3_6"] == Decimal("1500.00") and balance.ageing["0_1"] == Decimal("500.00")
        assert balance.ageing["6_plus"] == Decimal("0")
        result = daily.run_daily(date(2035, 8, 20), "taiyuan", only=["exit_triggers"])
        assert result["exit_triggers"]["raised"] >= 1
        task = db.session.scalar(select(CaseTask).where(CaseTask.tenancy_id == tenancy.id))
        assert task.kind == "arrears" and task.status == "open" and "住建部令第11号" in task.data["citation"]
        again = daily.run_daily(date(2035, 8, 21), "taiyuan", only=["exit_triggers"])
        assert db.session.scalar(select(func.count()).select_from(CaseTask).where(
            CaseTask.tenancy_id == tenancy.id)) == 1 and "error" not in again["exit_triggers"]
        with pytest.raises(TenancyError):
            rent_roll.close_task(task, officer, "  ")
        rent_roll.close_task(task, officer, "已上门催缴，承租人承诺分期补缴。")
        db.session.commit()
        assert audits("case_task.close", task.id)


def test_bank_csv_import_reports_bad_rows_and_writes_nothing_then_imports(app):
    with app.app_context():
        officer = user("liuchu")
        tenancy = _tenancy(date(2036, 1, 1))
        reference = tenancy.application.reference
        bad = ("申请编号,日期,金额,流水号\n"
               f"{reference},2036-02-01,500,S1\n"
               "NOPE,2036-02-01,500,S2\n"
               f"{reference},2036-13-01,500,S3\n"
               f"{reference},2036-02-01,abc,S4\n").encode("gbk")
        report = rent_roll.import_bank_csv(bad, "taiyuan", officer)
        assert [(e["row"], e["column"], e["code"]) for e in report.errors] == [
            (3, "申请编号", "unknown_tenancy"), (4, "日期", "bad_date"), (5, "金额", "amount_invalid")]
        assert not db.session.scalar(select(func.count()).select_from(RentPayment).where(
            RentPayment.tenancy_id == tenancy.id))
        assert rent_roll.import_bank_csv(b"\xff\xfe\x00garbage\x81", "taiyuan", officer).errors[0]["code"] in (
            "undecodable", "missing_column")
        good = ("\ufeff申请编号,日期,金额,流水号\n"
                f"{reference},2036-02-01,500,S1\n{reference},2036/03/01,\"1,000.00\",S2\n").encode()
        report = rent_roll.import_bank_csv(good, "taiyuan", officer)
        db.session.commit()
        assert report.written == 2 and not report.errors
        again = rent_roll.import_bank_csv(good, "taiyuan", officer)
        assert again.written == 0 and again.duplicates == 2


def test_renewal_on_reverification_and_move_out_with_inspection(app):
    with app.app_context():
        officer = user("liuchu")
        today = date.today()
        tenancy = _tenancy(today.replace(year=today.year - 5) + timedelta(days=40), end=today + timedelta(days=40))
        application = get(tenancy.application_id)
        application.next_reverification_on = today
        db.session.commit()
        reverification.reverify(application, today, officer)
        db.session.commit()
        tenancy = db.session.get(Tenancy, tenancy.id)
        assert get(tenancy.application_id).status == "housed"
        assert tenancy.end_on == contract_end(today + timedelta(days=40), 5)
        assert audits("tenancy.renew", tenancy.id)
        with pytest.raises(TenancyError) as error:
            rent_roll.give_notice(tenancy, officer, today + timedelta(days=10), today + timedelta(days=5))
        assert error.value.field == "inspection_on"
        rent_roll.give_notice(tenancy, officer, today + timedelta(days=10), today + timedelta(days=12))
        rent_roll.record_inspection(tenancy, officer, today + timedelta(days=12), repairs="卫生间漏水，需维修",
                                    until=today + timedelta(days=26))
        db.session.commit()
        unit = db.session.get(Unit, tenancy.unit_id)
        assert tenancy.status == "ended" and unit.status == "maintenance" and unit.status_until is not None
        assert get(tenancy.application_id).status == "exited"
