"""Administrators create staff accounts inside their own jurisdiction, bound to the right level."""
from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import AuditLog, Jurisdiction, User
from tests.conftest import login


def _id(app, code):
    with app.app_context():
        return db.session.scalar(select(Jurisdiction.id).where(Jurisdiction.code == code))


def _form(app, **overrides):
    data = {"username": "new_worker", "display_name": "新经办人", "role": "street_caseworker",
            "jurisdiction_id": _id(app, "yingpan"), "password": "a-long-password"}
    data.update(overrides)
    return data


def test_city_admin_creates_a_caseworker_who_sees_only_that_street(app, login_as, page_get):
    admin = login_as("ty_admin")
    html = page_get(admin, "/admin/users/new")
    assert "营盘街道" in html and "南关街道" not in html  # 大同's streets are outside 太原's administrator
    response = admin.post("/admin/users/new", data=_form(app))
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "new_worker"))
        assert user.role == "street_caseworker" and user.jurisdiction.code == "yingpan"
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "user.create",
                                                        AuditLog.object_id == str(user.id))).actor_id
    worker = app.test_client()
    login(worker, "new_worker", "a-long-password")
    inbox = page_get(worker, "/cases/")
    assert "营盘街道" in inbox and "坞城街道" not in inbox


def test_bad_input_gets_field_messages_and_creates_nothing(app, login_as):
    admin = login_as("ty_admin")
    cases = [
        (_form(app, role="district_reviewer"), "jurisdiction_id-error"),            # a street is not a district
        (_form(app, role="administrator"), "jurisdiction_id-error"),                # nor a city
        (_form(app, jurisdiction_id=_id(app, "nanguan")), "jurisdiction_id-error"),  # another city's street
        (_form(app, jurisdiction_id="abc"), "jurisdiction_id-error"),
        (_form(app, username="liuchu"), "username-error"),
        (_form(app, username="a b"), "username-error"),
        (_form(app, password="short"), "password-error"),
        (_form(app, role="king"), "role-error"),
        (_form(app, role="applicant"), "role-error"),
    ]
    for data, error_id in cases:
        response = admin.post("/admin/users/new", data=data)
        assert response.status_code == 400, data
        assert f'id="{error_id}"' in response.get_data(as_text=True), data
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "new_worker")) is None


def test_only_administrators_create_accounts(app, login_as):
    for username in ("liuchu", "wangqiang", "lixiulan"):
        assert login_as(username).post("/admin/users/new", data=_form(app)).status_code == 403
