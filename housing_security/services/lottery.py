"""The public lottery (摇号) for cities whose waiting list is ordered by lot (`ordering.method: lottery`).

Commit, then reveal (住建部令第11号 art. 19: allocation by public lottery, results published):
1. `schedule_draw` freezes the entry list (every waiting case of the city and programme, names masked), draws a
   secret seed and publishes sha256(seed) with the list — before the draw nobody, the bureau included, can
   change who takes part or pick a seed after seeing the list.
2. `hold_draw` (on or after the draw date) reveals the seed and computes the order with `policy.lottery_draw`;
   the waiting list is re-ranked from it and the next rounds take households in that order.
3. `published(draw)` is the document on the public page; `verify_published` (and `housing-security
   verify-lottery FILE`) re-runs it: the seed must match its hash, the entries their hash, and the order must
   follow from the two.
"""
from __future__ import annotations

import secrets
from datetime import date
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import policy
from ..extensions import db
from ..models import Application, Household, LotteryDraw, User
from ..models._types import utcnow
from . import audit, waitlist
from .parameters import effective_pack

ALGORITHM = "sort entry ids by sha256(seed + ':' + id), ties by id"


class LotteryError(ValueError):
    """A refused lottery action; `field` names the form field, `code` the reason."""

    def __init__(self, field: str, code: str, **params):
        super().__init__(f"{field}: {code}")
        self.field, self.code, self.params = field, code, params


def _mask(name: str) -> str:
    """李秀兰 → 李*兰, as on the publicity list."""
    if not name:
        return ""
    return name[0] + "*" if len(name) <= 2 else name[0] + "*" * (len(name) - 2) + name[-1]


def ordering_method(city_code: str, on: date) -> str:
    return effective_pack(city_code).value("ordering.method", on)


def latest_drawn(city_code: str, programme: str) -> Optional[LotteryDraw]:
    return db.session.scalar(
        select(LotteryDraw).where(LotteryDraw.city_code == city_code, LotteryDraw.programme == programme,
                                  LotteryDraw.status == "drawn")
        .order_by(LotteryDraw.drawn_at.desc(), LotteryDraw.id.desc()).limit(1))


def drawn_order(city_code: str, programme: str) -> list[str]:
    """Application references in the order of the city's last draw for the programme (empty before any draw)."""
    draw = latest_drawn(city_code, programme)
    return list(draw.order or []) if draw else []


def schedule_draw(city_code: str, programme: str, draw_on: date, actor: Optional[User],
                  today: Optional[date] = None) -> LotteryDraw:
    today = today or date.today()
    if draw_on < today:
        raise LotteryError("draw_on", "past")
    if ordering_method(city_code, draw_on) != "lottery":
        raise LotteryError("programme", "not_lottery")
    if programme not in policy.PROGRAMMES:
        raise LotteryError("programme", "unknown")
    pending = db.session.scalar(select(LotteryDraw.id).where(
        LotteryDraw.city_code == city_code, LotteryDraw.programme == programme, LotteryDraw.status == "scheduled"))
    if pending is not None:
        raise LotteryError("programme", "already_scheduled")
    applications = db.session.scalars(
        select(Application).options(selectinload(Application.household).selectinload(Household.members))
        .where(Application.city_code == city_code, Application.programme == programme,
               Application.status.in_(waitlist.WAITING_STATUSES))
        .order_by(Application.reference)).all()
    if not applications:
        raise LotteryError("programme", "no_entries")
    entries = []
    for a in applications:
        main = a.household.main_applicant
        entries.append({"id": a.reference, "name": _mask(main.name if main else ""),
                        "size": len(a.household.members)})
    seed = secrets.token_hex(32)
    draw = LotteryDraw(city_code=city_code, programme=programme, draw_on=draw_on, status="scheduled",
                       entries=entries, entries_hash=policy.entries_hash(e["id"] for e in entries),
                       seed=seed, seed_hash=policy.seed_hash(seed), created_by_id=getattr(actor, "id", None))
    db.session.add(draw)
    db.session.flush()
    audit.record("lottery.schedule", draw, actor=actor, city=city_code, programme=programme,
                 draw_on=draw_on.isoformat(), entries=len(entries), seed_hash=draw.seed_hash,
                 entries_hash=draw.entries_hash)
    return draw


def hold_draw(draw: LotteryDraw, actor: Optional[User], today: Optional[date] = None) -> LotteryDraw:
    """Reveal the seed, compute the order, re-rank the waiting list from it."""
    today = today or date.today()
    if draw.status != "scheduled":
        raise LotteryError("draw", "not_scheduled")
    if today < draw.draw_on:
        raise LotteryError("draw", "too_early", day=draw.draw_on.isoformat())
    result = policy.lottery_draw([e["id"] for e in draw.entries], draw.seed)
    if result.seed_hash != draw.seed_hash or result.entries_hash != draw.entries_hash:
        raise LotteryError("draw", "commitment_mismatch")  # the stored record was altered after publication
    draw.order = list(result.order)
    draw.status = "drawn"
    draw.drawn_at = utcnow()
    draw.drawn_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record("lottery.draw", draw, actor=actor, city=draw.city_code, programme=draw.programme,
                 seed=draw.seed, seed_hash=draw.seed_hash, entries=len(draw.order))
    if ordering_method(draw.city_code, today) == "lottery":
        waitlist.rerank(draw.city_code, draw.programme, today)
    return draw


def cancel_draw(draw: LotteryDraw, actor: Optional[User]) -> None:
    if draw.status != "scheduled":
        raise LotteryError("draw", "not_scheduled")
    draw.status = "cancelled"
    audit.record("lottery.cancel", draw, actor=actor, city=draw.city_code, programme=draw.programme)


def published(draw: LotteryDraw) -> dict:
    """The public record of a draw; the seed and order only once drawn."""
    doc = {"draw": draw.id, "city": draw.city_code, "programme": draw.programme,
           "draw_on": draw.draw_on.isoformat(), "status": draw.status, "algorithm": ALGORITHM,
           "entries": draw.entries, "entries_hash": draw.entries_hash, "seed_hash": draw.seed_hash}
    if draw.status == "drawn":
        doc.update(seed=draw.seed, order=list(draw.order or []),
                   drawn_at=draw.drawn_at.isoformat() if draw.drawn_at else None)
    return doc


def verify_published(doc: dict) -> list[str]:
    """Problems found re-running a published draw; empty when it checks out."""
    return policy.verify_published_draw(doc)
