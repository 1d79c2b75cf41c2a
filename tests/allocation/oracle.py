"""Exhaustive oracle, written from ALLOCATION.md alone on the raw JSON: it shares no code with the package.

It enumerates every matching and keeps the lexicographically best by the policy's tier order.
"""
from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal


def _plus_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _band(policy, size):
    return next(b for b in policy["size_bands"] if b["min_size"] <= size <= b["max_size"])


def compatible(h, u, policy) -> bool:
    band = _band(policy, h["size"])
    return (h["program"] == u["program"] and band["min_area"] <= u["area_m2"] <= band["max_area"]
            and (u["district"] in h["preferences"] or h["accept_any_district"])
            and (not h["needs_accessible"] or u["accessible"])
            and (not h["needs_low_floor"] or u["floor"] <= 3 or u["elevator"])
            and u["id"] not in h["declined_units"])


def pref_rank(h, u) -> int:
    prefs = h["preferences"]
    return prefs.index(u["district"]) + 1 if u["district"] in prefs else len(prefs) + 1


def fit(h, u, policy) -> int:
    target = _band(policy, h["size"])["target_area"]
    return int(abs(Decimal(str(u["area_m2"])) - Decimal(str(target))).quantize(Decimal(1), ROUND_HALF_UP))


def due(h, instance) -> bool:
    deadline = _plus_months(dt.date.fromisoformat(h["approved_on"]), instance["policy"]["coverage_months"])
    return h["commitment"] and deadline <= dt.date.fromisoformat(instance["round"]["next_round_date"])


def best(instance: dict) -> dict:
    policy = instance["policy"]
    hs = sorted(instance["households"], key=lambda h: h["rank"])
    us = instance["units"]
    options = [[u for u in us if compatible(h, u, policy)] for h in hs]
    is_due = [due(h, instance) for h in hs]

    def key(choice):
        housed = [i for i, u in enumerate(choice) if u is not None]
        values = {"due": -sum(is_due[i] for i in housed), "housed": -len(housed),
                  "seniority": tuple(0 if choice[i] is not None else 1 for i in range(len(hs))),
                  "preference": sum(pref_rank(hs[i], choice[i]) for i in housed),
                  "fit": sum(fit(hs[i], choice[i], policy) for i in housed)}
        return tuple(values[t] for t in policy["tiers"])

    best_key, best_choice = None, None
    choice = [None] * len(hs)

    def walk(i, used):
        nonlocal best_key, best_choice
        if i == len(hs):
            k = key(choice)
            if best_key is None or k < best_key:
                best_key, best_choice = k, list(choice)
            return
        choice[i] = None
        walk(i + 1, used)
        for u in options[i]:
            if u["id"] not in used:
                choice[i] = u
                walk(i + 1, used | {u["id"]})
        choice[i] = None

    walk(0, frozenset())
    housed = [(hs[i], u) for i, u in enumerate(best_choice) if u is not None]
    return {"due": sum(1 for h, _ in housed if due(h, instance)), "housed": len(housed),
            "housed_ids": sorted(h["id"] for h, _ in housed),
            "preference": sum(pref_rank(h, u) for h, u in housed),
            "fit": sum(fit(h, u, policy) for h, u in housed)}
