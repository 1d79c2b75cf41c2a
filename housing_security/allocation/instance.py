"""The round snapshot: plain dataclasses loaded from the instance JSON of the allocation contract, validated once at the door.

Everything downstream trusts these objects, so every refusal happens here and names the record and the field.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass, field

from housing_security.policy.vocabulary import PROGRAMMES

TIERS = ("due", "housed", "seniority", "preference", "fit")
# Tiers that depend only on which households are housed (a transversal matroid's independent sets).
MATROID_TIERS = ("due", "housed", "seniority")
# How the preference tier aggregates: "seniority" = lexicographic in queue order (households choose in 轮候 order),
# "sum" = the sum of preference ranks. Files without the field keep the first contract's meaning ("sum").
PREFERENCE_RULES = ("seniority", "sum")
# Second contract: what a unit is and how it is held; defaults keep old files' meaning.
KINDS = ("residential", "dormitory")
UNIT_TENURES = ("rental", "full_property", "shared_ownership")
DEFAULT_KIND, DEFAULT_TENURE = "residential", "rental"
ANY_GROUP = "*"  # size_bands given as a plain list: one set of bands for every kind and tenure


class InstanceError(ValueError):
    """Refused input; `record` and `field` say where, so a caseworker can fix the source file."""

    def __init__(self, record: str, field: str, message: str):
        super().__init__(f"{record}: {field}: {message}")
        self.record = record
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Band:
    index: int
    min_size: int
    max_size: int
    min_area: float
    max_area: float
    target_area: float
    group: str = ANY_GROUP  # the kind or tenure these bands apply to

    @property
    def label(self) -> str:
        return f"{self.min_size}-{self.max_size}"


@dataclass(frozen=True)
class Policy:
    coverage_months: int
    allocation_rate_target: float
    size_bands: tuple[Band, ...]
    tiers: tuple[str, ...]
    preference_rule: str = "sum"
    groups: tuple[str, ...] = (ANY_GROUP,)  # keys of size_bands (kinds or tenures), or ANY_GROUP

    def band_for(self, size: int, group: str | None = None) -> Band | None:
        for band in self.size_bands:
            if (group is None or band.group == group) and band.min_size <= size <= band.max_size:
                return band
        return None

    def group_of(self, kind: str, tenure: str) -> int:
        """Which set of size bands a unit falls under: its tenure's, else its kind's, else the plain list; -1 none."""
        for key in (tenure, kind, ANY_GROUP):
            if key in self.groups:
                return self.groups.index(key)
        return -1


@dataclass(frozen=True)
class Unit:
    id: str
    program: str
    district: str
    area_m2: float
    floor: int
    elevator: bool
    accessible: bool
    project: str = ""
    bedrooms: int | None = None
    rent_month: float | None = None
    kind: str = DEFAULT_KIND
    tenure: str = DEFAULT_TENURE
    group: int = 0  # index into policy.groups, resolved at load time (-1: no size bands for this unit)

    @property
    def low_floor_ok(self) -> bool:
        return self.floor <= 3 or self.elevator


@dataclass(frozen=True)
class Household:
    id: str
    program: str
    size: int
    approved_on: dt.date
    rank: int
    priority: str = "general"
    commitment: bool = False
    preferences: tuple[str, ...] = ()
    accept_any_district: bool = False
    needs_accessible: bool = False
    needs_low_floor: bool = False
    declined_units: frozenset[str] = frozenset()
    current_area_m2: float | None = None
    subsidy_month: float = 0.0
    band: int = 0  # index into policy.size_bands, resolved at load time (the first group's band)
    due: bool = False  # resolved at load time from the policy and the round dates
    kinds: tuple[str, ...] = (DEFAULT_KIND,)
    tenures: tuple[str, ...] = (DEFAULT_TENURE,)
    bands: tuple[int, ...] = (0,)  # per policy group: index into policy.size_bands, or -1

    def band_index_for(self, unit: Unit) -> int:
        """The size band (index into policy.size_bands) that judges this household for that unit, or -1."""
        return self.bands[unit.group] if unit.group >= 0 else -1


@dataclass
class Instance:
    city: str
    program: str
    date: dt.date
    next_round_date: dt.date
    policy: Policy
    total_units: int
    occupied_units: int
    units: list[Unit]
    households: list[Household]
    raw_round: dict = field(default_factory=dict)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months: same day of the month, or that month's last day where it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_due(approved_on: dt.date, commitment: bool, policy: Policy, next_round_date: dt.date) -> bool:
    return commitment and add_months(approved_on, policy.coverage_months) <= next_round_date


def natural_key(text: str) -> tuple:
    """'U2' before 'U10': ids are compared the way a person reading the list would."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)


class _Reader:
    """Typed access to one JSON record, raising InstanceError with the record's name on any bad field."""

    def __init__(self, data, record: str):
        if not isinstance(data, dict):
            raise InstanceError(record, "*", "must be an object")
        self.data, self.record = data, record

    def fail(self, name: str, message: str):
        raise InstanceError(self.record, name, message)

    def get(self, name: str, kind, default=..., minimum=None):
        if name not in self.data or self.data[name] is None:
            if default is ...:
                self.fail(name, "is required")
            return default
        value = self.data[name]
        if kind is bool:
            if not isinstance(value, bool):
                self.fail(name, f"must be true or false, not {value!r}")
        elif kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                self.fail(name, f"must be a whole number, not {value!r}")
        elif kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                self.fail(name, f"must be a number, not {value!r}")
            value = float(value)
        elif kind is str:
            if not isinstance(value, str) or not value.strip():
                self.fail(name, f"must be a non-empty text, not {value!r}")
        elif kind is dt.date:
            if not isinstance(value, str):
                self.fail(name, f"must be a date YYYY-MM-DD, not {value!r}")
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                self.fail(name, f"is not a date: {value!r}")
        elif kind is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.fail(name, "must be a list of texts")
        if minimum is not None and value < minimum:
            self.fail(name, f"must be at least {minimum}, not {value!r}")
        return value

    def program(self, name: str = "program") -> str:
        value = self.get(name, str)
        if value not in PROGRAMMES:
            self.fail(name, f"unknown programme {value!r} (known: {', '.join(PROGRAMMES)})")
        return value


def _load_policy(data) -> Policy:
    reader = _Reader(data, "policy")
    bands = []
    raw_bands = reader.get("size_bands", object)
    if isinstance(raw_bands, list):
        grouped = {ANY_GROUP: raw_bands}
    elif isinstance(raw_bands, dict) and raw_bands:
        grouped = raw_bands
        for key in grouped:
            if key not in KINDS + UNIT_TENURES:
                reader.fail("size_bands", f"unknown key {key!r} (a kind: {', '.join(KINDS)}; "
                                          f"or a tenure: {', '.join(UNIT_TENURES)})")
    else:
        reader.fail("size_bands", "must be a non-empty list, or an object of lists keyed by kind or tenure")
    for group, group_bands in grouped.items():
        where = "policy.size_bands" if group == ANY_GROUP else f"policy.size_bands.{group}"
        if not isinstance(group_bands, list) or not group_bands:
            reader.fail("size_bands" if group == ANY_GROUP else f"size_bands.{group}", "must be a non-empty list")
        first = len(bands)
        for position, raw in enumerate(group_bands):
            b = _Reader(raw, f"{where}[{position}]")
            band = Band(len(bands), b.get("min_size", int, minimum=1), b.get("max_size", int, minimum=1),
                        b.get("min_area", float, minimum=0), b.get("max_area", float, minimum=0),
                        b.get("target_area", float, minimum=0), group)
            if band.min_size > band.max_size:
                b.fail("max_size", "is below min_size")
            if band.min_area > band.max_area:
                b.fail("max_area", "is below min_area")
            for other in bands[first:]:
                if band.min_size <= other.max_size and other.min_size <= band.max_size:
                    b.fail("min_size", f"overlaps size band {other.index - first}; each household size needs one band")
            bands.append(band)
    tiers = tuple(reader.get("tiers", list, default=list(TIERS)))
    if sorted(tiers) != sorted(TIERS):
        reader.fail("tiers", f"must order exactly these tiers, each once: {', '.join(TIERS)}")
    rule = reader.get("preference_rule", str, default="sum")
    if rule not in PREFERENCE_RULES:
        reader.fail("preference_rule", f"unknown rule {rule!r} (known: {', '.join(PREFERENCE_RULES)})")
    target = reader.get("allocation_rate_target", float, minimum=0)
    if target > 1:
        reader.fail("allocation_rate_target", "is a share between 0 and 1")
    return Policy(reader.get("coverage_months", int, minimum=0), target, tuple(bands), tiers, rule,
                  tuple(grouped))


def _choice(r: _Reader, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = r.get(name, str, default=default)
    if value not in allowed:
        r.fail(name, f"unknown value {value!r} (known: {', '.join(allowed)})")
    return value


def _choices(r: _Reader, name: str, allowed: tuple[str, ...], default: str) -> tuple[str, ...]:
    values = r.get(name, list, default=[default])
    if not values:
        r.fail(name, "must list at least one value")
    for value in values:
        if value not in allowed:
            r.fail(name, f"unknown value {value!r} (known: {', '.join(allowed)})")
    return tuple(dict.fromkeys(values))


def _load_unit(raw, index: int, policy: Policy) -> Unit:
    r = _Reader(raw, f"units[{index}]")
    r.record = f"units[{index}] ({r.get('id', str)})"
    kind, tenure = _choice(r, "kind", KINDS, DEFAULT_KIND), _choice(r, "tenure", UNIT_TENURES, DEFAULT_TENURE)
    return Unit(id=r.get("id", str), program=r.program(), district=r.get("district", str),
                kind=kind, tenure=tenure, group=policy.group_of(kind, tenure),
                area_m2=r.get("area_m2", float, minimum=0), floor=r.get("floor", int),
                elevator=r.get("elevator", bool, default=False), accessible=r.get("accessible", bool, default=False),
                project=str(raw.get("project") or ""), bedrooms=r.get("bedrooms", int, default=None, minimum=0),
                rent_month=r.get("rent_month", float, default=None, minimum=0))


def _load_household(raw, index: int, policy: Policy, next_round: dt.date) -> Household:
    r = _Reader(raw, f"households[{index}]")
    r.record = f"households[{index}] ({r.get('id', str)})"
    size = r.get("size", int, minimum=1)
    per_group = [policy.band_for(size, group) for group in policy.groups]
    band = next((b for b in per_group if b is not None), None)
    if band is None:
        r.fail("size", f"no size band in policy.size_bands covers a household of {size}")
    approved_on = r.get("approved_on", dt.date)
    commitment = r.get("commitment", bool, default=False)
    preferences = tuple(r.get("preferences", list, default=[]))
    if len(set(preferences)) != len(preferences):
        r.fail("preferences", "lists a district twice")
    return Household(
        id=r.get("id", str), program=r.program(), size=size, approved_on=approved_on,
        rank=r.get("rank", int, minimum=1), priority=r.get("priority", str, default="general"),
        commitment=commitment, preferences=preferences,
        accept_any_district=r.get("accept_any_district", bool, default=False),
        needs_accessible=r.get("needs_accessible", bool, default=False),
        needs_low_floor=r.get("needs_low_floor", bool, default=False),
        declined_units=frozenset(r.get("declined_units", list, default=[])),
        current_area_m2=r.get("current_area_m2", float, default=None, minimum=0),
        subsidy_month=r.get("subsidy_month", float, default=0.0, minimum=0),
        band=band.index, due=is_due(approved_on, commitment, policy, next_round),
        kinds=_choices(r, "kinds", KINDS, DEFAULT_KIND), tenures=_choices(r, "tenures", UNIT_TENURES, DEFAULT_TENURE),
        bands=tuple(b.index if b is not None else -1 for b in per_group))


def load_instance(data: dict) -> Instance:
    """Validate and convert the JSON instance; raises InstanceError naming the record and field."""
    top = _Reader(data, "instance")
    rnd = _Reader(top.get("round", dict), "round")
    date, next_round = rnd.get("date", dt.date), rnd.get("next_round_date", dt.date)
    if next_round < date:
        rnd.fail("next_round_date", "is before the round date")
    policy = _load_policy(top.get("policy", dict))
    portfolio = _Reader(top.get("portfolio", dict, default={"total_units": 0, "occupied_units": 0}), "portfolio")
    total, occupied = portfolio.get("total_units", int, minimum=0), portfolio.get("occupied_units", int, minimum=0)
    if occupied > total:
        portfolio.fail("occupied_units", "exceeds total_units")
    raw_units, raw_households = top.get("units", object), top.get("households", object)
    for name, value in (("units", raw_units), ("households", raw_households)):
        if not isinstance(value, list):
            top.fail(name, "must be a list")
    units = [_load_unit(raw, i, policy) for i, raw in enumerate(raw_units)]
    households = [_load_household(raw, i, policy, next_round) for i, raw in enumerate(raw_households)]
    seen: dict[str, int] = {}
    for i, unit in enumerate(units):
        if unit.id in seen:
            raise InstanceError(f"units[{i}] ({unit.id})", "id", f"duplicate of units[{seen[unit.id]}]")
        seen[unit.id] = i
    seen_h: dict[str, int] = {}
    seen_rank: dict[int, int] = {}
    for i, hh in enumerate(households):
        record = f"households[{i}] ({hh.id})"
        if hh.id in seen_h:
            raise InstanceError(record, "id", f"duplicate of households[{seen_h[hh.id]}]")
        if hh.rank in seen_rank:
            raise InstanceError(record, "rank", f"rank {hh.rank} already held by households[{seen_rank[hh.rank]}]")
        seen_h[hh.id], seen_rank[hh.rank] = i, i
    return Instance(city=str(rnd.data.get("city") or ""), program=rnd.program(), date=date,
                    next_round_date=next_round, policy=policy, total_units=total, occupied_units=occupied,
                    units=units, households=households, raw_round=dict(rnd.data))
