"""Justified declines: the household ticks a listed reason, the street caseworker reviews it on the case page;
only unjustified declines count towards the city's decline limit."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, ApplicationEvent, AuditLog, Offer, User

from .test_applicant_status import make_offer, submit


@pytest.fixture
def waiting(app, filled):
    client, application_id = filled
    submit(client, application_id)
    return client, application_id


def _review_url(application_id, offer_id):
    return f"/cases/{application_id}/offers/{offer_id}/decline-review"


def _review(client, application_id, offer_id, decision, note):
    prefix = f"decline-{offer_id}"
    return client.post(_review_url(application_id, offer_id),
                       data={f"{prefix}-decision": decision, f"{prefix}-note": note})


def test_status_page_lists_the_citys_justified_reasons(app, waiting, page_get):
    client, application_id = waiting
    make_offer(app, application_id)
    html = page_get(client, f"/me/applications/{application_id}")
    assert 'name="justified_reason"' in html and 'value="medical_need"' in html
    assert "房源不满足有证明的医疗或无障碍需要" in html and "不属于所列正当理由" in html


def test_justified_decline_confirmed_does_not_count_or_suspend(app, waiting, login_as, page_get):
    client, application_id = waiting
    # one unjustified decline already; the limit is two
    offer_id, _unit = make_offer(app, application_id, declines=1)
    response = client.post(f"/me/offers/{offer_id}/decline",
                           data={"reason": "母亲住在城东需每日照料，新房源单程两小时", "justified_reason": "family_care"})
    assert response.status_code == 302
    with app.app_context():
        application = db.session.get(Application, application_id)
        offer = db.session.get(Offer, offer_id)
        assert application.status == "waitlist" and application.declines == 1  # awaiting review: not counted
        assert offer.status == "declined" and offer.decline_justified is None
        event = application.events[-1]
        assert event.action == "decline_offer" and event.data["claimed"] == "family_care"
        assert event.data["counted"] is False

    worker = login_as("wangqiang")
    html = page_get(worker, f"/cases/{application_id}")
    assert "拒绝配租" in html and "房源远离需要照料的家庭成员" in html and "待审核，暂不计入" in html
    response = _review(worker, application_id, offer_id, "justified", "已核实母亲的病历和居住证明，确需照料。")
    assert response.status_code == 302
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application.status == "waitlist" and application.declines == 1
        assert db.session.get(Offer, offer_id).decline_justified is True
        event = application.events[-1]
        assert (event.action, event.from_status, event.to_status) == ("decline_reviewed", "waitlist", "waitlist")
        assert event.reason == "已核实母亲的病历和居住证明，确需照料。" and event.data["justified"] is True
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "offer.decline_review",
                                                         AuditLog.object_id == str(offer_id)))
        assert audit is not None and audit.detail["justified"] is True and audit.detail["declines"] == 1
        worker_id = db.session.scalar(select(User.id).where(User.username == "wangqiang"))
        assert audit.actor_id == worker_id
    html = page_get(worker, f"/cases/{application_id}")
    assert "有正当理由，不计入" in html


def test_claimed_reason_found_unjustified_counts_and_suspends(app, waiting, login_as):
    client, application_id = waiting
    offer_id, _unit = make_offer(app, application_id, declines=1)
    client.post(f"/me/offers/{offer_id}/decline", data={"reason": "楼层太高", "justified_reason": "medical_need"})
    worker = login_as("wangqiang")
    assert _review(worker, application_id, offer_id, "unjustified",
                   "未能提供任何医疗证明，楼层符合规定。").status_code == 302
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application.status == "suspended" and application.declines == 2
        event = application.events[-1]
        assert (event.action, event.from_status, event.to_status) == ("decline_reviewed", "waitlist", "suspended")
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "application.decline_reviewed",
                                                        AuditLog.object_id == str(application_id)))


def test_marking_a_counted_decline_justified_lifts_the_suspension(app, waiting, login_as):
    client, application_id = waiting
    offer_id, _unit = make_offer(app, application_id, declines=1)
    client.post(f"/me/offers/{offer_id}/decline", data={"reason": "孩子学校太远"})
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application.status == "suspended" and application.declines == 2
    worker = login_as("wangqiang")
    assert _review(worker, application_id, offer_id, "justified",
                   "核实孩子就读学校距房源单程超过两小时。").status_code == 302
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application.status == "waitlist" and application.declines == 1
        event = application.events[-1]
        assert (event.action, event.from_status, event.to_status) == ("decline_reviewed", "suspended", "waitlist")
        assert event.actor.username == "wangqiang"


def test_bad_input_gives_field_messages_and_saves_nothing(app, waiting, login_as):
    client, application_id = waiting
    offer_id, _unit = make_offer(app, application_id)
    # an unlisted reason code is refused with a message; the offer stays pending
    response = client.post(f"/me/offers/{offer_id}/decline", data={"reason": "太远", "justified_reason": "bogus"},
                           follow_redirects=True)
    assert "请从所列正当理由中选择" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Offer, offer_id).status == "pending"
    client.post(f"/me/offers/{offer_id}/decline", data={"reason": "太远", "justified_reason": "school_or_work"})
    worker = login_as("wangqiang")
    with app.app_context():
        events = db.session.query(ApplicationEvent).filter_by(application_id=application_id).count()
    response = _review(worker, application_id, offer_id, "", "")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请选择审核结论。" in html and "此项为必填项。" in html
    response = _review(worker, application_id, offer_id, "justified", "太短")
    assert response.status_code == 400 and "请填写 10 至 2000 个字。" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Offer, offer_id).decline_justified is None
        assert db.session.query(ApplicationEvent).filter_by(application_id=application_id).count() == events
        assert not db.session.scalar(select(AuditLog).where(AuditLog.action == "offer.decline_review"))


def test_only_the_street_caseworker_of_the_case_reviews(app, waiting, login_as):
    client, application_id = waiting
    offer_id, _unit = make_offer(app, application_id)
    client.post(f"/me/offers/{offer_id}/decline", data={"reason": "太远", "justified_reason": "school_or_work"})
    note = "已核实单程通勤超过两小时，属实。"
    other_street = login_as("liuxiang_worker")
    assert _review(other_street, application_id, offer_id, "justified", note).status_code == 404
    assert other_street.get(f"/cases/{application_id}").status_code == 404
    assert _review(login_as("liuchu"), application_id, offer_id, "justified", note).status_code == 403
    assert _review(client, application_id, offer_id, "justified", note).status_code == 403
    # an offer of another case, or one not declined, is not found
    second, _unit = make_offer(app, application_id)
    assert _review(login_as("wangqiang"), application_id, second, "justified", note).status_code == 404
    with app.app_context():
        assert db.session.get(Offer, offer_id).decline_justified is None
        assert not db.session.scalar(select(AuditLog).where(AuditLog.action == "offer.decline_review"))
