"""After submission: a returned case answered, offers accepted or declined, the status page and its queue."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, InfoRequest, Notification, Offer, Tenancy, Unit, User
from housing_security.services import transitions

from .conftest_applicant import register, start, submission_token


def submit(client, application_id):
    edit = f"/me/applications/{application_id}/edit"
    token = submission_token(client.get(f"{edit}/check").get_data(as_text=True))
    assert client.post(f"{edit}/submit", data={"token": token}).status_code == 302


@pytest.fixture
def submitted(app, filled):
    client, application_id = filled
    submit(client, application_id)
    return client, application_id


def return_case(app, application_id, message="户口簿本人页照片不清晰，请重新上传。"):
    with app.app_context():
        application = db.session.get(Application, application_id)
        worker = db.session.scalar(select(User).where(User.username == "wangqiang"))
        transitions.move(application, "returned", worker, "request_info", reason=message)
        db.session.add(InfoRequest(application_id=application_id, requested_by_id=worker.id, message=message))
        db.session.commit()


def test_returned_case_shows_what_is_missing_and_resubmits(app, submitted, page_get):
    client, application_id = submitted
    return_case(app, application_id)
    html = page_get(client, f"/me/applications/{application_id}")
    assert "户口簿本人页照片不清晰" in html and "补充材料" in html
    respond = f"/me/applications/{application_id}/edit/respond"
    html = page_get(client, respond)
    assert "户口簿本人页照片不清晰" in html
    # editable again while returned
    assert client.post(f"/me/applications/{application_id}/edit/assets",
                       data={"assets_yuan": "4000"}).status_code == 302
    response = client.post(respond, data={"answer": ""})
    assert response.status_code == 200 and "请说明您补充或修改了什么" in response.get_data(as_text=True)
    response = client.post(respond, data={"answer": "已重新上传清晰的户口簿照片。"})
    assert response.status_code == 302
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application.status == "street_review"
        request = application.info_requests[-1]
        assert request.answer == "已重新上传清晰的户口簿照片。" and request.answered_at is not None
        assert [e.action for e in application.events] == ["submit", "request_info", "resubmit"]
    html = page_get(client, f"/me/applications/{application_id}")
    assert "街道审核，期限" in html


def make_offer(app, application_id, declines=0, respond_in_days=7):
    with app.app_context():
        application = db.session.get(Application, application_id)
        application.status, application.queue_rank, application.declines = "offered", 1, declines
        unit = db.session.scalar(select(Unit).where(Unit.programme == "public_rental", Unit.status == "vacant")
                                 .order_by(Unit.id))
        unit.status = "offered"
        offer = Offer(application_id=application_id, unit_id=unit.id,
                      respond_by=date.today() + timedelta(days=respond_in_days))
        db.session.add(offer)
        db.session.commit()
        return offer.id, unit.id


def test_accept_offer(app, submitted, page_get):
    client, application_id = submitted
    offer_id, unit_id = make_offer(app, application_id)
    html = page_get(client, f"/me/applications/{application_id}")
    assert "配租通知" in html and "接受配租" in html
    # accepting asks for confirmation first: nothing changes on the GET
    html = page_get(client, f"/me/offers/{offer_id}/accept")
    assert "确认接受" in html and "签订租赁合同" in html
    with app.app_context():
        assert db.session.get(Application, application_id).status == "offered"
    assert client.post(f"/me/offers/{offer_id}/accept").status_code == 302
    with app.app_context():
        application = db.session.get(Application, application_id)
        offer = db.session.get(Offer, offer_id)
        assert application.status == "awaiting_contract"
        assert offer.status == "accepted" and offer.appointment_on == date.today() + timedelta(days=7)
        assert db.session.get(Unit, unit_id).status == "awaiting_contract"
        assert db.session.scalar(select(Tenancy).where(Tenancy.application_id == application_id)) is None
    html = page_get(client, f"/me/applications/{application_id}")
    assert "待签约" in html and "签订租赁合同" in html and "配租通知书" in html
    assert "配租通知书" in page_get(client, f"/me/offers/{offer_id}/notice")
    # answering twice is refused with a message, not a 500
    response = client.post(f"/me/offers/{offer_id}/accept", follow_redirects=True)
    assert response.status_code == 200 and "该配租通知已答复" in response.get_data(as_text=True)


def test_decline_offer_then_limit_suspends(app, submitted):
    client, application_id = submitted
    offer_id, unit_id = make_offer(app, application_id)
    response = client.post(f"/me/offers/{offer_id}/decline", data={"reason": ""}, follow_redirects=True)
    assert "请填写拒绝的原因" in response.get_data(as_text=True)
    assert client.post(f"/me/offers/{offer_id}/decline", data={"reason": "离工作地点太远"}).status_code == 302
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application.status == "waitlist" and application.declines == 1
        offer = db.session.get(Offer, offer_id)
        assert offer.status == "declined" and offer.decline_reason == "离工作地点太远"
        assert db.session.get(Unit, unit_id).status == "vacant"
    second, _unit = make_offer(app, application_id, declines=1)
    client.post(f"/me/offers/{second}/decline", data={"reason": "楼层太高"})
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application.status == "suspended" and application.declines == 2


def test_expired_offer_is_refused(app, submitted, page_get):
    client, application_id = submitted
    offer_id, unit_id = make_offer(app, application_id, respond_in_days=-1)
    html = page_get(client, f"/me/applications/{application_id}")
    assert "答复期限已过" in html
    response = client.post(f"/me/offers/{offer_id}/accept", follow_redirects=True)
    assert "答复期限已过" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Application, application_id).status == "offered"
        assert db.session.get(Offer, offer_id).status == "pending"


def test_others_cannot_answer_or_see(app, submitted, login_as):
    client, application_id = submitted
    offer_id, _unit = make_offer(app, application_id)
    stranger = register(app, "stranger3")
    assert stranger.get(f"/me/applications/{application_id}").status_code == 404
    assert stranger.get(f"/me/applications/{application_id}/edit/check").status_code == 404
    assert stranger.post(f"/me/offers/{offer_id}/accept").status_code == 404
    assert stranger.post(f"/me/offers/{offer_id}/decline", data={"reason": "x"}).status_code == 404
    worker = login_as("wangqiang")
    assert worker.post(f"/me/offers/{offer_id}/accept").status_code == 403
    assert worker.get(f"/me/applications/{application_id}").status_code == 403
    assert worker.get("/me/apply").status_code == 403
    with app.app_context():
        assert db.session.get(Offer, offer_id).status == "pending"


def test_status_page_shows_queue_and_marks_notifications_read(app, login_as, page_get):
    client = login_as("lixiulan")
    with app.app_context():
        li = db.session.scalar(select(User).where(User.username == "lixiulan"))
        application = db.session.scalar(select(Application).join(Application.household).where(
            Application.status == "waitlist", Application.programme == "public_rental")
            .where(Application.household.has(owner_id=li.id)))
        assert application.queue_rank
        db.session.add(Notification(user_id=li.id, application_id=application.id, message_id="status_changed",
                                    params={"reference": application.reference, "status": "waitlist"}))
        db.session.commit()
        application_id, rank = application.id, application.queue_rank
    html = page_get(client, f"/me/applications/{application_id}")
    assert f"轮候位置：第 {rank} 位" in html
    assert "排在您前面的有" in html
    assert ("预计等待约" in html) or ("暂时无法估算" in html)
    assert "轮候中" in html and 'class="badge text-bg-primary' in html
    with app.app_context():
        assert db.session.scalar(select(Notification).where(Notification.application_id == application_id)
                                 .order_by(Notification.id.desc())).read_at is not None
    html = page_get(client, f"/me/applications/{application_id}")
    assert 'class="badge text-bg-primary' not in html
    page_get(client, "/me/")


def test_no_basis_for_an_estimate_is_said_plainly(app, submitted, page_get):
    client, application_id = submitted
    with app.app_context():
        application = db.session.get(Application, application_id)
        # a city with no lettings at all in the last 12 months
        application.status, application.queue_rank, application.city_code = "waitlist", 3, "datong"
        db.session.commit()
    html = page_get(client, f"/me/applications/{application_id}")
    assert "暂时无法估算" in html and "预计等待约" not in html


def test_start_page_for_a_returned_case_is_listed(app, submitted, page_get):
    client, application_id = submitted
    return_case(app, application_id)
    html = page_get(client, "/me/")
    assert f"/me/applications/{application_id}/edit/respond" in html
    html = page_get(client, f"/me/applications/{application_id}/edit")
    assert "街道办事处需要您补充" in html
    assert start(client, app) != application_id  # a new draft: the returned case is not a draft


def test_commitment_household_sees_its_six_month_deadline(app, login_as, page_get):
    """Plan §12.1: a 低保/低收入 household is covered by a unit or a subsidy within six months of approval."""
    from housing_security.services.calendar import add_months

    with app.app_context():
        from housing_security.models import Household

        case = db.session.scalars(select(Application).join(Household).join(User, User.id == Household.owner_id)
                                  .where(User.username == "lixiulan")).first()
        assert case.commitment and case.status == "waitlist"
        deadline = add_months(case.approved_on, 6)
        case_id = case.id
    html = page_get(login_as("lixiulan"), f"/me/applications/{case_id}")
    assert "应保尽保" in html and f"{deadline.year}年{deadline.month}月{deadline.day}日" in html
