"""One active application per person per programme: a second household listing someone whose case of the same
programme is still being handled cannot submit, and is told why before it tries."""
from __future__ import annotations

from sqlalchemy import func, select

from housing_security.extensions import db
from housing_security.models import Application

from .conftest_applicant import fill, register, start, submission_token


def _submit(client, application_id: int):
    edit = f"/me/applications/{application_id}/edit"
    html = client.get(f"{edit}/check").get_data(as_text=True)
    return html, client.post(f"{edit}/submit", data={"token": submission_token(html)})


def test_the_same_person_cannot_have_two_active_cases_of_one_programme(app, page_get):
    first_client = register(app, "firstapplicant")
    first = start(first_client, app)
    fill(first_client, app, first)
    _html, response = _submit(first_client, first)
    assert response.status_code == 302

    second_client = register(app, "secondapplicant")  # the same people, filed again from another account
    second = start(second_client, app)
    fill(second_client, app, second)
    html, response = _submit(second_client, second)
    assert "家庭成员 李秀兰 已有一份正在办理的同类保障申请" in html  # warned on Check your answers
    assert response.status_code == 422
    assert "每人每类保障只能有一份正在办理的申请" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Application, second).status == "draft"
        assert db.session.get(Application, first).status == "street_review"

    with app.app_context():  # once the first case is withdrawn, the second may go ahead
        db.session.get(Application, first).status = "withdrawn"
        db.session.commit()
    html, response = _submit(second_client, second)
    assert "已有一份正在办理的同类保障申请" not in html and response.status_code == 302
    with app.app_context():
        assert db.session.get(Application, second).status == "street_review"


def test_another_programme_is_not_blocked_by_this_rule(app):
    first_client = register(app, "publicrenter")
    first = start(first_client, app)
    fill(first_client, app, first)
    assert _submit(first_client, first)[1].status_code == 302
    other = start(first_client, app, programme="subsidized_rental")
    fill(first_client, app, other, programme="subsidized_rental")
    html, response = _submit(first_client, other)
    assert "已有一份正在办理的同类保障申请" not in html
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Application).where(
            Application.id.in_([first, other]), Application.status == "draft"))
    assert count == (0 if response.status_code == 302 else 1)
