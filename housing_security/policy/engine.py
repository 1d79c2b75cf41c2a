"""The eligibility engine: (household, programme, city, as-of date) → Decision."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from .errors import ParameterError
from .household import Household
from .money import rent_subsidy_from
from .parameters import ParameterPack, ParamRef, jsonable, load_pack
from .rules import RULES, Context, RuleResult, age_on
from .units import area_range_from, default_tenure
from .vocabulary import PROGRAMMES, TENURES

DECISION_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Decision:
    household_id: str
    programme: str
    tenure: str
    city: str
    as_of: dt.date
    eligible: bool
    rules: list[RuleResult]
    area_range: tuple[Decimal, Decimal | None]
    area_parameters: list[ParamRef]
    priority_groups: list[str]
    commitment_applies: bool
    commitment_deadline: dt.date | None
    talent_level: str | None
    rent_subsidy_month: Decimal | None
    pack_hash: str
    extra_parameters: list[ParamRef] = field(default_factory=list)

    @property
    def failed_codes(self) -> list[str]:
        return [r.code for r in self.rules if not r.passed]

    @property
    def message_id(self) -> str:
        return "decision.eligible" if self.eligible else "decision.ineligible"

    def to_dict(self) -> dict:
        return {
            "schema_version": DECISION_SCHEMA_VERSION,
            "household_id": self.household_id,
            "programme": self.programme,
            "tenure": self.tenure,
            "city": self.city,
            "as_of": self.as_of.isoformat(),
            "eligible": self.eligible,
            "message_id": self.message_id,
            "failed_codes": self.failed_codes,
            "rules": [r.to_dict() for r in self.rules],
            "area_range": {"min_m2": jsonable(self.area_range[0]), "max_m2": jsonable(self.area_range[1]),
                           "parameters": [p.to_dict() for p in self.area_parameters]},
            "priority_groups": list(self.priority_groups),
            "commitment": {"applies": self.commitment_applies,
                           "deadline": jsonable(self.commitment_deadline),
                           "parameters": [p.to_dict() for p in self.extra_parameters]},
            "talent_level": self.talent_level,
            "rent_subsidy_month": jsonable(self.rent_subsidy_month),
            "pack_hash": self.pack_hash,
        }


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def priority_groups(ctx: Context) -> list[str]:
    """Declared groups plus those derived from members, in the city's queue ranking."""
    found = set(ctx.household.groups)
    elderly_age = ctx.snap["priority.elderly_age"].value
    if any(b is not None and age_on(b, ctx.as_of) >= elderly_age for b in ctx.births):
        found.add("elderly")
    if any(m.disability for m in ctx.household.members):
        found.add("disabled")
    order = ctx.snap["priority.group_order"].value
    return [g for g in order if g in found] + sorted(found.difference(order))


def _commitment(ctx: Context, eligible: bool, groups: list[str]):
    if ctx.programme != "public_rental":
        return False, None, []
    months, covered = ctx.snap["public_rental.commitment_months"], ctx.snap["public_rental.commitment_groups"]
    h = ctx.household
    applies = (eligible and h.hukou_city == ctx.city and h.hukou_type == "urban"
               and any(g in covered.value for g in groups))
    deadline = add_months(h.approved_on, int(months.value)) if applies and h.approved_on else None
    return applies, deadline, [months, covered]


def evaluate(household: Household, programme: str, city: str | ParameterPack, as_of: dt.date,
             tenure: str | None = None) -> Decision:
    """Apply the programme's rules in force on `as_of` in `city` (a code or a loaded pack).

    A household given as a JSON-shaped dict is parsed first (InputError if it is unusable)."""
    if not isinstance(household, Household):
        household = Household.from_dict(household)
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    if programme not in PROGRAMMES:
        raise ValueError(f"unknown programme {programme!r}")
    if tenure is not None and tenure not in TENURES[programme]:
        raise ValueError(f"tenure {tenure!r} does not belong to programme {programme!r}")
    pack = load_pack(city)
    ctx = Context(household, programme, pack.code, as_of, pack)
    if f"{programme}.rules" not in ctx.snap:
        raise ParameterError(f"{pack.code}: no {programme}.rules in force on {as_of.isoformat()}")
    results = [RULES[code](ctx) for code in ctx.snap[f"{programme}.rules"].value]
    eligible = all(r.passed for r in results)
    groups = priority_groups(ctx)
    chosen = tenure or default_tenure(ctx.snap, programme, ctx.talent_level)
    lo, hi, area_refs = area_range_from(ctx.snap, programme, chosen, len(household.members))
    applies, deadline, commitment_refs = _commitment(ctx, eligible, groups)
    subsidy = None
    if programme == "public_rental" and eligible:
        subsidy = rent_subsidy_from(ctx.snap, household, groups)[0]
    return Decision(
        household_id=household.id, programme=programme, tenure=chosen, city=pack.code, as_of=as_of,
        eligible=eligible, rules=results, area_range=(lo, hi), area_parameters=area_refs,
        priority_groups=groups, commitment_applies=applies, commitment_deadline=deadline,
        talent_level=ctx.talent_level, rent_subsidy_month=subsidy, pack_hash=pack.hash,
        extra_parameters=commitment_refs,
    )


def evaluate_many(households: Iterable[Household], programme: str, city: str | ParameterPack,
                  as_of: dt.date, tenure: str | None = None) -> list[Decision]:
    """Evaluate a batch (re-verification, allocation rounds) under one pack and date.

    Decisions hold no reference cycles, yet the cyclic garbage collector rescans the growing
    list on every full pass; for 100,000 households that doubled the run time, so the
    collector is paused for the batch and restored afterwards.
    """
    pack = load_pack(city)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return [evaluate(h, programme, pack, as_of, tenure) for h in households]
    finally:
        if was_enabled:
            gc.enable()
