"""The applicant's path from an empty account to a submitted application (scenario 1)."""
from __future__ import annotations

from sqlalchemy import func, select

from housing_security.extensions import db
from housing_security.models import Application, ApplicationEvent, AuditLog

from .conftest_applicant import fill, register, start, submission_token


def test_full_flow_every_page(app, applicant, page_get):
    html = page_get(applicant, "/me/")
    assert "开始新的申请" in html
    page_get(applicant, "/me/apply")
    application_id = start(applicant, app)
    edit = f"/me/applications/{application_id}/edit"
    html = page_get(applicant, edit)
    assert "未开始" in html and "进行中" in html
    fill(applicant, app, application_id)
    for section in ("address", "members", "members/new", "hukou", "income", "assets", "housing", "preferences",
                    "documents"):
        page_get(applicant, f"{edit}/{section}")
    html = page_get(applicant, edit)
    assert "未开始" not in html and "检查并提交" in html
    html = page_get(applicant, f"{edit}/check")
    assert "资格预审" in html and "依据" in html and "符合" in html
    assert "家庭人均月收入" in html  # the income rule, rendered from its message id
    token = submission_token(html)
    response = applicant.post(f"{edit}/submit", data={"token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{edit}/confirmation")
    html = page_get(applicant, f"{edit}/confirmation")
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application.status == "street_review"
        assert application.submitted_at is not None and application.review_due_on is not None
        assert application.decision and application.eligible is True
        assert application.reference in html
        assert application.priority_group == "minimum_allowance"
        assert [e.action for e in application.events] == ["submit"]
        # five working days from today, never on a weekend
        assert application.review_due_on.weekday() < 5
    html = page_get(applicant, f"/me/applications/{application_id}")
    assert "街道审核，期限" in html
    # submitted: the editor sends the applicant to the status page
    assert applicant.get(f"{edit}/assets").status_code == 302


def test_double_submission_makes_one_application(app, filled, page_get):
    client, application_id = filled
    edit = f"/me/applications/{application_id}/edit"
    token = submission_token(page_get(client, f"{edit}/check"))
    first = client.post(f"{edit}/submit", data={"token": token})
    second = client.post(f"{edit}/submit", data={"token": token})
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        events = db.session.scalar(select(func.count(ApplicationEvent.id)).where(
            ApplicationEvent.application_id == application_id))
        assert events == 1
        assert db.session.scalar(select(func.count(Application.id)).where(
            Application.submission_token == token)) == 1


def test_draft_resumes_instead_of_duplicating(app, applicant, page_get):
    first = start(applicant, app)
    applicant.post(f"/me/applications/{first}/edit/assets", data={"assets_yuan": "1234.5"})
    second = start(applicant, app)
    assert first == second
    html = page_get(applicant, f"/me/applications/{first}/edit/assets")
    assert "1234.50" in html
    other = start(applicant, app, programme="subsidized_rental")
    assert other != first
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditLog.id)).where(
            AuditLog.action == "application.start_draft")) >= 2


def test_ineligible_needs_the_box_ticked(app, applicant, page_get):
    application_id = start(applicant, app)
    fill(applicant, app, application_id, income="90000")
    edit = f"/me/applications/{application_id}/edit"
    html = page_get(applicant, f"{edit}/check")
    assert "不符合" in html and "高于" in html
    token = submission_token(html)
    response = applicant.post(f"{edit}/submit", data={"token": token})
    assert response.status_code == 422
    assert "请确认您已阅读不符合条件的原因" in response.get_data(as_text=True)
    assert applicant.get(f"/me/applications/{application_id}").status_code == 200
    with app.app_context():
        assert db.session.get(Application, application_id).status == "draft"
    response = applicant.post(f"{edit}/submit", data={"token": token, "acknowledge": "y"})
    assert response.status_code == 302
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application.status == "street_review" and application.eligible is False


def test_incomplete_draft_cannot_be_submitted(app, applicant):
    application_id = start(applicant, app)
    response = applicant.post(f"/me/applications/{application_id}/edit/submit",
                              data={"token": "x" * 32})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Application, application_id).status == "draft"


def test_talent_and_subsidized_sections(app, page_get):
    client = register(app, "talentuser")
    application_id = start(client, app, programme="talent")
    fill(client, app, application_id, programme="talent", income="20000")
    page_get(client, f"/me/applications/{application_id}/edit/employment")
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application.tenure == "shared_ownership"
        assert application.household.main_applicant.talent_category == "A"
    other = start(client, app, programme="subsidized_rental")
    edit = f"/me/applications/{other}/edit"
    html = page_get(client, f"{edit}/preferences")
    assert "宿舍" in html
    client.post(f"{edit}/preferences", data={"accept_any_district": "y", "prefers_dormitory": "y"})
    with app.app_context():
        application = db.session.get(Application, other)
        assert application.prefers_dormitory and application.accept_any_district
        assert application.tenure == "dormitory"
