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
    code = consent_code(applicant)
    response = worker.post("/intake/new", data={"programme": "public_rental", "street_id": street_id(app),
                                                "username": "nobody_here", "consent_code": code})
    assert response.status_code == 200 and "用户名或代办同意码不正确" in response.get_data(as_text=True)
    response = worker.post("/intake/new", data={"programme": "public_rental", "street_id": street_id(app),
                                                "username": "walkin01", "consent_code": code})
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


def consent_code(applicant) -> str:
    import re

    html = applicant.post("/me/consent-code").get_data(as_text=True)
    return re.search(r'id="consent-code">(\d{6})<', html).group(1)


def test_intake_into_an_account_needs_the_applicants_one_time_code(app, login_as):
    applicant = register(app, "walkin02")
    worker = login_as("wangqiang")
    form = {"programme": "public_rental", "street_id": street_id(app), "username": "walkin02"}
    answers = set()
    for code in ("", "000000", None):
        data = dict(form, consent_code=code) if code is not None else form
        response = worker.post("/intake/new", data=data)
        assert response.status_code == 200
        answers.add("用户名或代办同意码不正确" in response.get_data(as_text=True))
    # the same answer as for a username that does not exist
    unknown = worker.post("/intake/new", data=dict(form, username="nobody_here", consent_code="123456"))
    assert answers == {True} and "用户名或代办同意码不正确" in unknown.get_data(as_text=True)
    code = consent_code(applicant)
    assert worker.post("/intake/new", data=dict(form, consent_code=code)).status_code == 302
    # used up: a second filing with the same code is refused
    again = worker.post("/intake/new", data=dict(form, programme="subsidized_rental", consent_code=code))
    assert again.status_code == 200 and "用户名或代办同意码不正确" in again.get_data(as_text=True)


def test_five_wrong_codes_end_the_live_code(app, login_as):
    applicant = register(app, "walkin03")
    code = consent_code(applicant)
    worker = login_as("wangqiang")
    form = {"programme": "public_rental", "street_id": street_id(app), "username": "walkin03"}
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        worker.post("/intake/new", data=dict(form, consent_code=wrong))
    assert worker.post("/intake/new", data=dict(form, consent_code=code)).status_code == 200


def test_intake_never_opens_the_applicants_own_draft_and_says_nothing_of_other_streets(app, login_as):
    applicant = register(app, "selfserve2")
    own = start(applicant, app)
    worker = login_as("wangqiang")
    response = worker.post("/intake/new", data={"programme": "public_rental", "street_id": street_id(app),
                                                "username": "selfserve2", "consent_code": consent_code(applicant)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "请申请人在网上自行办理" in html
    with app.app_context():
        assert db.session.get(Application, own).filed_by_id is None
    # a draft filed at another street's window: the refusal does not name or hint at the street
    other = login_as("liuxiang_worker")
    walkin = register(app, "walkin04")
    filed = other.post("/intake/new", data={"programme": "public_rental", "street_id": street_id(app, "liuxiang"),
                                            "username": "walkin04", "consent_code": consent_code(walkin)})
    assert filed.status_code == 302
    response = worker.post("/intake/new", data={"programme": "public_rental", "street_id": street_id(app),
                                                "username": "walkin04", "consent_code": consent_code(walkin)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "请申请人在网上自行办理" in html
    assert "其他街道" not in html and "柳巷" not in html
