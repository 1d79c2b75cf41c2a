"""Turning a waiting list into queue ranks: by priority group, by points, or by public lottery.

The lottery is commit-then-reveal: the bureau publishes sha256(seed) and the list of
entries before the draw, reveals the seed afterwards, and anyone can re-run `lottery_draw`
from those published inputs and get the same order.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .parameters import ParameterPack, load_pack
from .vocabulary import ORDERING_METHODS


@dataclass(frozen=True, slots=True)
class QueueEntry:
    id: str
    priority_groups: tuple[str, ...] = ()
    approved_on: dt.date | None = None

    @classmethod
    def coerce(cls, item: Any) -> QueueEntry:
        if isinstance(item, QueueEntry):
            return item
        if isinstance(item, Mapping):
            approved = item.get("approved_on")
            if isinstance(approved, str):
                approved = dt.date.fromisoformat(approved)
            return cls(str(item["id"]), tuple(item.get("priority_groups") or ()), approved)
        # A Decision from the engine carries what the queue needs except the approval date.
        return cls(str(item.household_id), tuple(item.priority_groups), None)


def _months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from start to end, counted as add_months counts them: a month ends on the same day
    of the month, or on the month's last day where it has no such day (31 January → 29 February)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day and end.day < calendar.monthrange(end.year, end.month)[1]:
        months -= 1
    return max(months, 0)


def points_score(entry, city: str | ParameterPack, as_of: dt.date) -> Decimal:
    """Group points plus points for each whole month since approval."""
    pack, e = load_pack(city), QueueEntry.coerce(entry)
    table = pack.value("priority.points", as_of)
    score = sum((Decimal(str(table.get(g, 0))) for g in set(e.priority_groups)), Decimal(0))
    if e.approved_on is not None:
        per_month = Decimal(str(pack.value("priority.points_per_waiting_month", as_of)))
        score += per_month * _months_between(e.approved_on, as_of)
    return score


def seed_hash(seed: str) -> str:
    """The commitment published before the draw."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def entries_hash(ids: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(set(map(str, ids)))).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class LotteryResult:
    order: tuple[str, ...]
    seed: str
    seed_hash: str
    entries_hash: str
    algorithm: str = "sort by sha256(seed + ':' + id), ties by id"

    def to_dict(self) -> dict:
        return {"order": list(self.order), "seed": self.seed, "seed_hash": self.seed_hash,
                "entries_hash": self.entries_hash, "algorithm": self.algorithm}


def _ticket(seed: str, entry_id: str) -> str:
    return hashlib.sha256(f"{seed}:{entry_id}".encode()).hexdigest()


def lottery_draw(entry_ids: Iterable[str], seed: str) -> LotteryResult:
    """Draw order from the published entries and the revealed seed; input order does not matter."""
    if not isinstance(seed, str) or not seed:
        raise ValueError("the lottery needs a non-empty seed")
    ids = sorted(set(map(str, entry_ids)))
    order = tuple(sorted(ids, key=lambda i: (_ticket(seed, i), i)))
    return LotteryResult(order, seed, seed_hash(seed), entries_hash(ids))


def verify_lottery(published: Mapping) -> bool:
    """Re-run a published draw: the seed must match its commitment and reproduce the order."""
    seed = published["seed"]
    if seed_hash(seed) != published["seed_hash"]:
        return False
    result = lottery_draw(published["order"], seed)
    if "entries_hash" in published and result.entries_hash != published["entries_hash"]:
        return False
    return list(result.order) == list(published["order"])


def queue_ranks(entries: Iterable, city: str | ParameterPack = "default", as_of: dt.date | None = None,
                method: str | None = None, seed: str | None = None) -> list[tuple[str, int]]:
    """[(entry id, rank from 1)] best first. Method defaults to the city's `ordering.method`."""
    pack = load_pack(city)
    as_of = as_of or dt.date.today()
    method = method or pack.value("ordering.method", as_of)
    if method not in ORDERING_METHODS:
        raise ValueError(f"unknown ordering method {method!r}")
    items = [QueueEntry.coerce(e) for e in entries]
    if len({e.id for e in items}) != len(items):
        raise ValueError("waiting-list entries must have distinct ids")
    last = dt.date.max
    if method == "lottery":
        if seed is None:
            raise ValueError("a lottery needs a seed")
        ordered = list(lottery_draw((e.id for e in items), seed).order)
    elif method == "points":
        scored = [(-points_score(e, pack, as_of), e.approved_on or last, e.id) for e in items]
        ordered = [k[2] for k in sorted(scored)]
    else:
        order = pack.value("priority.group_order", as_of)
        rank = {g: i for i, g in enumerate(order)}

        def key(e: QueueEntry):
            best = min((rank.get(g, len(order)) for g in e.priority_groups), default=len(order))
            return best, e.approved_on or last, e.id

        ordered = [e.id for e in sorted(items, key=key)]
    return [(entry_id, i) for i, entry_id in enumerate(ordered, start=1)]


def drawn_lottery_ranks(entries: Iterable, drawn_order: Iterable[str] = ()) -> list[tuple[str, int]]:
    """Ranks of a waiting list whose city orders by public lottery, from the last draw held.

    Entries the draw placed come first, in the drawn order; entries that joined the list after the draw (or
    before any draw) follow by approval date then id, until the next draw includes them."""
    items = [QueueEntry.coerce(e) for e in entries]
    if len({e.id for e in items}) != len(items):
        raise ValueError("waiting-list entries must have distinct ids")
    position = {str(entry_id): i for i, entry_id in enumerate(drawn_order)}
    last = dt.date.max
    ordered = sorted(items, key=lambda e: (e.id not in position, position.get(e.id, 0), e.approved_on or last, e.id))
    return [(e.id, i) for i, e in enumerate(ordered, start=1)]


def verify_published_draw(doc: Mapping) -> list[str]:
    """Re-run a published draw record (entries with their ids, entries_hash, seed_hash, seed, order) and list
    what does not check out: `seed_hash` (the seed is not the one committed to), `entries_hash` (the entry list
    is not the one published before the draw), `entries_order` (the order is not a permutation of the entries),
    `order` (the order does not follow from the entries and the seed); `incomplete` when fields are missing."""
    problems = []
    try:
        ids = [str(e["id"]) if isinstance(e, dict) else str(e) for e in doc["entries"]]
        seed, order = doc["seed"], [str(i) for i in doc["order"]]
        committed, committed_entries = doc["seed_hash"], doc["entries_hash"]
    except (KeyError, TypeError):
        return ["incomplete"]
    if not isinstance(seed, str) or not seed:
        return ["incomplete"]
    if seed_hash(seed) != committed:
        problems.append("seed_hash")
    if entries_hash(ids) != committed_entries:
        problems.append("entries_hash")
    if sorted(set(order)) != sorted(set(ids)) or len(order) != len(set(order)):
        problems.append("entries_order")
    if list(lottery_draw(ids, seed).order) != order:
        problems.append("order")
    return problems
