"""The public lottery end to end: a city on `ordering.method: lottery` closes publicity and runs rounds; a
scheduled draw publishes its entries and seed hash, the draw reveals the seed, anyone can verify it, and the
waiting list follows the drawn order; a city switching methods keeps a consistent queue."""
from __future__ import annotations

import copy
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, AuditLog, LotteryDraw
from housing_security.services import lottery, parameter_changes, publicity, rounds, waitlist
from tests.services.helpers import get, new_case, user

TODAY = date.today()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def _set_method(method: str, since: date = TODAY) -> None:
    citation = "太原市住房保障局公告（测试）"
    preview = parameter_changes.preview_change("taiyuan", "ordering.method", since, method, citation)
    parameter_changes.save_change("taiyuan", "ordering.method", since, method, citation, user("ty_admin"),
                                  preview.token, note="测试")
    db.session.commit()


def _waiting(programme="public_rental") -> list[Application]:
    return list(db.session.scalars(select(Application).where(
        Application.city_code == "taiyuan", Application.programme == programme,
        Application.status.in_(waitlist.WAITING_STATUSES)).order_by(Application.queue_rank, Application.id)))


def _scheduled_and_drawn(officer="liuchu"):
    draw = lottery.schedule_draw("taiyuan", "public_rental", TODAY, user(officer))
    db.session.commit()
    lottery.hold_draw(draw, user(officer))
    db.session.commit()
    return draw


def test_a_lottery_city_closes_publicity_and_runs_a_round_without_error(ctx):
    _set_method("lottery", TODAY - timedelta(days=30))
    case_id = new_case("publicity", publicity_until=TODAY - timedelta(days=1), approved_on=TODAY - timedelta(days=20))
    counts = publicity.close_publicity(TODAY, "taiyuan", None)
    assert counts["moved"] >= 1 and get(case_id).status == "waitlist"
    ranks = sorted(a.queue_rank for a in _waiting())
    assert ranks == list(range(1, len(ranks) + 1))   # before any draw: approval order, every case ranked
    rnd = rounds.run_round_now("taiyuan", "public_rental", TODAY, TODAY + timedelta(days=30))
    assert rnd.status == "solved"


def test_publish_draw_verify_round_trip_and_ranks_follow_the_draw(ctx):
    _set_method("lottery", TODAY - timedelta(days=30))
    draw = lottery.schedule_draw("taiyuan", "public_rental", TODAY, user("liuchu"))
    db.session.commit()
    before = lottery.published(draw)
    assert "seed" not in before and "order" not in before          # the seed stays secret until the draw
    assert len(before["seed_hash"]) == 64 and before["entries"]
    assert {e["id"] for e in before["entries"]} == {a.reference for a in _waiting()}
    assert all("*" in e["name"] for e in before["entries"])          # names masked
    lottery.hold_draw(draw, user("liuchu"))
    db.session.commit()
    after = lottery.published(draw)
    assert after["seed_hash"] == before["seed_hash"] and after["entries"] == before["entries"]
    assert lottery.verify_published(json.loads(json.dumps(after))) == []
    # The waiting list now follows the drawn order.
    assert [a.reference for a in _waiting()] == after["order"]
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.action.like("lottery.%"))))
    assert {"lottery.schedule", "lottery.draw"} <= actions
    # A case joining after the draw queues behind everyone drawn, until the next draw.
    late = new_case("waitlist", approved_on=TODAY)
    waitlist.rerank("taiyuan", "public_rental", TODAY)
    db.session.commit()
    assert get(late).queue_rank == len(after["order"]) + 1


def test_a_tampered_entry_list_or_seed_fails_verification(ctx):
    _set_method("lottery", TODAY - timedelta(days=30))
    doc = lottery.published(_scheduled_and_drawn())
    assert lottery.verify_published(doc) == []
    dropped = copy.deepcopy(doc)
    dropped["entries"] = dropped["entries"][1:]
    assert "entries_hash" in lottery.verify_published(dropped)
    added = copy.deepcopy(doc)
    added["entries"].append({"id": "FAKE0001", "name": "张*", "size": 1})
    assert lottery.verify_published(added)
    seed = copy.deepcopy(doc)
    seed["seed"] = "0" * 64
    assert "seed_hash" in lottery.verify_published(seed)
    swapped = copy.deepcopy(doc)
    swapped["order"][0], swapped["order"][-1] = swapped["order"][-1], swapped["order"][0]
    assert "order" in lottery.verify_published(swapped)
    assert lottery.verify_published({"entries": []}) == ["incomplete"]


def test_a_draw_cannot_be_held_early_or_twice_nor_scheduled_for_a_non_lottery_city(ctx):
    with pytest.raises(lottery.LotteryError) as refused:
        lottery.schedule_draw("taiyuan", "public_rental", TODAY, user("liuchu"))
    assert refused.value.code == "not_lottery"
    _set_method("lottery", TODAY - timedelta(days=30))
    draw = lottery.schedule_draw("taiyuan", "public_rental", TODAY + timedelta(days=3), user("liuchu"))
    with pytest.raises(lottery.LotteryError) as again:
        lottery.schedule_draw("taiyuan", "public_rental", TODAY + timedelta(days=4), user("liuchu"))
    assert again.value.code == "already_scheduled"
    with pytest.raises(lottery.LotteryError) as early:
        lottery.hold_draw(draw, user("liuchu"))
    assert early.value.code == "too_early"
    lottery.hold_draw(draw, user("liuchu"), today=TODAY + timedelta(days=3))
    with pytest.raises(lottery.LotteryError):
        lottery.hold_draw(draw, user("liuchu"), today=TODAY + timedelta(days=3))


def test_a_city_switching_ordering_methods_keeps_one_consistent_queue(ctx):
    waitlist.rerank("taiyuan", "public_rental", TODAY)
    db.session.commit()
    by_priority = [a.id for a in _waiting()]
    _set_method("lottery", TODAY - timedelta(days=30))
    doc = lottery.published(_scheduled_and_drawn())
    assert [a.reference for a in _waiting()] == doc["order"]
    # Back to priority order from tomorrow: tomorrow's ranking ignores the draw, today's still follows it.
    _set_method("priority", TODAY + timedelta(days=1))
    waitlist.rerank("taiyuan", "public_rental", TODAY)
    db.session.commit()
    assert [a.reference for a in _waiting()] == doc["order"]
    waitlist.rerank("taiyuan", "public_rental", TODAY + timedelta(days=1))
    db.session.commit()
    assert [a.id for a in _waiting()] == by_priority
    assert db.session.scalar(select(LotteryDraw.status)) == "drawn"   # the draw stays on the public record
