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


def _band(policy, h, u):
    """The band for this household on this unit: size_bands is a list, or keyed by tenure, else by kind."""
    bands = policy["size_bands"]
    if isinstance(bands, dict):
        bands = bands.get(u.get("tenure", "rental")) or bands.get(u.get("kind", "residential")) or []
    return next((b for b in bands if b["min_size"] <= h["size"] <= b["max_size"]), None)


def compatible(h, u, policy) -> bool:
    band = _band(policy, h, u)
    return (h["program"] == u["program"] and band is not None
            and u.get("kind", "residential") in h.get("kinds", ["residential"])
            and u.get("tenure", "rental") in h.get("tenures", ["rental"])
            and band["min_area"] <= u["area_m2"] <= band["max_area"]
            and (u["district"] in h["preferences"] or h["accept_any_district"])
            and (not h["needs_accessible"] or u["accessible"])
            and (not h["needs_low_floor"] or u["floor"] <= 3 or u["elevator"])
            and u["id"] not in h["declined_units"])


def pref_rank(h, u) -> int:
    prefs = h["preferences"]
    return prefs.index(u["district"]) + 1 if u["district"] in prefs else len(prefs) + 1


def fit(h, u, policy) -> int:
    target = _band(policy, h, u)["target_area"]
    return int(abs(Decimal(str(u["area_m2"])) - Decimal(str(target))).quantize(Decimal(1), ROUND_HALF_UP))


def due(h, instance) -> bool:
    deadline = _plus_months(dt.date.fromisoformat(h["approved_on"]), instance["policy"]["coverage_months"])
    return h["commitment"] and deadline <= dt.date.fromisoformat(instance["round"]["next_round_date"])


def choice_value(h, u) -> int:
    """Preference by seniority: the district's rank if housed, len(preferences) + 2 if not."""
    return pref_rank(h, u) if u is not None else len(h["preferences"]) + 2


def all_matchings(instance: dict):
    """Every matching, as (households in rank order, tier values per matching, the choices)."""
    policy = instance["policy"]
    hs = sorted(instance["households"], key=lambda h: h["rank"])
    us = instance["units"]
    options = [[u for u in us if compatible(h, u, policy)] for h in hs]
    is_due = [due(h, instance) for h in hs]
    found = []
    choice = [None] * len(hs)

    def walk(i, used):
        if i == len(hs):
            housed = [k for k, u in enumerate(choice) if u is not None]
            found.append(({"due": -sum(is_due[k] for k in housed), "housed": -len(housed),
                           "seniority": tuple(0 if choice[k] is not None else 1 for k in range(len(hs))),
                           "sum": sum(pref_rank(hs[k], choice[k]) for k in housed),
                           "queue": tuple(choice_value(hs[k], choice[k]) for k in range(len(hs))),
                           "fit": sum(fit(hs[k], choice[k], policy) for k in housed)}, list(choice)))
            return
        choice[i] = None
        walk(i + 1, used)
        for u in options[i]:
            if u["id"] not in used:
                choice[i] = u
                walk(i + 1, used | {u["id"]})
        choice[i] = None

    walk(0, frozenset())
    return hs, found


def best_of(instance: dict, matchings, tiers, rule: str = "sum") -> dict:
    """The lexicographic optimum over `matchings` for one tier order and preference rule."""
    hs, found = matchings
    pref = "queue" if rule == "seniority" else "sum"
    names = [pref if t == "preference" else t for t in tiers]
    _values, best_choice = min(found, key=lambda item: tuple(item[0][t] for t in names))
    housed = [(hs[i], u) for i, u in enumerate(best_choice) if u is not None]
    return {"due": sum(1 for h, _ in housed if due(h, instance)), "housed": len(housed),
            "housed_ids": sorted(h["id"] for h, _ in housed),
            "preference": sum(pref_rank(h, u) for h, u in housed),
            "fit": sum(fit(h, u, instance["policy"]) for h, u in housed),
            "choices": [choice_value(h, u) for h, u in zip(hs, best_choice)]}


def best(instance: dict) -> dict:
    policy = instance["policy"]
    rule = policy.get("preference_rule", "sum")
    found = best_of(instance, all_matchings(instance), policy["tiers"], rule)
    if rule == "sum":
        del found["choices"]  # not a tier value under the sum rule: equal optima may differ there
    return found
