"""Street, district and bureau review through the test client: transitions, refusals, bad input, audit."""
from __future__ import annotations

from datetime import date

from housing_security.extensions import db
from housing_security.models import InfoRequest
from tests.services.helpers import audits, events, get, new_case


def test_inbox_shows_only_own_street_with_counts_and_deadlines(app, login_as, page_get):
    with app.app_context():
        mine = new_case("street_review", review_due_on=date(2020, 1, 6))
        other = new_case("street_review", street_code="liuxiang")
        mine_ref, other_ref = get(mine).reference, get(other).reference
    client = login_as("wangqiang")
    html = page_get(client, "/cases/")
    assert mine_ref in html and other_ref not in html
    assert "sla-overdue" in html and "逾期" in html
    assert "街道审核中" in html  # the per-status counts
    html = page_get(client, "/cases/?due=overdue&sort=reference&dir=desc")
    assert mine_ref in html
    html = page_get(client, f"/cases/?q={mine_ref}&status=street_review")
    assert mine_ref in html


def test_csv_export_is_the_filtered_table(app, login_as):
    with app.app_context():
        case_id = new_case("street_review", review_due_on=date(2020, 1, 6))
        reference = get(case_id).reference
        main = get(case_id).household.main_applicant
        full_id, name = main.id_number, main.name
    client = login_as("wangqiang")
    response = client.get(f"/cases/export.csv?q={reference}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    lines = text.lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("编号,申请人,身份证号")
    assert len(lines) == 2 and lines[1].startswith(f"{reference},{name},")
    assert full_id not in text and "街道审核中" in text
    with app.app_context():
        assert audits("cases.export")[-1].detail["rows"] == 1


def test_case_view_shows_rules_members_masked_and_actions(app, login_as, page_get):
    with app.app_context():
        case_id = new_case("street_review")
        full_id = get(case_id).household.main_applicant.id_number
    html = page_get(login_as("wangqiang"), f"/cases/{case_id}")
    assert "income_limit" in html and "资格核算结果" in html
    assert full_id not in html
    assert "推荐通过" in html and "退回补充材料" in html and "不予通过" in html


def test_case_outside_street_district_or_city_is_404(app, login_as):
    with app.app_context():
        case_id = new_case("street_review", street_code="liuxiang")
    assert login_as("wangqiang").get(f"/cases/{case_id}").status_code == 404
    assert login_as("xiaodian_reviewer").get(f"/cases/{case_id}").status_code == 404
    assert login_as("datong_officer").get(f"/cases/{case_id}").status_code == 404
    assert login_as("wangqiang").post(f"/cases/{case_id}/advance").status_code == 404
    assert login_as("liuchu").get(f"/cases/{case_id}").status_code == 200


def test_applicant_and_admin_get_403(app, login_as):
    with app.app_context():
        case_id = new_case("street_review")
    for username in ("lixiulan", "admin"):
        client = login_as(username)
        assert client.get(f"/cases/{case_id}").status_code == 403
        assert client.post(f"/cases/{case_id}/advance").status_code == 403
        assert client.post(f"/cases/{case_id}/reject", data={"reject-reasons": "x" * 20}).status_code == 403
    with app.app_context():
        assert get(case_id).status == "street_review"


def test_reveal_id_number_is_a_post_and_audited(app, login_as):
    with app.app_context():
        case_id = new_case("street_review")
        member = get(case_id).household.main_applicant
        member_id, full_id = member.id, member.id_number
    client = login_as("wangqiang")
    assert client.get(f"/cases/{case_id}/members/{member_id}/reveal").status_code == 405
    response = client.post(f"/cases/{case_id}/members/{member_id}/reveal")
    assert response.status_code == 200 and full_id in response.get_data(as_text=True)
    with app.app_context():
        row = audits("member.reveal_id_number", member_id)[-1]
        assert row.detail["application_id"] == case_id and row.actor_id is not None


def test_request_info_returns_the_case_with_the_exact_message(app, login_as):
    with app.app_context():
        case_id = new_case("street_review")
    message = "请重新上传户口簿本人页的清晰照片。"
    response = login_as("wangqiang").post(f"/cases/{case_id}/request-info", data={"info-message": message})
    assert response.status_code == 302
    with app.app_context():
        case = get(case_id)
        assert case.status == "returned"
        assert db.session.query(InfoRequest).filter_by(application_id=case_id).one().message == message
        assert events(case_id)[-1].action == "request_info" and events(case_id)[-1].reason == message
        assert audits("application.request_info", case_id)


def test_request_info_without_message_is_a_field_error(app, login_as):
    with app.app_context():
        case_id = new_case("street_review")
    response = login_as("wangqiang").post(f"/cases/{case_id}/request-info", data={"info-message": ""})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="info-message-error"' in html and "此项为必填项" in html
    with app.app_context():
        assert get(case_id).status == "street_review" and not events(case_id)


def test_street_recommends_to_district_then_bureau_approves_to_publicity(app, login_as):
    with app.app_context():
        case_id = new_case("street_review")
    assert login_as("wangqiang").post(f"/cases/{case_id}/advance", data={"advance-note": "材料齐全"}).status_code == 302
    with app.app_context():
        case = get(case_id)
        assert case.status == "district_review" and case.review_due_on > date.today()
    # The street can no longer act: a clear message, no change.
    response = login_as("wangqiang").post(f"/cases/{case_id}/advance", follow_redirects=True)
    assert "不在您的审核环节" in response.get_data(as_text=True)
    assert login_as("xiaodian_reviewer").post(f"/cases/{case_id}/advance").status_code == 302
    with app.app_context():
        assert get(case_id).status == "bureau_review"
    assert login_as("liuchu").post(f"/cases/{case_id}/advance").status_code == 302
    with app.app_context():
        case = get(case_id)
        assert case.status == "publicity" and case.approved_on == date.today()
        assert (case.publicity_until - case.approved_on).days == 10
        assert [e.action for e in events(case_id)] == ["street_recommend", "district_recommend", "approve"]
        for action in ("street_recommend", "district_recommend", "approve"):
            assert audits(f"application.{action}", case_id)


def test_district_review_switched_off_goes_straight_to_bureau(app, login_as, monkeypatch):
    from housing_security.services import review

    real = review.workflow_value
    monkeypatch.setattr(review, "workflow_value", lambda city, name, as_of, default=None:
                        False if name == "district_review_enabled" else real(city, name, as_of, default))
    with app.app_context():
        case_id = new_case("street_review")
    login_as("wangqiang").post(f"/cases/{case_id}/advance")
    with app.app_context():
        assert get(case_id).status == "bureau_review"


def test_reject_needs_written_reasons(app, login_as):
    with app.app_context():
        case_id = new_case("district_review", street_code="yingpan")
    client = login_as("xiaodian_reviewer")
    response = client.post(f"/cases/{case_id}/reject", data={"reject-reasons": "不行"})
    assert response.status_code == 400 and 'id="reject-reasons-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert get(case_id).status == "district_review"
    reasons = "家庭人均月收入超过本市公共租赁住房收入标准。"
    assert client.post(f"/cases/{case_id}/reject", data={"reject-reasons": reasons}).status_code == 302
    with app.app_context():
        assert get(case_id).status == "rejected"
        event = events(case_id)[-1]
        assert event.reason == reasons and event.data["stage"] == "district_review"
        assert audits("application.reject", case_id)[-1].detail["reason"] == reasons


def test_acting_in_the_wrong_state_is_a_message_not_a_500(app, login_as):
    with app.app_context():
        case_id = new_case("waitlist")
    response = login_as("wangqiang").post(f"/cases/{case_id}/reject", data={"reject-reasons": "x" * 20},
                                          follow_redirects=True)
    assert response.status_code == 200 and "不在审核环节" in response.get_data(as_text=True)
    with app.app_context():
        assert get(case_id).status == "waitlist" and not events(case_id)


def test_redecide_reruns_the_engine_and_audits(app, login_as):
    with app.app_context():
        case_id = new_case("street_review")
        get(case_id).decision = None
        db.session.commit()
    assert login_as("wangqiang").post(f"/cases/{case_id}/redecide").status_code == 302
    with app.app_context():
        case = get(case_id)
        assert case.decision["as_of"] == date.today().isoformat()
        assert audits("application.redecide", case_id)


def test_district_and_bureau_inboxes_and_case_views_render(app, login_as, page_get):
    with app.app_context():
        district_case = new_case("district_review", street_code="yingpan")
        publicity_case = new_case("publicity")
        reference = get(district_case).reference
    assert reference in page_get(login_as("xiaodian_reviewer"), "/cases/?status=district_review")
    assert reference not in page_get(login_as("yingze_reviewer"), "/cases/")
    html = page_get(login_as("liuchu"), f"/cases/{publicity_case}")
    assert "结束公示，转入轮候" in html and "推荐通过" not in html


def test_staff_actions_keep_csrf(csrf_app):
    from tests.conftest import csrf_token_from

    client = csrf_app.test_client()
    with csrf_app.app_context():
        case_id = new_case("street_review")
    html = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "wangqiang", "password": "demo-password-2026",
                                "csrf_token": csrf_token_from(html)})
    assert client.post(f"/cases/{case_id}/advance").status_code == 400
    with csrf_app.app_context():
        assert get(case_id).status == "street_review"
