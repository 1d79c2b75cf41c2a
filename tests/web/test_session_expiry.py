"""Sign-ins end after an idle time and an absolute lifetime (settings), and the daily job deletes the rows."""
from __future__ import annotations

import time
from datetime import date, timedelta

from sqlalchemy import func, select, update

from housing_security.extensions import db
from housing_security.models import LoginSession, User
from housing_security.models._types import utcnow
from housing_security.services import daily
from tests.conftest import login


def _age_sessions(app, username: str, **delta) -> None:
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == username))
        db.session.execute(update(LoginSession).where(LoginSession.user_id == user_id)
                           .values(created_at=utcnow() - timedelta(**delta)))
        db.session.commit()


def _idle(client, minutes: int) -> None:
    with client.session_transaction() as cookie:
        cookie["seen"] = int(time.time()) - minutes * 60


def test_a_sign_in_older_than_the_absolute_lifetime_no_longer_works(app):
    client = app.test_client()
    login(client, "wangqiang")
    _age_sessions(app, "wangqiang", hours=11, minutes=50)
    assert client.get("/cases/").status_code == 200
    _age_sessions(app, "wangqiang", hours=12, minutes=1)
    assert client.get("/cases/").status_code == 302
    _age_sessions(app, "wangqiang", days=400)
    assert client.get("/cases/").status_code == 302


def test_staff_sign_in_ends_after_30_idle_minutes_applicants_after_120(app):
    staff, applicant = app.test_client(), app.test_client()
    login(staff, "wangqiang")
    login(applicant, "lixiulan")
    _idle(staff, 29)
    _idle(applicant, 90)
    assert staff.get("/cases/").status_code == 200 and applicant.get("/me/").status_code == 200
    _idle(staff, 31)
    _idle(applicant, 121)
    assert staff.get("/cases/").status_code == 302 and applicant.get("/me/").status_code == 302


def test_each_request_renews_the_idle_clock(app):
    client = app.test_client()
    login(client, "wangqiang")
    _idle(client, 25)
    assert client.get("/cases/").status_code == 200
    with client.session_transaction() as cookie:
        assert int(time.time()) - cookie["seen"] < 5


def test_timeouts_are_settings(make_app):
    app = make_app(SESSION_IDLE_MINUTES=5)
    client = app.test_client()
    login(client, "wangqiang")
    _idle(client, 6)
    assert client.get("/cases/").status_code == 302


def test_the_daily_job_purges_expired_and_revoked_rows_once(app):
    client = app.test_client()
    login(client, "wangqiang")
    login(app.test_client(), "liuchu")
    _age_sessions(app, "wangqiang", hours=13)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(LoginSession))
        first = daily.run_daily(date.today(), only=["purge_sessions"])
        second = daily.run_daily(date.today(), only=["purge_sessions"])
        after = db.session.scalar(select(func.count()).select_from(LoginSession))
    assert first["purge_sessions"]["purged"] >= 1 and second["purge_sessions"]["purged"] == 0
    assert after == before - first["purge_sessions"]["purged"] and after >= 1
