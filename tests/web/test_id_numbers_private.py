"""ID numbers never travel in a URL, a log line or an audit row: the inbox search for one is posted and kept in the
signed session; exports audit it masked."""
from __future__ import annotations

import logging
import re

from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, ApplicationEvent, AuditLog, Member
from tests.web.conftest_applicant import fill, register, start, submission_token

ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def _a_case_of(app, street_code="wucheng"):
    with app.app_context():
        member, reference = db.session.execute(
            select(Member, Application.reference).join(Application, Application.household_id == Member.household_id)
            .where(Application.status == "street_review", Member.relation == "self")
            .where(Application.street.has(code=street_code))).first()
        return member.id_number, reference, member.household_id


def test_searching_an_id_number_keeps_it_out_of_every_url_and_the_audit(app, login_as, caplog):
    caplog.set_level(logging.DEBUG)
    id_number, reference, _ = _a_case_of(app)
    client = login_as("wangqiang")
    response = client.post("/cases/", data={"q": id_number, "status": "", "sort": "due", "dir": "asc"})
    assert response.status_code == 303 and id_number not in response.headers["Location"]
    assert "idq=1" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and reference in html  # the search found the case
    links = re.findall(r'href="([^"]+)"', html)
    assert links and not [link for link in links if id_number in link]
    export = next(link for link in links if "export.csv" in link).replace("&amp;", "&")
    csv = client.get(export)
    assert csv.status_code == 200 and reference in csv.get_data(as_text=True)
    # a reference search still works as a plain link
    response = client.post("/cases/", data={"q": reference})
    assert f"q={reference}" in response.headers["Location"]
    _assert_no_id_numbers(app, caplog)


def test_the_whole_journey_writes_no_id_number_to_audit_events_or_logs(app, login_as, caplog):
    """Registration, a filled-in application with three ID numbers, submission, review, reveal, export."""
    caplog.set_level(logging.DEBUG)
    applicant = register(app, "privacy_check")
    application_id = start(applicant, app)
    fill(applicant, app, application_id)
    edit = f"/me/applications/{application_id}/edit"
    token = submission_token(applicant.get(f"{edit}/check").get_data(as_text=True))
    assert applicant.post(f"{edit}/submit", data={"token": token}).status_code == 302
    staff = login_as("wangqiang")
    with app.app_context():
        member_id = db.session.scalar(select(Member.id).join(Application, Application.household_id ==
                                                             Member.household_id)
                                      .where(Application.id == application_id))
    staff.post(f"/cases/{application_id}/members/{member_id}/reveal", data={})
    staff.get("/cases/export.csv")
    _assert_no_id_numbers(app, caplog)


def _assert_no_id_numbers(app, caplog):
    with app.app_context():
        audit = [str(row.detail) + str(row.object_id) for row in db.session.scalars(select(AuditLog))]
        events = [str(row.data) + row.reason for row in db.session.scalars(select(ApplicationEvent))]
    assert not [text for text in audit if ID_NUMBER.search(text)]
    assert not [text for text in events if ID_NUMBER.search(text)]
    assert not ID_NUMBER.search(caplog.text)
