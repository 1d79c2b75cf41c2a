"""Assisted intake: a street caseworker files an application at the window with the same forms."""
from __future__ import annotations

from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, Household, User

from .conftest_applicant import fill, register, start, street_id, submission_token


def test_caseworker_files_for_a_walk_in_applicant(app, login_as, page_get):
    worker = login_as("wangqiang")
    page_get(worker, "/intake/")
    page_get(worker, "/intake/new")
    application_id = start(worker, app, base="/intake")
    page_get(worker, f"/intake/applications/{application_id}/edit")
    html = page_get(worker, f"/intake/applications/{application_id}/edit/address")
    assert "坞城街道" in html and "柳巷街道" not in html  # only the caseworker's own street office
    fill(worker, app, application_id, base="/intake")
    edit = f"/intake/applications/{application_id}/edit"
    token = submission_token(page_get(worker, f"{edit}/check"))
    assert worker.post(f"{edit}/submit", data={"token": token}).status_code == 302
    page_get(worker, f"{edit}/confirmation")
    with app.app_context():
        application = db.session.get(Application, application_id)
        me = db.session.scalar(select(User).where(User.username == "wangqiang"))
        assert application.filed_by_id == me.id and application.household.owner_id is None
        assert application.status == "street_review"
        assert application.events[0].actor_id == me.id


def test_caseworker_cannot_pick_another_street(app, login_as):
    worker = login_as("wangqiang")
    response = worker.post("/intake/new", data={"programme": "public_rental", "street_id": street_id(app, "liuxiang")})
    assert response.status_code == 200 and "请选择本市的街道办事处" in response.get_data(as_text=True)
    application_id = start(worker, app, base="/intake")
    response = worker.post(f"/intake/applications/{application_id}/edit/address",
                           data={"street_id": street_id(app, "liuxiang"), "address": "x", "phone": "13900000000"})
    assert response.status_code == 200 and "请选择本市的街道办事处" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Application, application_id).street.code == "wucheng"


def test_intake_linked_to_an_account(app, login_as, page_get):
    applicant = register(app, "walkin01")
    worker = login_as("wangqiang")
    response = worker.post("/intake/new", data={"programme": "public_rental", "street_id": street_id(app),
                                                "username": "nobody_here"})
    assert response.status_code == 200 and "没有这个申请人用户名" in response.get_data(as_text=True)
    response = worker.post("/intake/new", data={"programme": "public_rental", "street_id": street_id(app),
                                                "username": "walkin01"})
    assert response.status_code == 302
    with app.app_context():
        household = db.session.scalar(select(Household).join(User, Household.owner_id == User.id)
                                      .where(User.username == "walkin01"))
        application_id = db.session.scalar(select(Application.id).where(Application.household_id == household.id))
    # the applicant sees the case filed for them, and resumes it rather than starting another
    page_get(applicant, f"/me/applications/{application_id}")
    assert start(applicant, app) == application_id


def test_intake_refusals_by_role_and_scope(app, login_as):
    worker = login_as("wangqiang")
    application_id = start(worker, app, base="/intake")
    other_street = login_as("liuxiang_worker")
    assert other_street.get(f"/intake/applications/{application_id}/edit").status_code == 404
    assert login_as("liuchu").get("/intake/new").status_code == 403
    assert login_as("lixiulan").get("/intake/").status_code == 403
    applicant = register(app, "selfserve")
    own = start(applicant, app)
    # a caseworker cannot open an applicant's own online draft through intake
    assert worker.get(f"/intake/applications/{own}/edit").status_code == 404
    assert applicant.get(f"/intake/applications/{own}/edit").status_code == 403
