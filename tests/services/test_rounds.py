"""Allocation rounds as use cases on the demo database: the instance, run, publish, cancel, all-or-nothing."""
from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from housing_security import policy
from housing_security.allocation import load_instance
from housing_security.extensions import db
from housing_security.models import (
    AllocationRound,
    Application,
    ApplicationEvent,
    Assignment,
    AuditLog,
    Building,
    Household,
    Notification,
    Offer,
    Project,
    RentSubsidy,
    Unit,
    User,
)
from housing_security.services import audit, round_publishing, rounds, transitions

TODAY = date.today()
NEXT_MONTH = TODAY + timedelta(days=31)
# Eight months ahead: every commitment household approved in the past is due before this "next round".
FAR = TODAY + timedelta(days=245)


def _officer() -> User:
    return db.session.scalar(select(User).where(User.username == "liuchu"))


def _vacant_unit_ids(programme="public_rental") -> set[str]:
    return {str(i) for i in db.session.scalars(
        select(Unit.id).join(Building).join(Project).where(
            Project.city_code == "taiyuan", Unit.programme == programme, Unit.status == "vacant"))}


def _waiting_ids(programme="public_rental") -> set[str]:
    return {str(i) for i in db.session.scalars(select(Application.id).where(
        Application.city_code == "taiyuan", Application.programme == programme,
        Application.status.in_(("waitlist", "subsidised"))))}


def _keep_vacant(n: int) -> None:
    """Make units scarce so that due households are left without one (the rest go to maintenance)."""
    ids = sorted(int(i) for i in _vacant_unit_ids())
    for unit in db.session.scalars(select(Unit).where(Unit.id.in_(ids[n:]))):
        unit.status = "maintenance"
    db.session.commit()


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_build_instance_is_valid_and_holds_exactly_the_vacant_units_and_waiting_households(app):
    with app.app_context():
        instance = rounds.build_instance("taiyuan", "public_rental", TODAY, NEXT_MONTH)
        loaded = load_instance(instance)
        assert {u["id"] for u in instance["units"]} == _vacant_unit_ids()
        assert {h["id"] for h in instance["households"]} == _waiting_ids()
        assert len(loaded.units) > 0 and len(loaded.households) > 0
        assert sorted(h["rank"] for h in instance["households"]) == list(range(1, len(instance["households"]) + 1))
        # ranks follow the city's queue (re-ranked first)
        by_rank = sorted(instance["households"], key=lambda h: h["rank"])
        queue = [db.session.get(Application, int(h["id"])).queue_rank for h in by_rank]
        assert queue == sorted(queue)
        assert instance["policy"]["allocation_rate_target"] == 0.9
        assert instance["policy"]["coverage_months"] == 6
        # households choose in queue order unless the city's pack says otherwise (dated parameter)
        assert instance["policy"]["preference_rule"] == "seniority" == loaded.policy.preference_rule
        portfolio = instance["portfolio"]
        assert 0 < portfolio["occupied_units"] <= portfolio["total_units"]
        unit = db.session.get(Unit, int(instance["units"][0]["id"]))
        assert instance["units"][0]["district"] == unit.building.project.district.code
        assert instance["units"][0]["elevator"] == unit.building.elevator


def test_size_bands_follow_the_policy_area_range_for_every_size(app):
    with app.app_context():
        bands = rounds.size_bands("taiyuan", "public_rental", TODAY, 6)
        load_instance({"round": {"city": "taiyuan", "program": "public_rental", "date": "2026-01-01",
                                 "next_round_date": "2026-02-01"},
                       "policy": {"coverage_months": 6, "allocation_rate_target": 0.9, "size_bands": bands},
                       "units": [], "households": []})
        for size in range(1, 7):  # exact up to the largest household size present
            band = next(b for b in bands if b["min_size"] <= size <= b["max_size"])
            low, high = policy.allowed_area_range(size, "public_rental", "taiyuan", TODAY)
            assert (band["min_area"], band["max_area"]) == (float(low), float(high))
            assert band["min_area"] <= band["target_area"] <= band["max_area"]
        talent = rounds.size_bands("taiyuan", "talent", TODAY, 3)
        assert talent == [{"min_size": 1, "max_size": 99, "min_area": 0.0, "max_area": 90.0, "target_area": 45.0}]


def test_declined_units_come_from_previous_declined_offers(app):
    with app.app_context():
        application = db.session.get(Application, int(sorted(_waiting_ids())[0]))
        unit_id = int(sorted(_vacant_unit_ids())[0])
        db.session.add(Offer(application_id=application.id, unit_id=unit_id, status="declined",
                             respond_by=TODAY, decline_reason="太远"))
        db.session.commit()
        instance = rounds.build_instance("taiyuan", "public_rental", TODAY, NEXT_MONTH)
        household = next(h for h in instance["households"] if h["id"] == str(application.id))
        assert household["declined_units"] == [str(unit_id)]
        assert str(unit_id) in {u["id"] for u in instance["units"]}  # the declined unit is back in the round


def test_run_stores_the_whole_round_and_publish_sends_offers_and_subsidies(app):
    with app.app_context():
        _keep_vacant(6)
        officer = _officer()
        stages = []
        rnd = rounds.run_round_now("taiyuan", "public_rental", TODAY, FAR, actor=officer,
                                   progress=lambda stage, done, total: stages.append(stage))
        assert {"instance", "classes", "due/housed/seniority", "fifo", "explain", "save"} <= set(stages)
        assert rnd.status == "solved" and rnd.solved_at is not None
        instance = rnd.instance
        assert rnd.instance_sha256 == hashlib.sha256(rounds.canonical_json(instance)).hexdigest()
        result = rnd.result
        allocated = len(result["assignments"])
        assert 0 < allocated <= 6
        assert _count(Assignment, Assignment.round_id == rnd.id) == allocated == rnd.metrics["units_allocated"]
        assert rnd.metrics["commitment_b_coverage"] == 1.0
        assert rnd.comparison["tiers"]["due"]["optimal"] >= rnd.comparison["tiers"]["due"]["fifo"]
        assert set(rnd.comparison["fifo"]) == {"objective", "metrics"}
        due_left = [int(s["household"]) for s in result["subsidies"]]
        assert due_left, "units were made scarce so that due households are left without one"
        assert _count(AuditLog, AuditLog.action == "round.run", AuditLog.object_id == str(rnd.id)) == 1

        done = round_publishing.publish_round(rnd.id, officer)
        assert done["offers"] == allocated
        assert rnd.status == "published" and rnd.published_at is not None
        offers = db.session.scalars(select(Offer).where(Offer.round_id == rnd.id)).all()
        assert len(offers) == allocated
        days = policy.load_pack("taiyuan").value("workflow.offer_response_days", TODAY)
        for offer in offers:
            assert offer.status == "pending" and offer.respond_by == TODAY + timedelta(days=days)
            assert offer.unit.status == "offered"
            assert offer.application.status == "offered"
            assert _count(ApplicationEvent, ApplicationEvent.application_id == offer.application_id,
                          ApplicationEvent.action == "offer") == 1
        owners = [o.application.household.owner_id for o in offers if o.application.household.owner_id]
        if owners:
            assert _count(Notification, Notification.message_id == "offer_made",
                          Notification.user_id.in_(owners)) == len(owners)
        for application_id in due_left:
            application = db.session.get(Application, application_id)
            assert application.status == "subsidised"
            assert _count(RentSubsidy, RentSubsidy.application_id == application_id,
                          RentSubsidy.status == "active") >= 1
        assert done["subsidies"] == _count(RentSubsidy, RentSubsidy.round_id == rnd.id)
        assert _count(AuditLog, AuditLog.action == "round.publish") == 1
        assert _count(AuditLog, AuditLog.action == "offer.make") == allocated
        with pytest.raises(rounds.RoundError):
            rounds.cancel_round(rnd.id, officer)


def _snapshot():
    return {"offers": _count(Offer), "subsidies": _count(RentSubsidy), "events": _count(ApplicationEvent),
            "audit": _count(AuditLog), "notifications": _count(Notification),
            "offered_units": _count(Unit, Unit.status == "offered"),
            "statuses": dict(db.session.execute(select(Application.id, Application.status)).all())}


def test_a_failure_in_the_middle_of_publishing_writes_nothing(app, monkeypatch):
    with app.app_context():
        _keep_vacant(6)
        officer = _officer()
        rnd = rounds.run_round_now("taiyuan", "public_rental", TODAY, FAR, actor=officer)
        assert rnd.result["subsidies"]
        before = _snapshot()
        real_move, calls = transitions.move, []

        def failing_move(application, to_status, *args, **kwargs):
            calls.append(to_status)
            if to_status == "subsidised":  # after every offer has been added to the session
                raise RuntimeError("simulated crash")
            return real_move(application, to_status, *args, **kwargs)

        monkeypatch.setattr(transitions, "move", failing_move)
        with pytest.raises(RuntimeError):
            round_publishing.publish_round(rnd.id, officer)
        assert calls.count("offered") == len(rnd.assignments) > 0
        db.session.expire_all()
        assert _snapshot() == before
        assert db.session.get(AllocationRound, rnd.id).status == "solved"


def test_a_failure_while_storing_the_run_leaves_the_round_untouched(app, monkeypatch):
    with app.app_context():
        rnd = rounds.create_round("taiyuan", "public_rental", TODAY, NEXT_MONTH, _officer())
        ranks_before = dict(db.session.execute(select(Application.id, Application.queue_rank)).all())
        real_record = audit.record

        def failing_record(action, *args, **kwargs):
            if action == "round.run":
                raise RuntimeError("simulated crash")
            return real_record(action, *args, **kwargs)

        monkeypatch.setattr(audit, "record", failing_record)
        with pytest.raises(RuntimeError):
            rounds.run_round(rnd.id)
        db.session.expire_all()
        stored = db.session.get(AllocationRound, rnd.id)
        assert stored.status == "draft" and stored.metrics is None and stored.instance_sha256 is None
        assert _count(Assignment, Assignment.round_id == rnd.id) == 0
        assert dict(db.session.execute(select(Application.id, Application.queue_rank)).all()) == ranks_before


def test_publishing_a_stale_round_is_refused_and_writes_nothing(app):
    with app.app_context():
        officer = _officer()
        rnd = rounds.run_round_now("taiyuan", "public_rental", TODAY, NEXT_MONTH, actor=officer)
        rnd.assignments[0].unit.status = "occupied"  # let by hand after the solve
        db.session.commit()
        before = _snapshot()
        with pytest.raises(rounds.RoundError) as error:
            round_publishing.publish_round(rnd.id, officer)
        assert error.value.code == "stale"
        assert _snapshot() == before


def test_rounds_are_validated_rerunnable_and_cancellable(app):
    with app.app_context():
        officer = _officer()
        with pytest.raises(rounds.RoundError) as error:
            rounds.create_round("taiyuan", "public_rental", TODAY, TODAY, officer)
        assert error.value.field == "next_round_date"
        with pytest.raises(rounds.RoundError) as error:
            rounds.create_round("datong", "talent", TODAY, NEXT_MONTH, officer)
        assert error.value.field == "programme"
        rnd = rounds.run_round_now("taiyuan", "public_rental", TODAY, NEXT_MONTH, actor=officer)
        first = rnd.instance_sha256
        rounds.run_round(rnd.id, actor=officer)  # a second run replaces the assignments
        assert rnd.instance_sha256 == first
        assert _count(Assignment, Assignment.round_id == rnd.id) == rnd.metrics["units_allocated"]
        rounds.cancel_round(rnd.id, officer)
        assert rnd.status == "cancelled"
        with pytest.raises(rounds.RoundError):
            round_publishing.publish_round(rnd.id, officer)
        with pytest.raises(rounds.RoundError):
            rounds.run_round(rnd.id)


def test_a_declined_offer_returns_its_unit_to_the_next_round(app):
    with app.app_context():
        officer = _officer()
        rnd = rounds.run_round_now("taiyuan", "public_rental", TODAY, NEXT_MONTH, actor=officer)
        round_publishing.publish_round(rnd.id, officer)
        offer = db.session.scalars(select(Offer).where(Offer.round_id == rnd.id)).first()
        offer.status, offer.decline_reason = "declined", "离工作地点太远"
        offer.unit.status = "vacant"
        transitions.move(offer.application, "waitlist", officer, "decline_offer", reason="离工作地点太远")
        db.session.commit()
        instance = rounds.build_instance("taiyuan", "public_rental", NEXT_MONTH, NEXT_MONTH + timedelta(days=30))
        assert str(offer.unit_id) in {u["id"] for u in instance["units"]}
        household = next(h for h in instance["households"] if h["id"] == str(offer.application_id))
        assert household["declined_units"] == [str(offer.unit_id)]


def test_households_left_without_a_unit_are_told_why(app, login_as):
    with app.app_context():
        _keep_vacant(2)
        rnd = rounds.run_round_now("taiyuan", "public_rental", TODAY, NEXT_MONTH, actor=_officer())
        round_publishing.publish_round(rnd.id, _officer())
        unassigned = {int(e["household"]): e["reason"] for e in rnd.result["unassigned"]}
        owned = db.session.execute(
            select(Application.id, User.username).select_from(Application)
            .join(Household, Household.id == Application.household_id).join(User, User.id == Household.owner_id)
            .where(Application.id.in_(list(unassigned)))).all()
        assert owned, "the demo needs an unhoused household with an account"
        notices = {n.application_id: n for n in db.session.scalars(
            select(Notification).where(Notification.message_id == "round_unassigned"))}
        assert {application_id for application_id, _ in owned} == set(notices)
        application_id, username = owned[0]
        assert notices[application_id].params["reason"] == unassigned[application_id]
        from housing_security.allocation.messages import render

        expected = render(unassigned[application_id], "zh")
    html = login_as(username).get("/me/").get_data(as_text=True)
    assert "本批次未获配租" in html and expected in html


@pytest.mark.parametrize("programme", ["subsidized_rental", "talent"])
def test_instance_carries_unit_kinds_tenures_and_the_household_choices(app, programme):
    with app.app_context():
        instance = rounds.build_instance("taiyuan", programme, TODAY, NEXT_MONTH)
        loaded = load_instance(instance)
        assert isinstance(instance["policy"]["size_bands"], dict)
        assert set(instance["policy"]["size_bands"]) == set(rounds.BAND_KEYS[programme])
        assert {u["id"] for u in instance["units"]} == _vacant_unit_ids(programme)
        for raw, unit in zip(instance["units"], loaded.units):
            row = db.session.get(Unit, int(raw["id"]))
            assert unit.kind == ("dormitory" if row.kind == "dormitory" else "residential")
            assert unit.tenure == (row.tenure if row.tenure in rounds.UNIT_TENURES else "rental")
        for raw, hh in zip(instance["households"], loaded.households):
            chosen = db.session.get(Application, int(raw["id"])).tenure
            if programme == "subsidized_rental" and chosen in ("residential", "dormitory"):
                assert hh.kinds == (chosen,)
            if programme == "talent" and chosen in rounds.UNIT_TENURES:
                assert hh.tenures == (chosen,)
