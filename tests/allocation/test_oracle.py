"""The optimiser's tier values must equal an exhaustive search's on hundreds of small instances."""
import pytest

from housing_security.allocation import compare, solve

from . import oracle
from .tiny import tiny_instance


def _tiers(result):
    return {"due": result["objective"]["due"], "housed": result["objective"]["housed"],
            "housed_ids": sorted(a["household"] for a in result["assignments"]),
            "preference": result["objective"]["preference"], "fit": result["objective"]["fit"]}


@pytest.mark.parametrize("chunk", range(4))
def test_optimiser_matches_exhaustive_search(chunk):
    # 4 × 60 = 240 instances, half of them adversarial for first-come-first-served
    for seed in range(chunk * 60, chunk * 60 + 60):
        instance = tiny_instance(seed, adversarial=seed % 2 == 0)
        assert _tiers(solve(instance)) == oracle.best(instance), f"seed {seed}"


@pytest.mark.parametrize("tiers", [["housed", "due", "seniority", "fit", "preference"],
                                   ["seniority", "due", "housed", "preference", "fit"],
                                   ["due", "seniority", "housed", "fit", "preference"]])
def test_other_tier_orders_match_exhaustive_search(tiers):
    for seed in range(40):
        instance = tiny_instance(1000 + seed, adversarial=seed % 2 == 0, tiers=tiers)
        assert _tiers(solve(instance)) == oracle.best(instance), f"seed {seed}"


def test_adversarial_instances_show_fifo_losing():
    lost_due = left_empty = 0
    for seed in range(0, 200, 2):
        report = compare(tiny_instance(seed, adversarial=True))
        assert report["lexicographic"]["better"] in ("optimal", "equal")
        lost_due += report["tiers"]["due"]["better"] == "optimal"
        left_empty += report["metrics"]["units_allocated"]["fifo"] < report["metrics"]["units_allocated"]["optimal"]
    assert lost_due >= 10 and left_empty >= 3


def test_fifo_walks_in_rank_order_taking_best_preference_then_fit_then_id():
    instance = tiny_instance(0)
    instance["units"] = [
        {"id": "U10", "program": "public_rental", "district": "a", "area_m2": 35, "floor": 1},
        {"id": "U2", "program": "public_rental", "district": "a", "area_m2": 35, "floor": 5},
        {"id": "U3", "program": "public_rental", "district": "b", "area_m2": 35, "floor": 1},
        {"id": "U4", "program": "public_rental", "district": "a", "area_m2": 30, "floor": 1}]
    instance["households"] = [
        {"id": "H1", "program": "public_rental", "size": 1, "approved_on": "2026-10-01", "rank": 2,
         "preferences": ["a", "b"]},
        {"id": "H2", "program": "public_rental", "size": 1, "approved_on": "2026-10-01", "rank": 1,
         "preferences": ["a"]},
        {"id": "H3", "program": "public_rental", "size": 1, "approved_on": "2026-10-01", "rank": 3,
         "preferences": ["b", "a"]}]
    result = solve(instance, method="fifo")
    assert {a["household"]: a["unit"] for a in result["assignments"]} == {"H2": "U2", "H1": "U10", "H3": "U3"}
