"""Unit-size rules: which floor areas a household may be offered under each programme and tenure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from .parameters import ParameterPack, ParamRef, load_pack
from .vocabulary import TENURES

ZERO = Decimal(0)


def area_range_from(snap: Mapping[str, ParamRef], programme: str, tenure: str, members: int):
    """(min m², max m² or None for "by need", parameters used) from a pack snapshot."""
    if tenure not in TENURES.get(programme, ()):
        raise ValueError(f"tenure {tenure!r} does not belong to programme {programme!r}")
    if programme == "public_rental":
        cap, per_person, bands = (snap["public_rental.unit_area_max"],
                                  snap["public_rental.area_per_person_min"],
                                  snap["public_rental.area_bands"])
        band = next((b for b in bands.value if members <= b["max_members"]), bands.value[-1])
        hi = min(Decimal(band["max_m2"]), Decimal(cap.value))
        lo = min(Decimal(per_person.value) * members, hi)
        return lo, hi, [bands, cap, per_person]
    if programme == "subsidized_rental":
        if tenure == "dormitory":
            a, b = snap["subsidized_rental.dormitory_area_min"], snap["subsidized_rental.dormitory_area_max"]
            return Decimal(a.value), Decimal(b.value), [a, b]
        m = snap["subsidized_rental.residential_area_max"]
        return ZERO, Decimal(m.value), [m]
    if programme == "talent":
        if tenure == "shared_ownership":
            a, b = snap["talent.shared_area_min"], snap["talent.shared_area_max"]
            return Decimal(a.value), Decimal(b.value), [a, b]
        ref = snap["talent.rental_area_max" if tenure == "rental" else "talent.full_property_area_max"]
        return ZERO, None if ref.value is None else Decimal(ref.value), [ref]
    m = snap["shared_ownership.unit_area_max"]
    return ZERO, Decimal(m.value), [m]


def default_tenure(snap: Mapping[str, ParamRef], programme: str, talent_level: str | None) -> str:
    if programme == "talent" and talent_level:
        return snap["talent.primary_tenure"].value[talent_level]
    return TENURES[programme][0]


def _size_and_level(household, snap) -> tuple[int, str | None]:
    if isinstance(household, int):
        return household, None
    category = household.applicant.talent_category
    return len(household.members), snap["talent.catalogue"].value.get(category) if category else None


def allowed_area_range(household, programme: str, city: str | ParameterPack, as_of: dt.date,
                       tenure: str | None = None) -> tuple[Decimal, Decimal | None]:
    """(min, max) floor area in m² for a Household (or a household size); max None = by need."""
    snap = load_pack(city).at(as_of)
    size, level = _size_and_level(household, snap)
    lo, hi, _ = area_range_from(snap, programme, tenure or default_tenure(snap, programme, level), size)
    return lo, hi


def unit_fits(area_m2, household, programme: str, city: str | ParameterPack, as_of: dt.date,
              tenure: str | None = None) -> bool:
    lo, hi = allowed_area_range(household, programme, city, as_of, tenure)
    area = Decimal(str(area_m2))
    return lo <= area and (hi is None or area <= hi)


UNIT_KINDS = ("apartment", "dormitory")


def unit_tenure(programme: str, tenure: str | None, kind: str) -> str:
    """The tenure a unit of the stock is held under: its own where it has one, else the programme's first —
    except that a subsidized-rental dormitory is of the dormitory type (plan §4(2))."""
    if tenure:
        return tenure
    if programme == "subsidized_rental" and kind == "dormitory":
        return "dormitory"
    return TENURES[programme][0]


def unit_area_limits(snap: Mapping[str, ParamRef], programme: str, tenure: str | None, kind: str = "apartment"):
    """(min m² or 0, max m² or None for "by need", parameters used) of a single unit of the stock under its
    programme and tenure, from a pack snapshot: public rental at most the pack's unit cap; subsidized rental
    dormitories 20–45 m², residential at most 70 m² (plan §4(2)); talent rental at most 90 m², shared ownership
    90–120 m², full property by need (plan box 1); shared-ownership homes at most the city's cap."""
    tenure = unit_tenure(programme, tenure, kind)
    if programme == "public_rental":
        cap = snap["public_rental.unit_area_max"]
        return ZERO, Decimal(cap.value), [cap]
    lo, hi, refs = area_range_from(snap, programme, tenure, 1)
    return lo, hi, refs


def area_within_limits(area_m2, lo: Decimal, hi: Decimal | None) -> bool:
    area = Decimal(str(area_m2))
    return area > ZERO and lo <= area and (hi is None or area <= hi)
