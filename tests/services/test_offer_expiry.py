"""The daily job `expire_offers`: past the reply deadline the offer expires, the unit returns to the pool, the
silence counts as the city's parameter says, the household is told; a second run changes nothing."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from housing_security.extensions import db
from housing_security.models import AuditLog, Notification, Offer, RentSubsidy, Unit
from housing_security.services import daily, offers, parameter_changes
from housing_security.services.calendar import add_months

from .helpers import get, new_case, user
from .test_contracts import offer_for


def test_an_unanswered_offer_expires_the_day_after_its_deadline(app):
    with app.app_context():
        case_id = new_case("offered", owner="lixiulan")
        offer = offer_for(case_id)
        deadline = offer.respond_by
        assert offers.expire_offers(deadline, "taiyuan")["expired"] == 0  # the last day to answer
        db.session.commit()
        result = daily.run_daily(deadline + timedelta(days=1), "taiyuan", only=["expire_offers"])
        assert result["expire_offers"]["expired"] >= 1 and result["expire_offers"]["counted"] >= 1
        offer = db.session.get(Offer, offer.id)
        application = get(case_id)
        assert offer.status == "expired" and db.session.get(Unit, offer.unit_id).status == "vacant"
        assert application.status == "waitlist" and application.declines == 1
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.application_id == case_id, Notification.message_id == "offer_expired")) == 1
        audit_rows = db.session.scalar(select(func.count()).select_from(AuditLog))
        again = daily.run_daily(deadline + timedelta(days=1), "taiyuan", only=["expire_offers"])
        assert again["expire_offers"]["expired"] == 0
        assert db.session.scalar(select(func.count()).select_from(AuditLog)) == audit_rows


def test_at_the_decline_limit_the_case_is_suspended_and_a_subsidised_case_keeps_its_subsidy(app):
    with app.app_context():
        limited = new_case("offered", declines=1)
        offer_for(limited)
        covered = new_case("offered")
        offer_for(covered)
        db.session.add(RentSubsidy(application_id=covered, amount_month=Decimal("200"), start_on=date.today(),
                                   end_on=add_months(date.today(), 12), trace={}))
        db.session.commit()
        counts = offers.expire_offers(date.today() + timedelta(days=8), "taiyuan")
        db.session.commit()
        assert counts["suspended"] >= 1
        assert get(limited).status == "suspended" and get(covered).status == "subsidised"


def test_the_city_may_say_an_unanswered_offer_does_not_count(app):
    with app.app_context():
        admin = user("ty_admin")
        name, since = "workflow.offer_expiry_counts_as_decline", date.today()
        token = parameter_changes.preview_token("taiyuan", name, since, False)
        parameter_changes.save_change("taiyuan", name, since, False, "市住房保障部门通知（测试）", admin, token)
        db.session.commit()
        case_id = new_case("offered")
        offer_for(case_id)
        counts = offers.expire_offers(date.today() + timedelta(days=8), "taiyuan")
        db.session.commit()
        assert counts["expired"] >= 1 and counts["counted"] == 0 and get(case_id).declines == 0 and get(case_id).status == "waitlist"
