"""The applicant's status page: the stepper of every stage with dates done and expected (from the city's
working-day deadlines), the street office's contact, and the submitted application with its receipt (回执)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, User
from housing_security.services import progress, transitions
from housing_security.services.calendar import review_due, workflow_value

from .test_applicant_status import submit


@pytest.fixture
def submitted(app, filled):
    client, application_id = filled
    submit(client, application_id)
    return client, application_id


def test_a_case_in_street_review_shows_the_street_deadline_and_the_later_stages_after_it(app, submitted):
    _, application_id = submitted
    today = date.today()
    with app.app_context():
        application = db.session.get(Application, application_id)
        city = application.city_code
        steps = {s.stage: s for s in progress.steps(application, today)}
        street_due = application.review_due_on
        assert street_due is not None
        assert steps["street_review"].state == "current" and steps["street_review"].due_on == street_due
        # every later stage is to come, each expected after the one before, by the city's own periods
        expected_order = progress.stages_for(city, today)
        assert list(steps) == expected_order
        assert all(steps[s].state == "upcoming" for s in expected_order[1:])
        previous = street_due
        if workflow_value(city, "district_review_enabled", today):
            assert steps["district_review"].due_on == review_due(city, "district_review", previous)
            previous = steps["district_review"].due_on
        assert steps["bureau_review"].due_on == review_due(city, "bureau_review", previous)
        publicity_end = steps["bureau_review"].due_on + timedelta(days=int(workflow_value(city, "publicity_days", today)))
        assert steps["publicity"].due_on == publicity_end
        assert steps["waitlist"].due_on == publicity_end  # 轮候 begins when publicity ends
        assert steps["bureau_review"].due_on > street_due


def test_a_case_at_the_bureau_shows_the_earlier_stages_done_with_their_dates(app, submitted):
    _, application_id = submitted
    today = date.today()
    with app.app_context():
        application = db.session.get(Application, application_id)
        worker = db.session.scalar(select(User).where(User.username == "wangqiang"))
        transitions.move(application, "bureau_review", worker, "test_forward")
        application.review_due_on = review_due(application.city_code, "bureau_review", today)
        db.session.commit()
        steps = {s.stage: s for s in progress.steps(application, today)}
        assert steps["street_review"].state == "done" and steps["street_review"].done_on == today
        assert steps["bureau_review"].state == "current"
        assert steps["bureau_review"].due_on == application.review_due_on
        assert steps["publicity"].state == "upcoming" and steps["publicity"].due_on > application.review_due_on


def test_a_draft_shows_every_stage_to_come_without_dates(app, filled):
    _, application_id = filled
    with app.app_context():
        application = db.session.get(Application, application_id)
        steps = progress.steps(application, date.today())
        assert [s.state for s in steps] == ["upcoming"] * len(steps)
        assert all(s.due_on is None for s in steps)


def test_the_status_page_shows_the_stepper_the_office_and_the_receipt(app, submitted, page_get):
    client, application_id = submitted
    html = page_get(client, f"/me/applications/{application_id}")
    assert "办理步骤" in html and 'aria-current="step"' in html
    for stage in ("街道审核", "市级审批", "公示", "轮候", "配租"):
        assert stage in html
    assert "预计" in html
    with app.app_context():
        application = db.session.get(Application, application_id)
        street = application.street
        assert street.office_address and street.office_phone  # demo values on the street office record
        address, phone, due = street.office_address, street.office_phone, application.review_due_on
    assert address in html and phone in html
    assert f"{due.year}年{due.month}月{due.day}日" in html or due.isoformat() in html
    receipt = page_get(client, f"/me/applications/{application_id}/submitted")
    assert "保障性住房申请回执" in receipt and "打印回执" in receipt and "js/print.js" in receipt
    assert "<script>" not in receipt  # no inline script: printing is static/js/print.js
    assert "李秀兰" in receipt and "/edit/members" not in receipt  # read-only: no links to change answers


def test_a_draft_has_no_receipt_yet(app, filled):
    client, application_id = filled
    assert client.get(f"/me/applications/{application_id}/submitted").status_code == 404
