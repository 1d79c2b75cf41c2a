"""The effective parameter pack of a city: its YAML pack with the dated changes administrators entered
(`ParameterChange`, scenario 6) inserted into each parameter's history. Every service that decides for a city
uses `effective_pack`, so a decision's `pack_hash` names the exact rules (YAML plus changes) it was made under.
Entering, previewing and withdrawing changes is services/parameter_changes.py."""
from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Optional

from flask import g, has_app_context
from sqlalchemy import select

from .. import policy
from ..extensions import db
from ..models import ParameterChange
from ..policy.parameters import _pack_hash, normalise

# ---- the effective pack -----------------------------------------------------------------------------

@dataclass(frozen=True)
class AdjustedParameter(policy.Parameter):
    """A pack parameter with administrator-entered dated values; each such value keeps its own
    citation (the base parameter's unit, label and citation stay as they are)."""

    value_citations: tuple[tuple[date, str], ...] = ()

    def citation_on(self, since: date) -> Optional[str]:
        return dict(self.value_citations).get(since)

    def to_dict(self):
        data = super().to_dict()
        data["value_citations"] = [[d.isoformat(), c] for d, c in self.value_citations]
        return data


def layer(base: policy.ParameterPack, changes: Iterable[tuple[str, date, Any, str]]) -> policy.ParameterPack:
    """`base` with (name, effective_from, value, citation) inserted in date order; a change on a date
    the history already has replaces that value. Unknown names are skipped (a renamed YAML key)."""
    grouped: dict[str, list[tuple[date, Any, str]]] = {}
    for name, since, value, citation in changes:
        if name in base.params:
            grouped.setdefault(name, []).append((since, value, citation))
    if not grouped:
        return base
    params = dict(base.params)
    for name, rows in grouped.items():
        p = params[name]
        values = dict(p.values)
        citations = dict(getattr(p, "value_citations", ()))
        for since, value, citation in rows:
            values[since] = normalise(value)
            citations[since] = citation
        params[name] = AdjustedParameter(
            name=p.name, unit=p.unit, label=p.label, citation=p.citation, status=p.status,
            values=tuple(sorted(values.items())), defined_in=p.defined_in, source=p.source, note=p.note,
            value_citations=tuple(sorted(citations.items())),
        )
    return policy.ParameterPack(code=base.code, name=base.name, params=params, parent=base.parent,
                                hash=_pack_hash(base.code, params))


def active_changes(city_code: str) -> list[ParameterChange]:
    return list(db.session.scalars(
        select(ParameterChange).where(ParameterChange.city_code == city_code, ParameterChange.status == "active")
        .order_by(ParameterChange.name, ParameterChange.effective_from, ParameterChange.id)))


def all_changes(city_code: str, name: Optional[str] = None) -> list[ParameterChange]:
    query = select(ParameterChange).where(ParameterChange.city_code == city_code)
    if name is not None:
        query = query.where(ParameterChange.name == name)
    return list(db.session.scalars(query.order_by(ParameterChange.effective_from, ParameterChange.id)))


def changes_state(city_code: str) -> tuple:
    """The city's active changes as plain data: the cache key of its effective pack and part of
    every preview token. Keyed by content, not ids, so a rolled-back change whose id is reused (or
    another database in the same process) can never be served from the cache."""
    rows = db.session.execute(
        select(ParameterChange.id, ParameterChange.name, ParameterChange.effective_from, ParameterChange.value,
               ParameterChange.citation)
        .where(ParameterChange.city_code == city_code, ParameterChange.status == "active")
        .order_by(ParameterChange.name, ParameterChange.effective_from, ParameterChange.id)).all()
    return tuple((r.id, r.name, r.effective_from.isoformat(),
                  json.dumps(r.value, sort_keys=True, separators=(",", ":")), r.citation) for r in rows)


_PACKS: OrderedDict[tuple[str, tuple], policy.ParameterPack] = OrderedDict()
_PACKS_MAX = 64


def effective_pack(city_code: str) -> policy.ParameterPack:
    """The city's YAML pack with its active changes layered on top.

    Built once per (city, its active changes) and shared, so its per-date snapshots are
    reused; within one application context (one request, one CLI command) the state is looked up
    once per city (`save_change`/`withdraw_change` forget it). Outside an application context there
    is no database, and the YAML pack is the answer."""
    if isinstance(city_code, policy.ParameterPack):
        return city_code
    base = policy.load_pack(city_code)
    if not has_app_context():
        return base  # no application, no database: plain scripts and pure tests see the YAML pack
    memo = g.setdefault("_effective_packs", {})
    if city_code in memo:
        return memo[city_code]
    state = changes_state(city_code)
    key = (city_code, state)
    pack = _PACKS.get(key)
    if pack is None:
        pack = layer(base, ((name, date.fromisoformat(since), json.loads(value), citation)
                            for _, name, since, value, citation in state))
        _PACKS[key] = pack
        while len(_PACKS) > _PACKS_MAX:
            _PACKS.popitem(last=False)
    else:
        _PACKS.move_to_end(key)
    memo[city_code] = pack
    return pack


def forget(city_code: Optional[str] = None) -> None:
    """Drop this context's memo so the next `effective_pack` reads the database again."""
    if has_app_context():
        memo = g.get("_effective_packs")
        if memo:
            memo.pop(city_code, None) if city_code else memo.clear()


def timeline(pack: policy.ParameterPack, name: str) -> list[dict]:
    """Every dated value of one parameter with its citation and where it comes from."""
    p = pack.param(name)
    citations = dict(getattr(p, "value_citations", ()))
    return [{"effective_from": since, "value": value, "citation": citations.get(since, p.citation),
             "source": "change" if since in citations else "pack"} for since, value in p.values]


