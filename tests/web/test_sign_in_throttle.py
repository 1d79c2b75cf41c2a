"""Sign-in cannot stall the database and is throttled per account and per address, on shared storage."""
from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import make_url

from housing_security import create_app
from housing_security.extensions import db
from housing_security.models import AuditLog, SignInThrottle
from housing_security.models._types import utcnow
from housing_security.services import accounts, sign_in
from tests.conftest import DEMO_PASSWORD, ON_POSTGRES, _config


def _post(client, username, password, address="10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _unlock_all(app):
    """As if the back-off had passed."""
    with app.app_context():
        db.session.execute(update(SignInThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's write lock")
def test_the_password_hash_runs_while_no_write_lock_is_held(app, monkeypatch):
    """While the slow hash runs, another connection can take SQLite's write lock at once (timeout 0)."""
    path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    seen = []

    def probing(real):
        def check(pwhash, password):
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                seen.append("free")
            except sqlite3.OperationalError:
                seen.append("locked")
            finally:
                other.close()
            return real(pwhash, password)
        return check

    monkeypatch.setattr(sign_in, "check_password_hash", probing(sign_in.check_password_hash))
    monkeypatch.setattr(accounts, "check_password_hash", probing(accounts.check_password_hash))
    client = app.test_client()
    assert _post(client, "wangqiang", "wrong-password").status_code == 200
    assert _post(client, "nobody-at-all", "wrong-password").status_code == 200
    assert _post(client, "wangqiang", DEMO_PASSWORD).status_code == 302
    client.post("/account/password", data={"current": "wrong-password", "password": "new-password-2027",
                                           "confirm": "new-password-2027"})
    assert seen == ["free"] * 4


def test_account_waits_after_five_failures_then_the_right_password_works_from_a_fresh_address(app):
    client = app.test_client()
    for n in range(5):
        assert _post(client, "wangqiang", "wrong", address=f"10.0.1.{n}").status_code == 200
    refused = _post(client, "wangqiang", DEMO_PASSWORD, address="10.0.2.1")
    assert refused.status_code == 429 and "登录尝试过多" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) >= 1
    _unlock_all(app)
    assert _post(client, "wangqiang", DEMO_PASSWORD, address="10.0.2.2").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(SignInThrottle).where(
            SignInThrottle.key == sign_in.account_key("wangqiang"))) is None  # the count starts again


def test_back_off_doubles_and_attempts_while_locked_neither_count_nor_extend(app):
    client = app.test_client()
    for n in range(5):
        _post(client, "liuchu", "wrong", address=f"10.1.0.{n}")
    with app.app_context():
        row = db.session.scalar(select(SignInThrottle).where(SignInThrottle.key == sign_in.account_key("liuchu")))
        first_lock, failures = row.locked_until, row.failures
    for n in range(20):
        assert _post(client, "liuchu", "wrong", address=f"10.1.1.{n}").status_code == 429
    with app.app_context():
        row = db.session.scalar(select(SignInThrottle).where(SignInThrottle.key == sign_in.account_key("liuchu")))
        assert (row.locked_until, row.failures) == (first_lock, failures) == (first_lock, 5)
        lengths = [sign_in.backoff_seconds(n, 5) for n in range(4, 9)]
    assert lengths == [0, 2, 4, 8, 16]


def test_unknown_usernames_get_exactly_the_answers_of_known_ones(app):
    client = app.test_client()
    answers = {}
    for username in ("wangqiang", "no_such_person"):
        answers[username] = [
            (r.status_code, "用户名或密码不正确" in r.get_data(as_text=True), "登录尝试过多" in r.get_data(as_text=True))
            for r in (_post(client, username, "wrong", address=f"10.2.0.{n}") for n in range(7))]
    assert answers["wangqiang"] == answers["no_such_person"]
    assert [a[0] for a in answers["wangqiang"]] == [200] * 5 + [429, 429]


def test_each_lock_is_audited_and_the_audit_names_no_username(app):
    client = app.test_client()
    for n in range(5):
        _post(client, "zhanglei", "wrong", address=f"10.3.0.{n}")
    with app.app_context():
        rows = db.session.scalars(select(AuditLog).where(AuditLog.action == "auth.throttle")).all()
        assert [(r.detail["key"], r.detail["failures"], r.detail["seconds"]) for r in rows] == [("account", 5, 2)]
        assert "zhanglei" not in str(rows[0].detail)


def test_an_address_is_throttled_across_accounts_but_other_addresses_are_not(app):
    client = app.test_client()
    free = app.config["LOGIN_ADDRESS_FREE_ATTEMPTS"]
    for n in range(free):
        assert _post(client, f"guess{n}", "wrong", address="10.4.0.1").status_code == 200
    assert _post(client, "wangqiang", DEMO_PASSWORD, address="10.4.0.1").status_code == 429
    assert _post(client, "wangqiang", DEMO_PASSWORD, address="10.4.0.2").status_code == 302


def test_successful_sign_ins_do_not_use_up_an_address(app):
    client = app.test_client()
    for _ in range(app.config["LOGIN_ADDRESS_FREE_ATTEMPTS"] + 3):
        assert _post(client, "wangqiang", DEMO_PASSWORD, address="10.5.0.1").status_code == 302
        client.post("/logout")


def test_the_limits_hold_across_two_app_instances_on_one_database(app, tmp_path):
    """Two workers (or two servers) share the counts: the database is the storage."""
    other = create_app(_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"]))
    first, second = app.test_client(), other.test_client()
    for n in range(5):
        assert _post(first if n % 2 else second, "wangqiang", "wrong", address=f"10.6.0.{n}").status_code == 200
    assert _post(first, "wangqiang", DEMO_PASSWORD, address="10.6.1.1").status_code == 429
    assert _post(second, "wangqiang", DEMO_PASSWORD, address="10.6.1.2").status_code == 429
    with other.app_context():
        db.session.remove()
        db.engine.dispose()
