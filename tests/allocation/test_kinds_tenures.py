"""Unit kinds (residential | dormitory) and tenures (rental | full_property | shared_ownership)."""
import itertools
import random

import pytest

from housing_security.allocation import InstanceError, load_instance, solve
from housing_security.allocation.compatibility import STAGES, failing_stage

from . import oracle
from .test_tier_orders import tiers_of
from .tiny import tiny_instance

ORDERS = list(itertools.permutations(["due", "housed", "seniority", "preference", "fit"]))


@pytest.mark.parametrize("chunk", range(3))
def test_mixed_kinds_and_tenures_match_exhaustive_search(chunk):
    for seed in range(chunk * 20, chunk * 20 + 20):
        tiers = ORDERS[0] if seed % 3 == 0 else random.Random(seed).choice(ORDERS)
        data = tiny_instance(9000 + seed, max_households=7, max_units=6, adversarial=seed % 2 == 0,
                             tiers=tiers, mixed=True)
        matchings = oracle.all_matchings(data)
        for rule in ("seniority", "sum"):
            data["policy"]["preference_rule"] = rule
            expected = oracle.best_of(data, matchings, list(tiers), rule)
            got = tiers_of(solve(data), data)
            if rule == "sum":
                del expected["choices"], got["choices"]
            assert got == expected, f"seed {seed}, rule {rule}"


def test_old_files_keep_their_meaning():
    data = tiny_instance(3)
    instance = load_instance(data)
    assert {(u.kind, u.tenure) for u in instance.units} <= {("residential", "rental")}
    assert all(h.kinds == ("residential",) and h.tenures == ("rental",) for h in instance.households)


def test_kind_tenure_and_their_bands_decide_compatibility():
    data = tiny_instance(0, mixed=True)
    data["units"] = [
        {"id": "D1", "program": "public_rental", "district": "a", "area_m2": 30, "floor": 1, "kind": "dormitory"},
        {"id": "D2", "program": "public_rental", "district": "a", "area_m2": 50, "floor": 1, "kind": "dormitory"},
        {"id": "S1", "program": "public_rental", "district": "a", "area_m2": 80, "floor": 1,
         "tenure": "shared_ownership"},
        {"id": "R1", "program": "public_rental", "district": "a", "area_m2": 30, "floor": 1}]
    data["households"] = [{"id": "H1", "program": "public_rental", "size": 1, "approved_on": "2026-01-01",
                           "rank": 1, "preferences": ["a"], "kinds": ["dormitory"],
                           "tenures": ["rental", "shared_ownership"]}]
    instance = load_instance(data)
    hh = instance.households[0]
    stages = {u.id: STAGES[failing_stage(hh, u, instance.policy)] if failing_stage(hh, u, instance.policy) < len(
        STAGES) else "ok" for u in instance.units}
    # D2 is a dormitory above the dormitory band; S1 is residential; R1 is residential too
    assert stages == {"D1": "ok", "D2": "size_band", "S1": "kind", "R1": "kind"}
    assert [a["unit"] for a in solve(data)["assignments"]] == ["D1"]


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["units"][0].update(kind="villa"), "kind"),
    (lambda d: d["units"][0].update(tenure="lease"), "tenure"),
    (lambda d: d["households"][0].update(kinds=["palace"]), "kinds"),
    (lambda d: d["households"][0].update(tenures=[]), "tenures"),
    (lambda d: d["policy"].update(size_bands={"castle": []}), "size_bands"),
])
def test_bad_kinds_and_tenures_are_refused_naming_the_field(mutate, field):
    data = tiny_instance(1, adversarial=True)
    mutate(data)
    with pytest.raises(InstanceError) as caught:
        load_instance(data)
    assert caught.value.field == field
