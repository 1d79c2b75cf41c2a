"""`housing-security daily`: every registered job in order, each in its own transaction, idempotent."""
from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import func, select

from housing_security.extensions import db
from housing_security.models import ApplicationEvent, AuditLog
from housing_security.services import daily
from tests.services.helpers import get, new_case


def _counts():
    return (db.session.scalar(select(func.count()).select_from(AuditLog)),
            db.session.scalar(select(func.count()).select_from(ApplicationEvent)))


def test_daily_runs_every_job_and_a_second_run_changes_nothing(app, runner):
    today = date.today()
    with app.app_context():
        closing = new_case("publicity", publicity_until=today - timedelta(days=1),
                           approved_on=today - timedelta(days=11))
        due = new_case("waitlist", next_reverification_on=today - timedelta(days=1))
    first = runner.invoke(args=["daily", "--as-of", today.isoformat(), "--city", "taiyuan"])
    assert first.exit_code == 0, first.output
    result = json.loads(first.output)
    assert list(result)[:2] == ["close_publicity", "reverify_due"]
    assert result["close_publicity"]["moved"] >= 1 and result["reverify_due"]["renewed"] >= 1
    with app.app_context():
        assert get(closing).status == "waitlist" and get(due).next_reverification_on > today
        before = _counts()
    second = runner.invoke(args=["daily", "--as-of", today.isoformat(), "--city", "taiyuan"])
    assert second.exit_code == 0, second.output
    again = json.loads(second.output)
    assert again["close_publicity"]["moved"] == 0 and again["reverify_due"]["renewed"] == 0
    with app.app_context():
        assert _counts() == before


def test_a_failing_job_is_rolled_back_reported_and_does_not_stop_the_others(app):
    calls = []

    @daily.daily_job("zz_test_broken")
    def broken(as_of, city_code):
        new_case("street_review")  # commits its own set-up row: the job's own writes below must roll back
        db.session.add(AuditLog(action="zz.half_written", object_type="", detail={}))
        raise RuntimeError("boom")

    @daily.daily_job("zz_test_after")
    def after(as_of, city_code):
        calls.append(as_of)
        return {"ran": 1}

    try:
        with app.app_context():
            result = daily.run_daily(date(2026, 1, 5), "taiyuan", only=["zz_test_broken", "zz_test_after"])
            assert result == {"zz_test_broken": {"error": "RuntimeError"}, "zz_test_after": {"ran": 1}}
            assert calls == [date(2026, 1, 5)]
            assert db.session.scalar(select(AuditLog).where(AuditLog.action == "zz.half_written")) is None
    finally:
        daily._JOBS.pop("zz_test_broken", None)
        daily._JOBS.pop("zz_test_after", None)


def test_unknown_job_name_is_refused_with_status_2(runner):
    result = runner.invoke(args=["daily", "--only", "no_such_job"])
    assert result.exit_code == 2 and "no_such_job" in result.output
