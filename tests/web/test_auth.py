"""Sign-in and sign-out, including the cookie copied before logout."""
from sqlalchemy import select

from housing_security import config
from housing_security.extensions import db
from housing_security.models import AuditLog, LoginSession, User
from tests.conftest import DEMO_PASSWORD, login


def test_production_password_hashing_meets_guidance(app):
    method = config.DEFAULTS["PASSWORD_HASH_METHOD"]
    algorithm, digest, iterations = method.split(":")
    assert (algorithm, digest) == ("pbkdf2", "sha256") and int(iterations) >= 600_000
    from werkzeug.security import generate_password_hash

    assert generate_password_hash("x", method=method).startswith("pbkdf2:sha256:600000$")


def test_each_demo_role_lands_on_its_home(client):
    homes = {"lixiulan": "/me/", "wangqiang": "/cases/", "xiaodian_reviewer": "/cases/",
             "liuchu": "/bureau/", "admin": "/admin/"}
    for username, home in homes.items():
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302 and response.headers["Location"] == home
        assert client.get(home).status_code == 200
        client.post("/logout")


def test_wrong_password_and_unknown_user_get_the_same_field_message(client):
    for username in ("wangqiang", "nobody-here"):
        response = client.post("/login", data={"username": username, "password": "wrong-password"})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "用户名或密码不正确" in html
        assert 'aria-invalid="true"' in html


def test_disabled_account_cannot_sign_in_and_its_sessions_end(app, client):
    other = app.test_client()
    login(other, "wangqiang")
    assert other.get("/cases/").status_code == 200
    with app.app_context():
        from housing_security.services import accounts

        user = db.session.scalar(select(User).where(User.username == "wangqiang"))
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        accounts.set_active(user, False, actor=admin)
        db.session.commit()
    response = client.post("/login", data={"username": "wangqiang", "password": DEMO_PASSWORD})
    assert response.status_code == 200 and "该账户已停用" in response.get_data(as_text=True)
    # The session opened before the account was disabled no longer works either.
    assert other.get("/cases/").status_code == 302


def test_cookie_copied_before_logout_is_rejected_afterwards(app):
    browser = app.test_client()
    login(browser, "liuchu")
    stolen = browser.get_cookie("session").value
    browser.post("/logout")
    attacker = app.test_client()
    attacker.set_cookie("session", stolen)
    response = attacker.get("/bureau/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.app_context():
        sessions = db.session.scalars(select(LoginSession).join(User).where(User.username == "liuchu")).all()
        assert sessions and all(s.revoked_at is not None for s in sessions)
        actions = set(db.session.scalars(select(AuditLog.action)))
        assert {"auth.login", "auth.logout"} <= actions


def test_next_parameter_cannot_redirect_off_site(client):
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post(f"/login?next={target}", data={"username": "liuchu", "password": DEMO_PASSWORD})
        assert response.headers["Location"] == "/bureau/"
        client.post("/logout")
    response = client.post("/login?next=/cases/", data={"username": "liuchu", "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/cases/"


def test_registration_validates_fields_and_signs_in(client, page_get):
    response = client.post("/register", data={"username": "a", "display_name": "", "password": "short",
                                              "confirm": "different", "phone": "123"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for message in ("用户名须为", "请输入姓名", "密码至少 10 个字符", "请输入 11 位手机号码"):
        assert message in html
    assert '<li><a href="#display_name">请输入姓名</a></li>' in html  # the summary links each whole message
    response = client.post("/register", data={"username": "new_user_1", "display_name": "新用户",
                                              "password": "a-long-password", "confirm": "a-long-password",
                                              "phone": "13900000000"})
    assert response.status_code == 302 and response.headers["Location"] == "/me/"
    page_get(client, "/me/")
    client.post("/logout")
    response = client.post("/register", data={"username": "NEW_USER_1", "display_name": "重复",
                                              "password": "a-long-password", "confirm": "a-long-password"})
    assert "该用户名已被使用" in response.get_data(as_text=True)


def test_login_is_throttled_per_account(client):
    # Five free failures, then the account waits (more in tests/web/test_sign_in_throttle.py).
    statuses = [client.post("/login", data={"username": "x", "password": "y"}).status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
    assert "登录尝试过多" in client.post("/login", data={"username": "x", "password": "y"}).get_data(as_text=True)


def test_change_password_checks_the_current_one_and_ends_other_sessions(app, page_get):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "wangqiang")
    login(laptop, "wangqiang")
    page_get(laptop, "/account/password")
    bad = [
        ({"current": "wrong-password", "password": "new-password-2027", "confirm": "new-password-2027"}, "当前密码不正确"),
        ({"current": DEMO_PASSWORD, "password": "short", "confirm": "short"}, "密码至少 10 个字符"),
        ({"current": DEMO_PASSWORD, "password": "new-password-2027", "confirm": "other-password"}, "两次输入的密码不一致"),
        ({"current": DEMO_PASSWORD, "password": DEMO_PASSWORD, "confirm": DEMO_PASSWORD}, "新密码不能与当前密码相同"),
    ]
    for data, message in bad:
        response = laptop.post("/account/password", data=data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    response = laptop.post("/account/password", data={"current": DEMO_PASSWORD, "password": "new-password-2027",
                                                      "confirm": "new-password-2027"})
    assert response.status_code == 302
    assert laptop.get("/cases/").status_code == 200      # this session goes on
    assert phone.get("/cases/").status_code == 302       # the other one has ended
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "wangqiang", "password": DEMO_PASSWORD}).status_code == 200
    login(fresh, "wangqiang", "new-password-2027")
    with app.app_context():
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "user.change_password"))
