"""Rent roll, a tenancy's page (payment, notice, inspection, trigger), the bank import and the caseworker's
tasks through real HTTP: field errors, scope (another city's officer gets 404), roles."""
from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, CaseTask, RentPayment, Tenancy, Unit
from housing_security.services import rent_roll
from tests.conftest import login
from tests.services.helpers import new_case


def _let(app) -> tuple[int, str]:
    with app.app_context():
        case_id = new_case("housed")
        unit = db.session.scalar(select(Unit).where(Unit.programme == "public_rental", Unit.status == "vacant")
                                 .order_by(Unit.id))
        unit.status = "occupied"
        start = date.today().replace(day=1) - timedelta(days=62)
        tenancy = Tenancy(application_id=case_id, unit_id=unit.id, start_on=start, keys_on=start,
                          end_on=start.replace(year=start.year + 5), rent_month=Decimal("480"), status="active",
                          rent_basis="public_rental_rent", rent_trace={})
        db.session.add(tenancy)
        db.session.commit()
        for back in (2, 1, 0):
            rent_roll.generate_charges(date.today().replace(day=1) - timedelta(days=31 * back), "taiyuan")
        db.session.commit()
        return tenancy.id, db.session.get(Application, case_id).reference


def test_rent_roll_payment_import_and_move_out(app, page_get):
    tenancy_id, reference = _let(app)
    client = app.test_client()
    login(client, "liuchu")
    html = page_get(client, "/bureau/rent/")
    assert reference in html and "租金台账" in html
    html = page_get(client, f"/bureau/rent/tenancy/{tenancy_id}")
    assert "欠缴" in html
    response = client.post(f"/bureau/rent/tenancy/{tenancy_id}/payment",
                           data={"amount": "-3", "paid_on": "2026-02-30", "reference": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "金额须大于 0" in body and "请按 年-月-日 格式填写日期" in body
    assert client.post(f"/bureau/rent/tenancy/{tenancy_id}/payment", data={
        "amount": "480", "paid_on": date.today().isoformat(), "reference": "HAND-1"}).status_code == 302
    duplicate = client.post(f"/bureau/rent/tenancy/{tenancy_id}/payment", data={
        "amount": "480", "paid_on": date.today().isoformat(), "reference": "HAND-1"})
    assert duplicate.status_code == 400 and "该流水号已登记" in duplicate.get_data(as_text=True)
    bad = "申请编号,日期,金额,流水号\nNOPE,2026-01-01,5,X\n".encode("gbk")
    response = client.post("/bureau/rent/import", data={"file": (io.BytesIO(bad), "bank.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "找不到该申请编号的租赁合同" in response.get_data(as_text=True)
    good = f"申请编号,日期,金额,流水号\n{reference},{date.today().isoformat()},480,BANK-7\n".encode("gbk")
    assert client.post("/bureau/rent/import", data={"file": (io.BytesIO(good), "bank.csv")},
                       content_type="multipart/form-data").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(RentPayment).where(RentPayment.reference == "BANK-7")).source == "bank"
    assert client.post(f"/bureau/rent/tenancy/{tenancy_id}/trigger", data={"kind": "sublet"}).status_code == 302
    today = date.today()
    response = client.post(f"/bureau/rent/tenancy/{tenancy_id}/notice", data={
        "move_out_on": (today + timedelta(days=5)).isoformat(), "inspection_on": today.isoformat()})
    assert response.status_code == 400 and "验房日期不能早于搬离日期" in response.get_data(as_text=True)
    assert client.post(f"/bureau/rent/tenancy/{tenancy_id}/notice", data={
        "move_out_on": (today + timedelta(days=5)).isoformat(),
        "inspection_on": (today + timedelta(days=6)).isoformat()}).status_code == 302
    assert client.post(f"/bureau/rent/tenancy/{tenancy_id}/inspection", data={
        "inspected_on": (today + timedelta(days=6)).isoformat(), "repairs": ""}).status_code == 302
    with app.app_context():
        tenancy = db.session.get(Tenancy, tenancy_id)
        assert tenancy.status == "ended" and tenancy.unit.status == "vacant"
    outsider = app.test_client()
    login(outsider, "datong_officer")
    assert outsider.get(f"/bureau/rent/tenancy/{tenancy_id}").status_code == 404
    # the street caseworker of the case sees the sublet task and closes it with an outcome
    with app.app_context():
        task = db.session.scalar(select(CaseTask).where(CaseTask.tenancy_id == tenancy_id))
        task_id = task.id
    worker = app.test_client()
    login(worker, "wangqiang")
    assert "转借、转租或擅自调换" in page_get(worker, "/cases/tasks/")
    worker.post(f"/cases/tasks/{task_id}/close", data={"outcome": ""})
    assert worker.post(f"/cases/tasks/{task_id}/close", data={"outcome": "上门核实，确为本人居住。"}).status_code == 302
    with app.app_context():
        assert db.session.get(CaseTask, task_id).status == "done"
