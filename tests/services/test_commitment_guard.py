"""The six-month commitment kept every day (plan §12.1): the guard starts the rent subsidy on the deadline, and a
walk through a year of arrivals, rounds (not every month) and lapsed offers finds nobody past it uncovered."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, func, select

from housing_security import policy
from housing_security.extensions import db
from housing_security.models import Application, Notification, Offer, RentSubsidy
from housing_security.services import commitment_guard, daily, offers, reverification, round_publishing, rounds
from housing_security.services.calendar import add_months
from housing_security.services.eligibility import policy_household
from housing_security.services.parameters import effective_pack

from .helpers import get, new_case, user

COVERED = ("offered", "awaiting_contract", "housed", "subsidised")
EXEMPT = ("suspended", "exiting", "exited", "withdrawn", "rejected")


def test_the_guard_starts_the_subsidy_on_the_deadline_with_the_engines_amount(app):
    with app.app_context():
        today = date.today()
        approved = add_months(today, -6) + timedelta(days=1)  # deadline tomorrow
        case_id = new_case("waitlist", approved_on=approved, owner="guarded_household")
        assert get(case_id).commitment
        assert commitment_guard.run_guard(today, "taiyuan")["started"] >= 0
        db.session.commit()
        assert get(case_id).status == "waitlist"  # not yet: the deadline is tomorrow
        # the early-warning list shows it, with its guard day
        assert case_id in {i["application"].id for i in reverification.early_warning("taiyuan", today)}
        tomorrow = today + timedelta(days=1)
        result = daily.run_daily(tomorrow, "taiyuan", only=["commitment_guard"])
        assert result["commitment_guard"]["started"] >= 1
        application = get(case_id)
        subsidy = db.session.scalar(select(RentSubsidy).where(RentSubsidy.application_id == case_id))
        assert application.status == "subsidised" and subsidy.start_on == tomorrow
        assert subsidy.trace["pack_hash"] and subsidy.trace["citation"] == "plan §12.1"
        expected = policy.rent_subsidy(policy_household(application.household), effective_pack("taiyuan"), tomorrow)
        assert subsidy.amount_month == expected and subsidy.trace["pack_hash"] == effective_pack("taiyuan").hash
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.application_id == case_id, Notification.message_id == "subsidy_started")) == 1
        again = daily.run_daily(tomorrow, "taiyuan", only=["commitment_guard"])
        assert again["commitment_guard"]["started"] == 0


def _uncovered_past_deadline(day: date) -> list[int]:
    """Commitment households whose six-month deadline is on or before `day` and that hold neither a unit, an
    offer nor a running subsidy (set-based; the rule the guard must keep)."""
    active = exists().where(RentSubsidy.application_id == Application.id, RentSubsidy.status == "active",
                            RentSubsidy.start_on <= day, RentSubsidy.end_on >= day)
    return list(db.session.scalars(select(Application.id).where(
        Application.city_code == "taiyuan", Application.commitment.is_(True),
        Application.approved_on.is_not(None), Application.approved_on <= add_months(day, -6),
        Application.status.not_in(COVERED + EXEMPT), ~active)))


def _describe(ids: list[int]) -> list[dict]:
    described = []
    for application in db.session.scalars(select(Application).where(Application.id.in_(ids))):
        described.append({"id": application.id, "status": application.status, "approved_on": application.approved_on,
                          "events": [(e.action, e.from_status, e.to_status) for e in application.events][-4:],
                          "subsidies": [(s.status, s.start_on, s.end_on) for s in db.session.scalars(
                              select(RentSubsidy).where(RentSubsidy.application_id == application.id))]})
    return described


def test_a_year_day_by_day_nobody_passes_the_deadline_uncovered(app):
    with app.app_context():
        officer = user("liuchu")
        start = date.today()
        round_months = {1, 2, 5, 9}   # no round in the other months
        day, arrivals, rounds_run, expired = start, 0, 0, 0
        for n in range(366):
            day = start + timedelta(days=n)
            month_index = (day.year - start.year) * 12 + day.month - start.month
            if n % 9 == 0:  # a new commitment household approved every nine days
                new_case("waitlist", approved_on=day, waitlist_since=day)
                arrivals += 1
            if day.day == 1 and month_index in round_months:
                next_round = add_months(day, 1)
                rnd = rounds.run_round_now("taiyuan", "public_rental", day, next_round, officer)
                round_publishing.publish_round(rnd.id, officer, today=day)
                rounds_run += 1
                # half the households accept their offer at once; the others let it lapse
                for index, offer in enumerate(db.session.scalars(select(Offer).where(
                        Offer.round_id == rnd.id, Offer.status == "pending").order_by(Offer.id)).all()):
                    if index % 2 == 0:
                        offers.accept(offer, officer, day)
                db.session.commit()
            result = daily.run_daily(day, "taiyuan", only=["close_publicity", "expire_offers", "commitment_guard"])
            assert "error" not in result["expire_offers"] and "error" not in result["commitment_guard"], result
            expired += result["expire_offers"]["expired"]
            uncovered = _uncovered_past_deadline(day)
            assert uncovered == [], (day, _describe(uncovered))
            # no offer outlives its deadline by more than a day
            assert not db.session.scalar(select(func.count()).select_from(Offer).where(
                Offer.status == "pending", Offer.respond_by < day))
        assert arrivals > 30 and rounds_run == 4 and expired > 0
