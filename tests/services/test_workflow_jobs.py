"""The daily jobs behind the CLI: close publicity and re-verify due cases, straight through the services."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from housing_security.extensions import db
from housing_security.models import Objection
from housing_security.services import publicity, reverification, review
from housing_security.services.transitions import TransitionError
from tests.services.helpers import audits, events, get, new_case, user


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def test_close_publicity_moves_expired_cases_without_open_objections(ctx):
    today = date.today()
    expired = new_case("publicity", publicity_until=today - timedelta(days=1), approved_on=today - timedelta(days=11))
    objected = new_case("publicity", publicity_until=today - timedelta(days=1), approved_on=today - timedelta(days=11))
    running = new_case("publicity", publicity_until=today + timedelta(days=3), approved_on=today - timedelta(days=7))
    db.session.add(Objection(application_id=objected, content="该户名下有车辆两辆。", status="open"))
    db.session.commit()
    counts = publicity.close_publicity(today, "taiyuan")
    assert counts["moved"] >= 1 and counts["held"] >= 1
    assert get(expired).status == "waitlist" and get(expired).waitlist_since == today and get(expired).queue_rank
    assert get(objected).status == "publicity" and get(running).status == "publicity"
    assert events(expired)[-1].action == "publicity_ended" and audits("application.publicity_ended", expired)


def test_lodging_after_publicity_is_refused(ctx):
    case_id = new_case("publicity", publicity_until=date.today() - timedelta(days=1))
    with pytest.raises(review.ReviewError):
        publicity.lodge_objection(get(case_id), "该户名下有车辆两辆，收入不实。")


def test_reverify_due_renews_exits_and_completes_exits(ctx):
    today = date.today()
    renew = new_case("waitlist", next_reverification_on=today - timedelta(days=2))
    fail = new_case("waitlist", eligible=False, next_reverification_on=today)
    never = new_case("waitlist", approved_on=today - timedelta(days=400))  # never re-verified
    leaving = new_case("exiting", eligible=False, exit_buffer_until=today - timedelta(days=1))
    counts = reverification.reverify_due(today, "taiyuan")
    assert counts["renewed"] >= 2 and counts["exiting"] >= 1 and counts["exited"] >= 1
    assert get(renew).status == "waitlist" and get(renew).next_reverification_on > today
    assert get(never).next_reverification_on > today
    assert get(fail).status == "exiting" and get(fail).exit_buffer_until > today
    assert get(leaving).status == "exited"
    assert reverification.reverify_due(today, "taiyuan")["renewed"] == 0  # nothing left due


def test_reverify_refuses_cases_that_are_not_covered(ctx):
    case_id = new_case("street_review")
    with pytest.raises(review.ReviewError):
        reverification.reverify(get(case_id), date.today(), user("liuchu"))


def test_appeal_cannot_be_requested_unless_rejected(ctx):
    case_id = new_case("waitlist", owner="jobs_owner")
    with pytest.raises(TransitionError):
        review.request_appeal(get(case_id), user("jobs_owner"), "请重新审核我的申请。")
    db.session.rollback()
    assert get(case_id).status == "waitlist"


def test_every_workflow_parameter_is_in_the_default_pack():
    from housing_security.policy import load_pack

    pack, day = load_pack("taiyuan"), date(2026, 1, 1)
    values = {name: pack.value(f"workflow.{name}", day) for name in (
        "street_review_days", "district_review_enabled", "district_review_days", "bureau_review_days",
        "publicity_days", "offer_response_days", "decline_limit", "reverification_interval_months",
        "exit_buffer_months", "contract_years", "fraud_bar_years")}
    assert values == {"street_review_days": 5, "district_review_enabled": True, "district_review_days": 7,
                      "bureau_review_days": 5, "publicity_days": 10, "offer_response_days": 7, "decline_limit": 2,
                      "reverification_interval_months": 12, "exit_buffer_months": 6, "contract_years": 5,
                      "fraud_bar_years": 5}
