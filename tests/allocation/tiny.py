"""Random small instances for the oracle and property tests, including adversarial shapes where
first-come-first-served loses due households or leaves units empty."""
from __future__ import annotations

import random

BANDS = [{"min_size": 1, "max_size": 2, "min_area": 20, "max_area": 50, "target_area": 35},
         {"min_size": 3, "max_size": 5, "min_area": 40, "max_area": 80, "target_area": 60.5}]
DISTRICTS = ["xiaodian", "yingze", "jiancaoping"]


def tiny_instance(seed: int, max_households: int = 8, max_units: int = 6, adversarial: bool = False,
                  tiers=None, mixed: bool = False) -> dict:
    """`mixed`: units of both kinds and every tenure, households accepting some, size bands keyed by both."""
    rng = random.Random(seed)
    n_units = rng.randint(0 if not adversarial else 2, max_units)
    n_households = rng.randint(0 if not adversarial else 3, max_households)
    units = []
    for i in range(n_units):
        units.append({"id": f"U{i + 1}", "program": "public_rental" if rng.random() < 0.95 else "talent",
                      "district": rng.choice(DISTRICTS[:2] if adversarial else DISTRICTS),
                      "project": f"P{rng.randint(1, 2)}",
                      "area_m2": rng.choice([25, 34.5, 35.5, 45, 45.5, 45.5, 60, 61, 79.5, 85]),
                      "bedrooms": 1, "floor": rng.randint(1, 8), "elevator": rng.random() < 0.4,
                      "accessible": rng.random() < 0.4, "rent_month": 300})
        if mixed:
            units[-1]["kind"] = rng.choice(["residential", "dormitory"])
            units[-1]["tenure"] = rng.choice(["rental", "rental", "shared_ownership", "full_property"])
    ranks = list(range(1, n_households + 1))
    rng.shuffle(ranks)
    households = []
    for i in range(n_households):
        prefs = rng.sample(DISTRICTS, rng.randint(1, 3) if adversarial or rng.random() < 0.9 else 0)
        # Adversarial: junior due households with narrow needs, senior flexible ones that grab their units.
        junior = ranks[i] > n_households // 2
        commitment = rng.random() < (0.8 if adversarial and junior else 0.35)
        approved = "2026-05-01" if rng.random() < 0.7 else "2026-09-15"
        declined = [u["id"] for u in units if rng.random() < 0.06]
        households.append({
            "id": f"H{i + 1}", "program": "public_rental", "size": rng.choice([1, 1, 2, 3, 4]),
            "approved_on": approved, "priority": rng.choice(["minimum_allowance", "low_income"]),
            "rank": ranks[i], "commitment": commitment, "preferences": prefs,
            "accept_any_district": (not adversarial or not junior) and rng.random() < 0.3,
            "needs_accessible": rng.random() < 0.1, "needs_low_floor": rng.random() < 0.2,
            "declined_units": declined, "current_area_m2": 12.0, "subsidy_month": 400})
        if mixed:
            households[-1]["kinds"] = rng.choice([["residential"], ["dormitory"], ["dormitory", "residential"]])
            households[-1]["tenures"] = rng.choice([["rental"], ["shared_ownership"], ["rental", "full_property"]])
    bands = [dict(b) for b in BANDS]
    if mixed:  # dormitories 20–45 m² for 1–2 persons only; shared ownership 40–85 m² for everyone
        bands = {"dormitory": [{"min_size": 1, "max_size": 2, "min_area": 20, "max_area": 45, "target_area": 30}],
                 "shared_ownership": [{"min_size": 1, "max_size": 9, "min_area": 40, "max_area": 85,
                                       "target_area": 60}],
                 "residential": [dict(b) for b in BANDS]}
    return {"round": {"city": "taiyuan", "program": "public_rental", "date": "2026-12-01",
                      "next_round_date": "2027-01-01"},
            "policy": {"coverage_months": 6, "allocation_rate_target": 0.9, "size_bands": bands,
                       "tiers": list(tiers or ["due", "housed", "seniority", "preference", "fit"])},
            "portfolio": {"total_units": 40, "occupied_units": 34},
            "units": units, "households": households}
