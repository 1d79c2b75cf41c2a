"""Hard compatibility and the two per-pair costs (preference rank, area fit), exactly as the allocation contract states them.

`STAGES` is also the order in which explanations test constraints: the first stage that leaves nothing
compatible is the one an applicant is told about.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .instance import Household, Policy, Unit

STAGES = ("program", "kind", "tenure", "size_band", "district", "accessibility", "low_floor", "declined")
COMPATIBLE = len(STAGES)


def in_band(unit: Unit, band) -> bool:
    return band.min_area <= unit.area_m2 <= band.max_area


def district_ok(household: Household, district: str) -> bool:
    return household.accept_any_district or district in household.preferences


def failing_stage(household: Household, unit: Unit, policy: Policy) -> int:
    """Index in STAGES of the first constraint the pair breaks, or COMPATIBLE."""
    if household.program != unit.program:
        return 0
    if unit.kind not in household.kinds:
        return 1
    if unit.tenure not in household.tenures:
        return 2
    band = household.band_index_for(unit)
    if band < 0 or not in_band(unit, policy.size_bands[band]):
        return 3
    if not district_ok(household, unit.district):
        return 4
    if household.needs_accessible and not unit.accessible:
        return 5
    if household.needs_low_floor and not unit.low_floor_ok:
        return 6
    if unit.id in household.declined_units:
        return 7
    return COMPATIBLE


def pair_fit(household: Household, unit: Unit, policy: Policy) -> int:
    """The fit cost of a compatible pair: against the target of the band that judges this household there."""
    return area_fit(unit.area_m2, policy.size_bands[household.band_index_for(unit)].target_area)


def is_compatible(household: Household, unit: Unit, policy: Policy) -> bool:
    return failing_stage(household, unit, policy) == COMPATIBLE


def preference_rank(household: Household, district: str) -> int:
    """1 = first listed district; a district reached only through accept_any_district ranks after all listed."""
    try:
        return household.preferences.index(district) + 1
    except ValueError:
        return len(household.preferences) + 1


def area_fit(area_m2: float, target_area: float) -> int:
    """|area − target| in whole m², rounded half up; Decimal so that 45.5 never becomes 45.4999."""
    diff = abs(Decimal(repr(area_m2)) - Decimal(repr(target_area)))
    return int(diff.quantize(Decimal(1), rounding=ROUND_HALF_UP))
