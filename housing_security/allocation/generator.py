"""Realistic synthetic rounds: projects of many near-identical units, skewed household sizes and district
choices, a share of accessibility needs and of commitment households. Deterministic for a given seed."""
from __future__ import annotations

import datetime as dt
import json
import random
from functools import lru_cache
from pathlib import Path

DISTRICTS = ("xiaodian", "yingze", "xinghualing", "jiancaoping", "wanbailin", "jinyuan", "qingxu", "yangqu",
             "loufan", "gujiao")
# Demand concentrates in the central districts; new projects are built mostly at the edge — the usual mismatch.
DEMAND_WEIGHTS = (30, 22, 16, 10, 8, 5, 3, 3, 2, 1)
SUPPLY_WEIGHTS = (12, 8, 8, 10, 10, 14, 12, 10, 8, 8)
PRIORITIES = (("minimum_allowance", 0.22), ("special_hardship", 0.05), ("low_income", 0.55), ("elderly", 0.08),
              ("disabled", 0.05), ("veteran_family", 0.05))
SIZES = ((1, 0.28), (2, 0.30), (3, 0.26), (4, 0.11), (5, 0.05))
UNIT_TYPES = ((32.4, 0.25), (38.6, 0.10), (44.8, 0.25), (49.5, 0.10), (54.2, 0.18), (59.6, 0.06), (66.3, 0.06))


@lru_cache(maxsize=1)
def defaults() -> dict:
    return json.loads((Path(__file__).with_name("defaults.json")).read_text(encoding="utf-8"))


def default_policy() -> dict:
    d = defaults()
    return {"coverage_months": d["coverage_months"]["value"],
            "allocation_rate_target": d["allocation_rate_target"]["value"],
            "size_bands": d["size_bands"]["value"], "tiers": d["tiers"]["value"],
            "preference_rule": d["preference_rule"]["value"]}


def _pick(rng: random.Random, table):
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def subsidy_for(size: int) -> float:
    d = defaults()
    return float(size * d["subsidy_area_per_person"]["value"] * d["subsidy_per_m2_month"]["value"])


def make_units(rng: random.Random, count: int, start: int = 1, program: str = "public_rental",
               project_prefix: str = "P") -> list[dict]:
    units: list[dict] = []
    project = 0
    while len(units) < count:
        project += 1
        district = rng.choices(DISTRICTS, weights=SUPPLY_WEIGHTS)[0]
        size = min(count - len(units), rng.randint(60, 300))
        floors = rng.choice((6, 6, 11, 18, 26))
        elevator = floors > 6 or rng.random() < 0.2
        types = rng.sample([t for t, _ in UNIT_TYPES], k=rng.randint(1, 3))
        for _ in range(size):
            n = start + len(units)
            floor = rng.randint(1, floors)
            units.append({"id": f"U{n}", "program": program, "district": district,
                          "project": f"{project_prefix}{start}-{project}", "area_m2": rng.choice(types),
                          "bedrooms": 1, "floor": floor, "elevator": elevator,
                          "accessible": floor == 1 and rng.random() < 0.5, "rent_month": 0})
            units[-1]["bedrooms"] = 1 if units[-1]["area_m2"] < 45 else 2
            units[-1]["rent_month"] = round(units[-1]["area_m2"] * 5.6)
    return units


def make_household(rng: random.Random, n: int, approved_on: dt.date, program: str = "public_rental") -> dict:
    size = _pick(rng, SIZES)
    priority = _pick(rng, PRIORITIES)
    k = rng.choices((1, 2, 3), weights=(45, 35, 20))[0]
    prefs: list[str] = []
    while len(prefs) < k:
        d = rng.choices(DISTRICTS, weights=DEMAND_WEIGHTS)[0]
        if d not in prefs:
            prefs.append(d)
    return {"id": f"H{n}", "program": program, "size": size, "approved_on": approved_on.isoformat(),
            "priority": priority, "rank": 0,
            "commitment": priority in ("minimum_allowance", "special_hardship") and rng.random() < 0.9,
            "preferences": prefs, "accept_any_district": rng.random() < 0.12,
            "needs_accessible": priority == "disabled" or rng.random() < 0.02,
            "needs_low_floor": priority == "elderly" or rng.random() < 0.08,
            "declined_units": [], "current_area_m2": round(rng.uniform(5, 14) * size, 1),
            "subsidy_month": subsidy_for(size)}


PRIORITY_ORDER = {p: i for i, (p, _) in enumerate(PRIORITIES)}


def assign_ranks(households: list[dict], rng: random.Random) -> None:
    """City rule stand-in: priority group, then waiting time, then a seeded lottery for ties."""
    lottery = {h["id"]: rng.random() for h in households}
    order = sorted(households, key=lambda h: (PRIORITY_ORDER.get(h["priority"], 99), h["approved_on"],
                                              lottery[h["id"]]))
    for rank, hh in enumerate(order, start=1):
        hh["rank"] = rank


def generate_instance(households: int, units: int, seed: int, date: str = "2026-12-01",
                      city: str = "taiyuan", program: str = "public_rental") -> dict:
    rng = random.Random(seed)
    round_date = dt.date.fromisoformat(date)
    next_round = (round_date.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    unit_list = make_units(rng, units, program=program)
    hh_list = []
    for n in range(1, households + 1):
        # Recent approvals dominate a waiting list; a long tail has waited years.
        days = min(int(rng.expovariate(1 / 240)), 5 * 365)
        hh_list.append(make_household(rng, n, round_date - dt.timedelta(days=days), program))
    # A few households declined a unit still vacant in an earlier round.
    by_district: dict[str, list[str]] = {}
    for unit in unit_list:
        by_district.setdefault(unit["district"], []).append(unit["id"])
    for hh in rng.sample(hh_list, k=len(hh_list) // 100) if unit_list else []:
        pool = by_district.get(hh["preferences"][0]) or [u["id"] for u in unit_list[:50]]
        hh["declined_units"] = [rng.choice(pool)]
    assign_ranks(hh_list, rng)
    total = max(units, int(units / 0.12))
    return {"round": {"city": city, "program": program, "date": round_date.isoformat(),
                      "next_round_date": next_round.isoformat()},
            "policy": default_policy(),
            "portfolio": {"total_units": total, "occupied_units": total - units},
            "units": unit_list, "households": hh_list}
