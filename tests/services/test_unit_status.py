"""A unit's status moves only through services/unit_status.py: allowed moves, refusals, the append-only history
with business dates, and the services that hand units out writing it."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from housing_security.extensions import db
from housing_security.models import AuditLog, Unit, UnitEvent, UnitStatus
from housing_security.services import offers, round_publishing, rounds, unit_status
from housing_security.services.unit_status import UnitStatusError
from tests.services.helpers import new_case, user


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def _vacant_unit(programme: str = "public_rental") -> Unit:
    return db.session.scalars(select(Unit).where(Unit.status == "vacant", Unit.programme == programme)
                              .order_by(Unit.id)).first()


def test_every_seeded_unit_has_a_history_that_agrees_with_its_status(ctx):
    units = db.session.scalar(select(func.count()).select_from(Unit))
    with_history = db.session.scalar(select(func.count(func.distinct(UnitEvent.unit_id))))
    assert units > 0 and with_history == units
    unit = db.session.scalars(select(Unit).where(Unit.status == "maintenance")).first()
    assert unit is not None and unit.status_note and unit.status_until
    assert unit_status.status_on(unit.id, date.today()) == "maintenance"


def test_maintenance_needs_a_reason_and_a_return_date_not_in_the_past(ctx):
    unit, officer, today = _vacant_unit(), user("liuchu"), date.today()
    with pytest.raises(UnitStatusError) as refused:
        unit_status.change_unit_status(unit, "maintenance", officer, on=today, reason="  ")
    assert refused.value.field == "reason"
    with pytest.raises(UnitStatusError) as refused:
        unit_status.change_unit_status(unit, "maintenance", officer, on=today, reason="漏水",
                                       until=today - timedelta(days=1))
    assert refused.value.field == "until"
    assert unit.status == "vacant"
    event = unit_status.change_unit_status(unit, UnitStatus.maintenance, officer, on=today, reason="漏水维修",
                                           until=today + timedelta(days=14))
    db.session.commit()
    assert (unit.status, unit.status_note, unit.status_until) == ("maintenance", "漏水维修", today + timedelta(days=14))
    assert (event.from_status, event.to_status, event.actor_id, event.on) == ("vacant", "maintenance", officer.id, today)
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "unit.status",
                                                    AuditLog.object_id == str(unit.id)))
    unit_status.change_unit_status(unit, UnitStatus.vacant, officer, on=today + timedelta(days=10))
    db.session.commit()
    assert (unit.status, unit.status_note, unit.status_until) == ("vacant", "", None)
    assert unit_status.status_on(unit.id, today + timedelta(days=9)) == "maintenance"
    assert unit_status.status_on(unit.id, today + timedelta(days=10)) == "vacant"


@pytest.mark.parametrize("start, target", [("vacant", "awaiting_contract"), ("maintenance", "offered"),
                                           ("occupied", "offered"), ("withdrawn", "occupied"),
                                           ("reserved", "occupied"), ("vacant", "no_such_status")])
def test_moves_the_unit_life_forbids_are_refused_and_change_nothing(ctx, start, target):
    unit = _vacant_unit()
    unit.status = start
    db.session.flush()
    before = db.session.scalar(select(func.count()).select_from(UnitEvent))
    with pytest.raises(UnitStatusError):
        unit_status.change_unit_status(unit, target, None, on=date.today(), reason="x")
    assert unit.status == start
    assert db.session.scalar(select(func.count()).select_from(UnitEvent)) == before


def test_publishing_and_answering_offers_write_the_unit_history(ctx):
    today = date.today()
    for _ in range(3):
        new_case("waitlist", approved_on=today - timedelta(days=60), waitlist_since=today - timedelta(days=50),
                 preferences=["xiaodian"], accept_any_district=True)
    rnd = rounds.run_round_now("taiyuan", "public_rental", today, today + timedelta(days=30))
    round_publishing.publish_round(rnd.id, user("liuchu"), today=today)
    offered = [a.unit for a in rnd.assignments][:2]
    assert offered and all(u.status == "offered" for u in offered)
    assert all(u.events[-1].to_status == "offered" and u.events[-1].data.get("round") == rnd.id for u in offered)
    first = db.session.scalar(select(offers.Offer).where(offers.Offer.unit_id == offered[0].id,
                                                        offers.Offer.status == "pending"))
    owner = first.application.household.owner or user("liuchu")
    offers.decline(first, owner, "离工作单位太远", today=today)
    db.session.commit()
    assert offered[0].status == "vacant" and offered[0].events[-1].data.get("cause") == "offer_declined"


def test_portfolio_counts_allocated_statuses_and_leave_out_withdrawn_units():
    counts = {"vacant": 5, "reserved": 1, "offered": 2, "awaiting_contract": 3, "occupied": 10, "maintenance": 4,
              "withdrawn": 7}
    assert unit_status.portfolio_counts(counts) == (25, 15)
    assert unit_status.portfolio_counts({}) == (0, 0)
