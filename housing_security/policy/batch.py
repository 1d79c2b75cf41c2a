"""Reading a check-eligibility request (one or many households) and producing decisions as JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .engine import Decision, evaluate
from .errors import InputError, ParameterError
from .household import SCHEMA_VERSION, Household
from .messages import render, render_rule
from .parameters import ParameterPack, load_pack
from .vocabulary import PROGRAMMES, TENURES

FILE = "(file)"


@dataclass(frozen=True)
class Request:
    household: Household
    programme: str
    pack: ParameterPack
    tenure: str | None


def _as_of(value: Any, record: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InputError(record, "as_of", "must be a date (YYYY-MM-DD)") from None


def _pack(city: Any, record: str) -> ParameterPack:
    if not city:
        raise InputError(record, "city", "missing (give it in the file or with --city)")
    if city == "default":
        raise InputError(record, "city", "name a city, not the default pack")
    try:
        return load_pack(city)
    except ParameterError:
        raise InputError(record, "city", f"unknown city {city!r}") from None


def parse_request(data: Any, *, city: str | None = None, programme: str | None = None,
                  as_of: str | dt.date | None = None) -> tuple[dt.date, list[Request], list[InputError]]:
    """Options override the file's top-level values; a household may name its own programme,
    tenure or city. Every bad record is reported, not just the first."""
    if isinstance(data, list):
        data = {"households": data}
    if not isinstance(data, Mapping):
        raise InputError(FILE, "(file)", "must be an object or a list of households")
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise InputError(FILE, "schema_version", f"unsupported version {version!r}; expected {SCHEMA_VERSION}")
    raw_as_of = as_of or data.get("as_of")
    if raw_as_of is None:
        raise InputError(FILE, "as_of", "missing (give it in the file or with --as-of)")
    day = _as_of(raw_as_of, FILE)
    households = data.get("households")
    if not isinstance(households, list) or not households:
        raise InputError(FILE, "households", "must be a non-empty list")
    requests, errors, seen = [], [], set()
    for i, item in enumerate(households):
        record = str(item.get("id")) if isinstance(item, Mapping) and item.get("id") is not None else f"#{i}"
        try:
            if record in seen:
                raise InputError(record, "id", "repeats another record's id")
            seen.add(record)
            prog = (item.get("programme") if isinstance(item, Mapping) else None) or programme \
                or data.get("programme")
            if prog not in PROGRAMMES:
                raise InputError(record, "programme",
                                 f"unknown programme {prog!r}; use {', '.join(PROGRAMMES)}")
            tenure = item.get("tenure") if isinstance(item, Mapping) else None
            if tenure is not None and tenure not in TENURES[prog]:
                raise InputError(record, "tenure", f"use one of {', '.join(TENURES[prog])}")
            pack = _pack((item.get("city") if isinstance(item, Mapping) else None) or city
                         or data.get("city"), record)
            requests.append(Request(Household.from_dict(item, record), prog, pack, tenure))
        except InputError as exc:
            errors.append(exc)
    return day, requests, errors


def decision_json(decision: Decision, lang: str | None = None) -> dict:
    out = decision.to_dict()
    if lang:
        out["message"] = render(decision.message_id, lang, {"programme": decision.programme})
        for rule, rule_out in zip(decision.rules, out["rules"]):
            rule_out["message"] = render_rule(rule, lang)
    return out


def run_request(day: dt.date, requests: list[Request], lang: str | None = None) -> dict:
    decisions = [evaluate(r.household, r.programme, r.pack, day, r.tenure) for r in requests]
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": day.isoformat(),
        "count": len(decisions),
        "eligible": sum(d.eligible for d in decisions),
        "decisions": [decision_json(d, lang) for d in decisions],
    }
