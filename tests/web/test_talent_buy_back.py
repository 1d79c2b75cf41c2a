"""The bureau's page of a talent property home: may it be resold now (plan box 1), and the buy-back of a
shared-ownership home at the cost price at transfer (plan box 1), through real HTTP, with every refusal."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Offer, Tenancy, Unit
from housing_security.services import contracts, offers
from tests.conftest import login
from tests.services.helpers import audits, get, new_case, user


def _housed_owner(app, tenure: str, work_years_ago: int = 1) -> tuple[int, int, int]:
    """A talent household that bought its home `tenure` and got the keys today: (case, unit, tenancy)."""
    with app.app_context():
        case_id = new_case("offered", programme="talent", owner="lixiulan", tenure=tenure)
        unit = db.session.scalar(select(Unit).where(Unit.programme == "talent", Unit.status == "vacant")
                                 .order_by(Unit.id))
        unit.status, unit.tenure, unit.area_m2 = "offered", tenure, Decimal("100")
        unit.building.project.cost_per_m2 = Decimal("6000")
        offer = Offer(application_id=case_id, unit_id=unit.id, respond_by=date.today() + timedelta(days=7))
        db.session.add(offer)
        db.session.commit()
        offers.accept(offer, user("lixiulan"))
        officer = user("liuchu")
        tenancy = contracts.record_purchase(get(case_id), officer,
                                            date.today() - timedelta(days=365 * work_years_ago))
        contracts.hand_over_keys(tenancy, officer, date.today())
        db.session.commit()
        return case_id, unit.id, tenancy.id


def _form(**values) -> dict:
    data = {"transfer_on": date.today().isoformat(), "reason": "购房人调离本市，申请政府回购", "confirm": "y"}
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def test_buy_back_shows_price_basis_and_is_recorded(app, page_get):
    case_id, unit_id, tenancy_id = _housed_owner(app, "shared_ownership")
    client = app.test_client()
    login(client, "liuchu")
    # the case page leads to it
    assert f"/bureau/contracts/{case_id}/buy-back" in page_get(client, f"/cases/{case_id}")
    html = page_get(client, f"/bureau/contracts/{case_id}/buy-back")
    assert "现在不可以。" in html and "回购价格" in html and "600,000.00" in html.replace("¥", "")
    assert "规划" in html and "登记回购" in html
    # bad input: the field says what is wrong, nothing is written
    for data, message in (
        (_form(transfer_on="2026-13-01"), "请按 年-月-日 格式填写日期"),
        (_form(transfer_on=(date.today() + timedelta(days=1)).isoformat()), "转让日期不能晚于今天"),
        (_form(transfer_on=(date.today() - timedelta(days=1)).isoformat()), "转让日期不能早于购房（入住）日期"),
        (_form(reason=""), "此项为必填项"),
        (_form(confirm=None), "请勾选确认后再提交"),
    ):
        response = client.post(f"/bureau/contracts/{case_id}/buy-back", data=data)
        assert response.status_code == 400, message
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert get(case_id).status == "housed" and not audits("talent.buy_back", tenancy_id)
    response = client.post(f"/bureau/contracts/{case_id}/buy-back", data=_form())
    assert response.status_code == 302
    with app.app_context():
        assert get(case_id).status == "exited"
        assert db.session.get(Unit, unit_id).status == "vacant"
        assert db.session.get(Tenancy, tenancy_id).status == "ended"
        rows = audits("talent.buy_back", tenancy_id)
        assert rows and rows[-1].detail["reason"] == "购房人调离本市，申请政府回购"
    html = page_get(client, f"/bureau/contracts/{case_id}/buy-back")
    assert "已登记回购" in html and "购房人调离本市" in html
    assert 'name="transfer_on"' not in html  # nothing more to record
    # the household sees it on its status page
    owner = app.test_client()
    login(owner, "lixiulan")
    html = page_get(owner, f"/me/applications/{case_id}")
    assert "已登记回购" in html and "600000.00" in html
    # a second buy-back is refused: the household is no longer housed
    response = client.post(f"/bureau/contracts/{case_id}/buy-back", data=_form())
    assert response.status_code == 400


def test_full_property_is_not_bought_back_and_shows_the_resale_lock(app, page_get):
    case_id, _unit_id, tenancy_id = _housed_owner(app, "full_property", work_years_ago=6)
    client = app.test_client()
    login(client, "liuchu")
    html = page_get(client, f"/bureau/contracts/{case_id}/buy-back")
    assert "可以。" in html and "完全产权型人才住房期满后" in html
    assert 'name="transfer_on"' not in html
    response = client.post(f"/bureau/contracts/{case_id}/buy-back", data=_form())
    assert response.status_code == 400
    assert "该家庭未持有共有产权型人才住房" in response.get_data(as_text=True)
    with app.app_context():
        assert get(case_id).status == "housed" and not audits("talent.buy_back", tenancy_id)


def test_a_case_without_a_property_home_is_refused(app, page_get):
    with app.app_context():
        case_id = new_case("waitlist", owner="lixiulan")
    client = app.test_client()
    login(client, "liuchu")
    assert "该家庭目前未持有产权型人才住房" in page_get(client, f"/bureau/contracts/{case_id}/buy-back")
    response = client.post(f"/bureau/contracts/{case_id}/buy-back", data=_form())
    assert response.status_code == 400
    assert "该家庭未持有共有产权型人才住房" in response.get_data(as_text=True)


def test_other_city_gets_404_and_other_roles_403(app):
    case_id, _unit_id, tenancy_id = _housed_owner(app, "shared_ownership")
    outsider = app.test_client()
    login(outsider, "datong_officer")
    assert outsider.get(f"/bureau/contracts/{case_id}/buy-back").status_code == 404
    assert outsider.post(f"/bureau/contracts/{case_id}/buy-back", data=_form()).status_code == 404
    for username in ("lixiulan", "wangqiang", "xiaodian_reviewer", "ty_admin"):
        client = app.test_client()
        login(client, username)
        assert client.get(f"/bureau/contracts/{case_id}/buy-back").status_code == 403, username
        assert client.post(f"/bureau/contracts/{case_id}/buy-back", data=_form()).status_code == 403, username
    with app.app_context():
        assert get(case_id).status == "housed" and not audits("talent.buy_back", tenancy_id)
