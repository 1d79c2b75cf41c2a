"""The bureau's contracts desk: sign, keys, release through real HTTP; bad dates answered on the field."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, Offer, Tenancy, Unit
from housing_security.services import offers
from tests.conftest import login
from tests.services.helpers import get, new_case, user


def _awaiting(app) -> tuple[int, int]:
    with app.app_context():
        case_id = new_case("offered", owner="lixiulan")
        unit = db.session.scalar(select(Unit).where(Unit.programme == "public_rental", Unit.status == "vacant")
                                 .order_by(Unit.id))
        unit.status = "offered"
        offer = Offer(application_id=case_id, unit_id=unit.id, respond_by=date.today() + timedelta(days=7))
        db.session.add(offer)
        db.session.commit()
        offers.accept(offer, user("lixiulan"))
        db.session.commit()
        return case_id, unit.id


def test_sign_and_keys_through_the_desk(app, page_get):
    case_id, unit_id = _awaiting(app)
    client = app.test_client()
    login(client, "liuchu")
    html = page_get(client, "/bureau/contracts/")
    assert "登记签约" in html
    response = client.post(f"/bureau/contracts/{case_id}/sign", data={f"c{case_id}-start_on": "2026-13-01"})
    assert response.status_code == 400 and "请按 年-月-日 格式填写日期" in response.get_data(as_text=True)
    response = client.post(f"/bureau/contracts/{case_id}/sign", data={f"c{case_id}-start_on": "2000-01-01"})
    assert response.status_code == 400 and "合同起始日期不能早于接受配租的日期" in response.get_data(as_text=True)
    start = date.today().isoformat()
    assert client.post(f"/bureau/contracts/{case_id}/sign", data={f"c{case_id}-start_on": start}).status_code == 302
    with app.app_context():
        tenancy = db.session.scalar(select(Tenancy).where(Tenancy.application_id == case_id))
        tenancy_id = tenancy.id
        assert tenancy.status == "signed"
    assert "租赁合同摘要" in page_get(client, f"/bureau/contracts/tenancy/{tenancy_id}")
    assert client.post(f"/bureau/contracts/{case_id}/keys", data={f"k{case_id}-keys_on": start}).status_code == 302
    with app.app_context():
        assert get(case_id).status == "housed" and db.session.get(Unit, unit_id).status == "occupied"
    # the applicant's status page now shows the next re-verification date, not "—"
    applicant = app.test_client()
    login(applicant, "lixiulan")
    html = page_get(applicant, f"/me/applications/{case_id}")
    assert "下次年审：—" not in html and "下次年审" in html


def test_release_needs_a_reason_and_officers_elsewhere_see_nothing(app, page_get):
    case_id, unit_id = _awaiting(app)
    outsider = app.test_client()
    login(outsider, "datong_officer")
    assert outsider.post(f"/bureau/contracts/{case_id}/release", data={f"r{case_id}-reason": "未到场签约"}
                         ).status_code == 404
    client = app.test_client()
    login(client, "liuchu")
    response = client.post(f"/bureau/contracts/{case_id}/release", data={f"r{case_id}-reason": ""})
    assert response.status_code == 400 and "此项为必填项" in response.get_data(as_text=True)
    assert client.post(f"/bureau/contracts/{case_id}/release",
                       data={f"r{case_id}-reason": "两次预约均未到场"}).status_code == 302
    with app.app_context():
        assert db.session.get(Application, case_id).status == "waitlist"
        assert db.session.get(Unit, unit_id).status == "vacant"


def test_a_talent_property_home_is_sold_through_the_desk(app, page_get):
    from decimal import Decimal

    with app.app_context():
        case_id = new_case("offered", programme="talent", owner="lixiulan", tenure="shared_ownership")
        unit = db.session.scalar(select(Unit).where(Unit.programme == "talent", Unit.status == "vacant")
                                 .order_by(Unit.id))
        unit.status, unit.tenure, unit.area_m2 = "offered", "shared_ownership", Decimal("100")
        unit.building.project.cost_per_m2 = Decimal("5000")
        offer = Offer(application_id=case_id, unit_id=unit.id, respond_by=date.today() + timedelta(days=7))
        db.session.add(offer)
        db.session.commit()
        offers.accept(offer, user("lixiulan"))
        db.session.commit()
    client = app.test_client()
    login(client, "liuchu")
    assert "登记购房合同" in page_get(client, "/bureau/contracts/")
    response = client.post(f"/bureau/contracts/{case_id}/purchase",
                           data={f"p{case_id}-work_started_on": (date.today() + timedelta(days=9)).isoformat()})
    assert response.status_code == 400 and "工作起始日期不能晚于今天" in response.get_data(as_text=True)
    assert client.post(f"/bureau/contracts/{case_id}/purchase",
                       data={f"p{case_id}-work_started_on": "2024-03-01"}).status_code == 302
    assert "500,000.00" in page_get(client, "/bureau/contracts/") or "500000" in page_get(client, "/bureau/contracts/")
