"""Money rules: rent subsidy, subsidized-rental rent ceiling, talent-housing prices and resale.

Every amount is a Decimal rounded to fen (0.01) half-up, the way a payment is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from .parameters import ParameterPack, ParamRef, load_pack

CENT = Decimal("0.01")
ZERO = Decimal(0)


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def subsidy_amount(members: int, current_area_m2, standard_area_per_person, rate_per_m2,
                   cap=None) -> Decimal:
    """(standard area × members − existing area) × rate, never negative, at most `cap`."""
    shortfall = Decimal(str(standard_area_per_person)) * members - Decimal(str(current_area_m2))
    amount = max(shortfall, ZERO) * Decimal(str(rate_per_m2))
    if cap is not None:
        amount = min(amount, Decimal(str(cap)))
    return money(amount)


def subsidy_group(groups, rates: Mapping) -> str:
    """The household's group that earns the highest rate; `other` when none has its own rate."""
    own = [g for g in groups if g in rates and g != "other"]
    return max(own, key=lambda g: (Decimal(str(rates[g])), g)) if own else "other"


def rent_subsidy_from(snap: Mapping[str, ParamRef], household, groups=None):
    """(amount, inputs, parameters used) from a pack snapshot."""
    std, rates, cap = (snap["rent_subsidy.standard_area_per_person"], snap["rent_subsidy.rate_month"],
                       snap["rent_subsidy.cap_month"])
    group = subsidy_group(household.groups if groups is None else groups, rates.value)
    amount = subsidy_amount(len(household.members), household.current_area_m2, std.value,
                            rates.value[group], cap.value)
    inputs = {"members": len(household.members), "current_area_m2": household.current_area_m2,
              "rate_group": group}
    return amount, inputs, [std, rates, cap]


def rent_subsidy(household, city: str | ParameterPack, as_of: dt.date) -> Decimal:
    """Monthly rent subsidy in yuan for a household under the city's parameters."""
    return rent_subsidy_from(load_pack(city).at(as_of), household)[0]


def subsidized_rent_ceiling(market_rent, city: str | ParameterPack, as_of: dt.date) -> Decimal:
    """Highest subsidized-rental rent for a unit whose comparable market rent is `market_rent`."""
    ratio = load_pack(city).value("subsidized_rental.rent_ratio_max", as_of)
    return money(Decimal(str(market_rent)) * ratio)


def talent_price(cost, tenure: str, city: str | ParameterPack, as_of: dt.date) -> Decimal:
    """Sale price of talent housing: full property at cost plus the margin, shared ownership at cost."""
    pack = load_pack(city)
    cost = Decimal(str(cost))
    if tenure == "full_property":
        return money(cost * (1 + pack.value("talent.full_property_markup", as_of)))
    if tenure == "shared_ownership":
        return money(cost * Decimal(str(pack.value("talent.shared_price_factor", as_of))))
    raise ValueError(f"talent tenure {tenure!r} is not sold")


def resale_allowed(city: str | ParameterPack, as_of: dt.date, *, work_started: dt.date | None = None,
                   full_time_years=None) -> bool:
    """May a full-property talent home enter the market (subject to government approval)?

    Give either the date full-time local work began or the accumulated years of it.
    """
    years = load_pack(city).value("talent.resale_years", as_of)
    if full_time_years is not None:
        return Decimal(str(full_time_years)) >= years
    if work_started is None:
        raise ValueError("give work_started or full_time_years")
    try:
        threshold = work_started.replace(year=work_started.year + int(years))
    except ValueError:  # 29 February
        threshold = work_started.replace(year=work_started.year + int(years), day=28)
    return as_of >= threshold


def buyback_price(cost_at_transfer, city: str | ParameterPack, as_of: dt.date) -> Decimal:
    """Government buy-back price of a shared-ownership talent home: cost at the time of transfer."""
    factor = load_pack(city).value("talent.buyback_price_factor", as_of)
    return money(Decimal(str(cost_at_transfer)) * Decimal(str(factor)))
