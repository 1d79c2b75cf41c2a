"""Review of a rejection (复核): requested by the applicant, decided by a different officer."""
from __future__ import annotations

from datetime import date

from tests.services.helpers import audits, events, get, new_case

REASONS = "家庭人均月收入超过本市公共租赁住房收入标准。"
APPEAL = "我家去年收入计算有误，丈夫已于今年失业，附失业证明。"


def _rejected_by_wangqiang(app, login_as, owner="appeal_owner"):
    with app.app_context():
        case_id = new_case("street_review", owner=owner)
    assert login_as("wangqiang").post(f"/cases/{case_id}/reject", data={"reject-reasons": REASONS}).status_code == 302
    return case_id


def test_applicant_requests_review_of_a_rejection(app, login_as, page_get):
    case_id = _rejected_by_wangqiang(app, login_as)
    client = login_as("appeal_owner")
    html = page_get(client, f"/me/applications/{case_id}/appeal")
    assert REASONS in html and "申请复核的理由" in html
    response = client.post(f"/me/applications/{case_id}/appeal", data={"reason": ""})
    assert response.status_code == 400 and 'id="reason-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert get(case_id).status == "rejected"
    assert client.post(f"/me/applications/{case_id}/appeal", data={"reason": APPEAL}).status_code == 302
    with app.app_context():
        case = get(case_id)
        assert case.status == "appeal" and case.review_due_on > date.today()
        event = events(case_id)[-1]
        assert event.action == "request_appeal" and event.reason == APPEAL
        assert event.data["rejected_at_stage"] == "street_review"
        assert audits("application.request_appeal", case_id)
    # asking twice: a clear message, no second event
    response = client.post(f"/me/applications/{case_id}/appeal", data={"reason": APPEAL}, follow_redirects=True)
    assert "不能办理此操作" in response.get_data(as_text=True)


def test_appeal_route_is_scoped_to_the_owner_and_to_applicants(app, login_as):
    case_id = _rejected_by_wangqiang(app, login_as)
    assert login_as("lixiulan").post(f"/me/applications/{case_id}/appeal", data={"reason": APPEAL}).status_code == 404
    assert login_as("wangqiang").post(f"/me/applications/{case_id}/appeal", data={"reason": APPEAL}).status_code == 403
    with app.app_context():
        assert get(case_id).status == "rejected"


def test_the_officer_who_rejected_may_not_decide_the_appeal(app, login_as, page_get):
    case_id = _rejected_by_wangqiang(app, login_as)
    login_as("appeal_owner").post(f"/me/applications/{case_id}/appeal", data={"reason": APPEAL})
    data = {"appeal-decision": "overturn", "appeal-reason": "申请人提供了失业证明，收入重新核定后符合条件。"}
    response = login_as("wangqiang").post(f"/cases/{case_id}/appeal-decision", data=data, follow_redirects=True)
    assert "以外的工作人员办理" in response.get_data(as_text=True)
    with app.app_context():
        assert get(case_id).status == "appeal"
    html = page_get(login_as("wucheng2"), f"/cases/{case_id}")
    assert "记录复核决定" in html
    bad = login_as("wucheng2").post(f"/cases/{case_id}/appeal-decision", data={"appeal-reason": "同意"})
    assert bad.status_code == 400 and 'id="appeal-decision-error"' in bad.get_data(as_text=True)
    assert login_as("wucheng2").post(f"/cases/{case_id}/appeal-decision", data=data).status_code == 302
    with app.app_context():
        case = get(case_id)
        assert case.status == "street_review" and case.review_due_on
        event = events(case_id)[-1]
        assert event.action == "appeal_overturn" and event.actor.username == "wucheng2"
        assert audits("application.appeal_overturn", case_id)


def test_a_different_officer_upholds_the_rejection(app, login_as):
    case_id = _rejected_by_wangqiang(app, login_as)
    login_as("appeal_owner").post(f"/me/applications/{case_id}/appeal", data={"reason": APPEAL})
    data = {"appeal-decision": "uphold", "appeal-reason": "复核后收入仍超过标准，维持原决定。"}
    # a district reviewer is not the stage that rejected (street) and not the bureau
    response = login_as("xiaodian_reviewer").post(f"/cases/{case_id}/appeal-decision", data=data, follow_redirects=True)
    assert "不在您的办理范围" in response.get_data(as_text=True)
    assert login_as("wucheng2").post(f"/cases/{case_id}/appeal-decision", data=data).status_code == 302
    with app.app_context():
        assert get(case_id).status == "rejected"
        assert events(case_id)[-1].action == "appeal_uphold_rejection"


def test_bureau_overturn_starts_publicity(app, login_as):
    case_id = _rejected_by_wangqiang(app, login_as)
    login_as("appeal_owner").post(f"/me/applications/{case_id}/appeal", data={"reason": APPEAL})
    data = {"appeal-decision": "overturn", "appeal-reason": "经复核，申请人符合保障条件，予以批准。"}
    assert login_as("ty_officer2").post(f"/cases/{case_id}/appeal-decision", data=data).status_code == 302
    with app.app_context():
        case = get(case_id)
        assert case.status == "publicity" and case.approved_on == date.today() and case.publicity_until


def test_deciding_an_appeal_in_the_wrong_state_is_refused(app, login_as):
    with app.app_context():
        case_id = new_case("street_review")
    data = {"appeal-decision": "uphold", "appeal-reason": "维持原决定维持原决定。"}
    response = login_as("wucheng2").post(f"/cases/{case_id}/appeal-decision", data=data, follow_redirects=True)
    assert "不能办理此操作" in response.get_data(as_text=True)
    with app.app_context():
        assert get(case_id).status == "street_review"


def test_the_rejecting_officer_does_not_see_the_review_form(app, login_as, page_get):
    case_id = _rejected_by_wangqiang(app, login_as)
    login_as("appeal_owner").post(f"/me/applications/{case_id}/appeal", data={"reason": APPEAL})
    assert "记录复核决定" not in page_get(login_as("wangqiang"), f"/cases/{case_id}")
    assert "记录复核决定" in page_get(login_as("wucheng2"), f"/cases/{case_id}")


def test_a_rejection_is_reviewed_once(app, login_as, page_get):
    case_id = _rejected_by_wangqiang(app, login_as)
    owner = login_as("appeal_owner")
    owner.post(f"/me/applications/{case_id}/appeal", data={"reason": APPEAL})
    login_as("wucheng2").post(f"/cases/{case_id}/appeal-decision",
                              data={"appeal-decision": "uphold", "appeal-reason": "复核后收入仍超过标准，维持原决定。"})
    html = page_get(owner, f"/me/applications/{case_id}")
    assert "复核已办结，维持原决定。" in html and f"/me/applications/{case_id}/appeal" not in html
    response = owner.post(f"/me/applications/{case_id}/appeal", data={"reason": APPEAL}, follow_redirects=True)
    assert "复核已办结，不能再次申请复核。" in response.get_data(as_text=True)
    with app.app_context():
        assert get(case_id).status == "rejected"
        assert [e.action for e in events(case_id)].count("request_appeal") == 1
