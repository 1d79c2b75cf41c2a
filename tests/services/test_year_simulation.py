"""Twelve months of a small city through the services only: arrivals, real rounds in some months, offers
accepted, declined and left unanswered, contracts and keys, move-outs with inspection, a unit in maintenance and
back. Every day: no unit in two states, no offer outlives its deadline by more than a day, every due household is
covered, and the allocation rate recomputed from the unit histories equals the one of the live unit table."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from housing_security.extensions import db
from housing_security.models import Offer, Tenancy, Unit, UnitStatus
from housing_security.services import (
    contracts,
    daily,
    offers,
    portfolio,
    rent_roll,
    round_publishing,
    rounds,
    unit_status,
)
from housing_security.services.calendar import add_months

from .helpers import new_case, user
from .test_commitment_guard import _describe, _uncovered_past_deadline

JOBS = ["close_publicity", "expire_offers", "commitment_guard", "subsidy_ledger", "rent_roll", "exit_triggers"]


def _live_rates() -> list[tuple]:
    return [(r["programme"], r["total"], r["allocated"]) for r in portfolio.current_rates("taiyuan")]


def _history_rates(day: date) -> list[tuple]:
    return [(r["programme"], r["total"], r["allocated"]) for r in portfolio.allocation_rates_on("taiyuan", day)]


def _one_state_each() -> None:
    """A unit with a pending offer is offered, one with a signed contract awaits it, one let is occupied; no unit
    holds two pending offers or two running contracts."""
    assert not db.session.scalar(select(func.count()).select_from(
        select(Offer.unit_id).where(Offer.status == "pending").group_by(Offer.unit_id)
        .having(func.count() > 1).subquery()))
    assert not db.session.scalar(select(func.count()).select_from(
        select(Tenancy.unit_id).where(Tenancy.status.in_(("signed", "active"))).group_by(Tenancy.unit_id)
        .having(func.count() > 1).subquery()))
    assert not db.session.scalar(select(func.count()).select_from(Offer).join(Unit, Offer.unit_id == Unit.id).where(
        Offer.status == "pending", Unit.status != "offered"))
    assert not db.session.scalar(select(func.count()).select_from(Tenancy).join(Unit, Tenancy.unit_id == Unit.id)
                                 .where(Tenancy.status == "active", Unit.status != "occupied"))


def test_a_year_of_a_small_city(app):
    with app.app_context():
        officer = user("liuchu")
        turn = 0
        start = date.today()
        round_months = {0, 2, 3, 7, 10}
        counts = {"rounds": 0, "accepted": 0, "declined": 0, "lapsed": 0, "housed": 0, "moved_out": 0,
                  "maintenance": 0}
        repaired: dict[int, date] = {}
        for n in range(365):
            day = start + timedelta(days=n)
            month_index = (day.year - start.year) * 12 + day.month - start.month
            if n % 11 == 0:
                new_case("waitlist", approved_on=day, waitlist_since=day)
            if day.day == 2 and month_index in round_months:
                rnd = rounds.run_round_now("taiyuan", "public_rental", day, add_months(day, 1), officer)
                round_publishing.publish_round(rnd.id, officer, today=day)
                counts["rounds"] += 1
                for offer in db.session.scalars(select(Offer).where(Offer.round_id == rnd.id)).all():
                    turn += 1
                    if turn % 3 == 0:
                        offers.accept(offer, officer, day)
                        counts["accepted"] += 1
                    elif turn % 3 == 1:
                        offers.decline(offer, officer, "离工作地点太远", today=day)
                        counts["declined"] += 1
                    else:
                        counts["lapsed"] += 1
                db.session.commit()
            # contracts a few days after acceptance, keys on the appointment day
            for offer in db.session.scalars(select(Offer).where(Offer.status == "accepted",
                                                                Offer.appointment_on == day)).all():
                application = offer.application
                if application.status == "awaiting_contract" and contracts.signed_tenancy(application) is None:
                    tenancy = contracts.record_contract(application, officer, day, today=day)
                    contracts.hand_over_keys(tenancy, officer, day)
                    counts["housed"] += 1
            db.session.commit()
            # now and then a tenant moves out; one unit in three needs repairs first
            if n % 23 == 5:
                tenancy = db.session.scalar(select(Tenancy).where(Tenancy.status == "active",
                                                                  Tenancy.move_out_on.is_(None))
                                            .order_by(Tenancy.id))
                if tenancy is not None:
                    rent_roll.give_notice(tenancy, officer, day, day, today=day)
                    repairs = "墙面渗水" if counts["moved_out"] % 3 == 0 else ""
                    rent_roll.record_inspection(tenancy, officer, day, repairs=repairs,
                                                until=day + timedelta(days=14) if repairs else None)
                    if repairs:
                        repaired[tenancy.unit_id] = day + timedelta(days=14)
                        counts["maintenance"] += 1
                    counts["moved_out"] += 1
                    db.session.commit()
            for unit_id, back_on in list(repaired.items()):
                if back_on == day:
                    unit_status.change_unit_status(db.session.get(Unit, unit_id), UnitStatus.vacant, officer,
                                                   on=day, reason="维修完成")
                    del repaired[unit_id]
                    db.session.commit()
            result = daily.run_daily(day, "taiyuan", only=JOBS)
            assert not [name for name, value in result.items() if "error" in value], result
            _one_state_each()
            assert not db.session.scalar(select(func.count()).select_from(Offer).where(
                Offer.status == "pending", Offer.respond_by < day)), day
            uncovered = _uncovered_past_deadline(day)
            assert uncovered == [], (day, _describe(uncovered))
            if n % 7 == 0 or n == 364:
                assert _history_rates(day) == _live_rates(), day
        assert counts["rounds"] >= 4 and counts["housed"] > 0 and counts["lapsed"] > 0 and counts["declined"] > 0
        assert counts["moved_out"] > 0 and counts["maintenance"] > 0
