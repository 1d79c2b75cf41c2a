"""Publicity (公示): anonymous objections, the caseworker's resolution, and the end of publicity."""
from __future__ import annotations

from datetime import date, timedelta

from housing_security.extensions import db
from housing_security.models import Objection
from tests.conftest import csrf_token_from
from tests.services.helpers import audits, events, get, new_case


def _objections(case_id):
    return db.session.query(Objection).filter_by(application_id=case_id).all()


def test_public_list_masks_and_links_to_objection_form(app, client, page_get):
    with app.app_context():
        case_id = new_case("publicity")
        case = get(case_id)
        reference, name, full_id = case.reference, case.household.main_applicant.name, case.household.main_applicant.id_number
    html = page_get(client, "/publicity/?city=taiyuan")
    assert reference in html and full_id not in html and name not in html
    assert f"/publicity/{reference}/objection" in html
    html = page_get(client, f"/publicity/{reference}/objection")
    assert "异议内容" in html


def test_anonymous_objection_becomes_a_task_for_the_street(app, client, login_as, page_get):
    with app.app_context():
        case_id = new_case("publicity")
        reference = get(case_id).reference
    content = "该户在小店区有一套住房，登记在户主名下。"
    response = client.post(f"/publicity/{reference}/objection", data={"content": content})
    assert response.status_code == 302
    with app.app_context():
        [objection] = _objections(case_id)
        assert objection.status == "open" and objection.lodged_by_name == "" and objection.content == content
        assert audits("objection.lodge", objection.id)
    html = page_get(login_as("wangqiang"), "/cases/")
    assert "待核查的公示异议" in html and reference in html
    html = page_get(login_as("wangqiang"), "/cases/?objections=open")
    assert reference in html
    html = page_get(login_as("wangqiang"), f"/cases/{case_id}")
    assert content in html and "记录核查结果" in html


def test_objection_bad_input_and_cases_not_in_publicity(app, client):
    with app.app_context():
        case_id = new_case("publicity")
        waiting = new_case("waitlist")
        reference, waiting_ref = get(case_id).reference, get(waiting).reference
    response = client.post(f"/publicity/{reference}/objection", data={"content": "短"})
    assert response.status_code == 400 and 'id="content-error"' in response.get_data(as_text=True)
    assert client.get(f"/publicity/{waiting_ref}/objection").status_code == 404
    assert client.post(f"/publicity/{waiting_ref}/objection", data={"content": "x" * 20}).status_code == 404
    with app.app_context():
        assert not _objections(case_id) and not _objections(waiting)


def test_objection_form_keeps_csrf(csrf_app, page_get):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        reference = get(new_case("publicity")).reference
    html = page_get(client, f"/publicity/{reference}/objection")
    assert client.post(f"/publicity/{reference}/objection", data={"content": "x" * 20}).status_code == 400
    token = csrf_token_from(html)
    response = client.post(f"/publicity/{reference}/objection", data={"content": "x" * 20, "csrf_token": token})
    assert response.status_code == 302


def test_objection_lodging_is_rate_limited(make_app):
    limited = make_app(RATELIMIT_ENABLED=True)
    client = limited.test_client()
    with limited.app_context():
        reference = get(new_case("publicity")).reference
    codes = [client.post(f"/publicity/{reference}/objection", data={"content": "x" * 20}).status_code
             for _ in range(6)]
    assert codes[:5] == [302] * 5 and codes[5] == 429


def test_upheld_objection_rejects_the_case_with_the_outcome(app, client, login_as):
    with app.app_context():
        case_id = new_case("publicity")
        reference = get(case_id).reference
    client.post(f"/publicity/{reference}/objection", data={"content": "该户在小店区有一套住房。", "name": "邻居",
                                                          "contact": "13900000000"})
    with app.app_context():
        objection_id = _objections(case_id)[0].id
    url = f"/cases/{case_id}/objections/{objection_id}"
    prefix = f"objection-{objection_id}"
    # bad input: no decision, short outcome
    response = login_as("wangqiang").post(url, data={f"{prefix}-outcome": "查实"})
    assert response.status_code == 400 and f'id="{prefix}-outcome-error"' in response.get_data(as_text=True)
    # wrong role: the bureau does not resolve objections; another street: 404
    assert login_as("liuchu").post(url, data={f"{prefix}-decision": "upheld", f"{prefix}-outcome": "x" * 20}).status_code == 403
    assert login_as("liuxiang_worker").post(url, data={f"{prefix}-decision": "upheld"}).status_code == 404
    outcome = "经查询不动产登记，该户在小店区有住房一套，异议成立。"
    response = login_as("wangqiang").post(url, data={f"{prefix}-decision": "upheld", f"{prefix}-outcome": outcome})
    assert response.status_code == 302
    with app.app_context():
        case = get(case_id)
        objection = _objections(case_id)[0]
        assert objection.status == "upheld" and objection.outcome == outcome and objection.resolved_by_id
        assert case.status == "rejected"
        assert events(case_id)[-1].action == "objection_upheld" and events(case_id)[-1].reason == outcome
        assert audits("objection.upheld", objection_id) and audits("application.objection_upheld", case_id)


def test_dismissed_objection_keeps_the_case_in_publicity(app, client, login_as):
    with app.app_context():
        case_id = new_case("publicity")
        reference = get(case_id).reference
    client.post(f"/publicity/{reference}/objection", data={"content": "我觉得这户条件不困难。"})
    with app.app_context():
        objection_id = _objections(case_id)[0].id
    prefix = f"objection-{objection_id}"
    login_as("wangqiang").post(f"/cases/{case_id}/objections/{objection_id}",
                               data={f"{prefix}-decision": "dismissed", f"{prefix}-outcome": "经入户核查，情况属实，异议不成立。"})
    with app.app_context():
        assert get(case_id).status == "publicity" and _objections(case_id)[0].status == "dismissed"
        assert not events(case_id)


def test_bureau_ends_publicity_only_after_the_period_and_without_open_objections(app, client, login_as):
    with app.app_context():
        case_id = new_case("publicity")
        reference = get(case_id).reference
    officer = login_as("liuchu")
    response = officer.post(f"/cases/{case_id}/end-publicity", follow_redirects=True)
    assert "期满后才能转入轮候" in response.get_data(as_text=True)
    client.post(f"/publicity/{reference}/objection", data={"content": "该户有车辆和商铺，收入不实。"})
    with app.app_context():
        case = get(case_id)
        case.publicity_until = date.today() - timedelta(days=1)
        db.session.commit()
    response = officer.post(f"/cases/{case_id}/end-publicity", follow_redirects=True)
    assert "未处理的异议" in response.get_data(as_text=True)
    with app.app_context():
        assert get(case_id).status == "publicity"
        objection = _objections(case_id)[0]
        objection.status = "dismissed"
        db.session.commit()
    assert login_as("wangqiang").post(f"/cases/{case_id}/end-publicity").status_code == 403
    assert officer.post(f"/cases/{case_id}/end-publicity").status_code == 302
    with app.app_context():
        case = get(case_id)
        assert case.status == "waitlist" and case.waitlist_since == date.today() and case.queue_rank
        assert audits("application.publicity_ended", case_id)
