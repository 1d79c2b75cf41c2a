"""Re-verification (年审), exit after the buffer, the bulk screen and the commitment early warning."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import RentSubsidy, Tenancy, Unit
from housing_security.services.calendar import add_months
from tests.services.helpers import audits, events, get, new_case


def _housed(app, eligible=True, **fields):
    with app.app_context():
        case_id = new_case("housed", eligible=eligible, **fields)
        unit = db.session.scalar(select(Unit).where(Unit.status == "vacant").limit(1))
        unit.status = "occupied"
        db.session.add(Tenancy(application_id=case_id, unit_id=unit.id, start_on=date.today() - timedelta(days=400),
                               end_on=date.today() + timedelta(days=1400), rent_month=Decimal("250")))
        db.session.commit()
        return case_id, unit.id


def test_due_list_and_bulk_reverification_both_outcomes(app, login_as, page_get):
    due = date.today() - timedelta(days=1)
    ok_id, _ = _housed(app, next_reverification_on=due)
    bad_id, _ = _housed(app, eligible=False, next_reverification_on=due)
    with app.app_context():
        not_due = new_case("housed", next_reverification_on=date.today() + timedelta(days=100))
        refs = {i: get(i).reference for i in (ok_id, bad_id, not_due)}
    client = login_as("liuchu")
    html = page_get(client, "/bureau/reverification")
    assert refs[ok_id] in html and refs[bad_id] in html and refs[not_due] not in html
    response = client.post("/bureau/reverification", data={"ids": [str(ok_id), str(bad_id), str(not_due)]},
                           follow_redirects=True)
    assert "年审完成" in response.get_data(as_text=True)
    with app.app_context():
        ok, bad = get(ok_id), get(bad_id)
        assert ok.status == "housed" and ok.next_reverification_on == add_months(date.today(), 12)
        assert events(ok_id)[-1].action == "reverified" and audits("application.reverified", ok_id)
        assert bad.status == "exiting" and bad.exit_buffer_until == add_months(date.today(), 6)
        assert events(bad_id)[-1].action == "reverification_failed" and events(bad_id)[-1].data["failed_rules"]
        assert get(not_due).status == "housed" and not events(not_due)


def test_exit_after_the_buffer_ends_tenancy_and_frees_the_unit(app, login_as):
    case_id, unit_id = _housed(app, eligible=False)
    with app.app_context():
        case = get(case_id)
        case.status, case.exit_buffer_until = "exiting", date.today() - timedelta(days=1)
        db.session.commit()
    assert login_as("liuchu").post(f"/cases/{case_id}/reverify").status_code == 302
    with app.app_context():
        assert get(case_id).status == "exited"
        tenancy = db.session.scalar(select(Tenancy).where(Tenancy.application_id == case_id))
        assert tenancy.status == "ended" and tenancy.end_on == date.today()
        assert db.session.get(Unit, unit_id).status == "vacant"
        assert audits("application.exit", case_id) and audits("tenancy.end", tenancy.id)


def test_exit_before_the_buffer_ends_is_refused(app, login_as):
    case_id, _ = _housed(app, eligible=False)
    with app.app_context():
        case = get(case_id)
        case.status, case.exit_buffer_until = "exiting", date.today() + timedelta(days=30)
        db.session.commit()
    response = login_as("liuchu").post(f"/cases/{case_id}/reverify", follow_redirects=True)
    assert "退出缓冲期至" in response.get_data(as_text=True)
    with app.app_context():
        assert get(case_id).status == "exiting"


def test_failed_reverification_stops_a_rent_subsidy_from_next_month(app, login_as):
    with app.app_context():
        case_id = new_case("subsidised", eligible=False)
        db.session.add(RentSubsidy(application_id=case_id, amount_month=Decimal("300"), start_on=date.today() - timedelta(days=200),
                                   end_on=date.today() + timedelta(days=165), status="active"))
        db.session.commit()
    login_as("liuchu").post(f"/cases/{case_id}/reverify")
    with app.app_context():
        subsidy = db.session.scalar(select(RentSubsidy).where(RentSubsidy.application_id == case_id))
        assert get(case_id).status == "exiting"
        assert subsidy.status == "stopped" and subsidy.end_on.month == date.today().month
        assert (subsidy.end_on + timedelta(days=1)).day == 1


def test_reverification_is_the_bureau_s_and_within_its_city(app, login_as):
    case_id, _ = _housed(app, next_reverification_on=date.today())
    assert login_as("wangqiang").post(f"/cases/{case_id}/reverify").status_code == 403
    assert login_as("wangqiang").get("/bureau/reverification").status_code == 403
    assert login_as("datong_officer").post(f"/cases/{case_id}/reverify").status_code == 404
    # the bulk action ignores cases outside the officer's city
    login_as("datong_officer").post("/bureau/reverification", data={"ids": [str(case_id)]})
    with app.app_context():
        assert not events(case_id)


def test_bulk_without_selection_is_a_message(app, login_as):
    response = login_as("liuchu").post("/bureau/reverification", data={}, follow_redirects=True)
    assert "请先勾选" in response.get_data(as_text=True)


def test_early_warning_lists_commitment_households_near_their_deadline(app, login_as, page_get):
    today = date.today()
    with app.app_context():
        near = new_case("waitlist", approved_on=add_months(today, -6) + timedelta(days=20))
        far = new_case("waitlist", approved_on=today - timedelta(days=30))
        housed = new_case("housed", approved_on=add_months(today, -6) + timedelta(days=20))
        for case_id in (near, far, housed):
            get(case_id).commitment = True
        db.session.commit()
        refs = {i: get(i).reference for i in (near, far, housed)}
    html = page_get(login_as("liuchu"), "/bureau/early-warning")
    assert refs[near] in html and refs[far] not in html and refs[housed] not in html
    left = (add_months(add_months(today, -6) + timedelta(days=20), 6) - today).days
    assert f"剩 {left} 天" in html
    guard_on = add_months(add_months(today, -6) + timedelta(days=20), 6)
    assert "轮候中，尚未配租" in html and f"每日任务将于 {guard_on.year}年{guard_on.month}月{guard_on.day}日" in html
    assert login_as("wangqiang").get("/bureau/early-warning").status_code == 403


def test_dashboard_still_renders_with_the_new_links(app, login_as, page_get):
    html = page_get(login_as("liuchu"), "/bureau/")
    assert "/bureau/reverification" in html and "/bureau/early-warning" in html
    page_get(login_as("liuchu"), "/bureau/units")
