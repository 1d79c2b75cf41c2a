"""One function per rule code of the eligibility contract (policy README); each returns a RuleResult with its trace.

A rule reads the household and the parameters in force (a pack snapshot) and records
the inputs and ParamRefs it used, so a decision can be explained and re-checked later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .errors import InvalidIdNumber
from .household import Household
from .idnumber import mask_id_number, validate_id_number
from .parameters import ParameterPack, ParamRef, jsonable

CENT = Decimal("0.01")

# Citations for rules that read no parameter; rules that do cite their parameters.
_FIXED_CITATIONS = {
    "id_number_valid": "GB 11643-1999 (citizen identification number: MOD 11-2 check digit, birth date)",
    "no_other_benefit": "national practice: one housing-security benefit per household (住建部令第11号)",
    "no_local_home": "plan §4(2), §4(4): housing difficulty of new citizens, young people and talents",
    "local_employment": "plan §4(2): new citizens working in the city (labour contract or social insurance)",
}


@dataclass(frozen=True, slots=True)
class RuleResult:
    code: str
    passed: bool
    inputs: dict
    parameters: list
    citation: str
    message_id: str

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "passed": self.passed,
            "inputs": jsonable(self.inputs),
            "parameters": [p.to_dict() for p in self.parameters],
            "citation": self.citation,
            "message_id": self.message_id,
        }


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class Context:
    """What every rule may read; per-member facts are worked out once and shared."""

    __slots__ = ("household", "programme", "city", "as_of", "snap", "pack", "births", "id_problems",
                 "talent_level")

    def __init__(self, household: Household, programme: str, city: str, as_of: dt.date,
                 pack: ParameterPack):
        self.household = household
        self.programme = programme
        self.city = city
        self.as_of = as_of
        self.pack = pack
        self.snap = pack.at(as_of)
        self.births: list[dt.date | None] = []
        self.id_problems: list[dict] = []
        seen: dict[str, int] = {}
        for i, m in enumerate(household.members):
            try:
                birth = validate_id_number(m.id_number, as_of)
            except InvalidIdNumber as exc:
                self.id_problems.append({"member": i, "id_number": mask_id_number(m.id_number),
                                         "reason": exc.reason})
                birth = None
            else:
                if m.birth_date is not None and m.birth_date != birth:
                    self.id_problems.append({"member": i, "id_number": mask_id_number(m.id_number),
                                             "reason": "birth_date_mismatch"})
            if m.id_number in seen:
                self.id_problems.append({"member": i, "id_number": mask_id_number(m.id_number),
                                         "reason": "duplicate", "same_as": seen[m.id_number]})
            seen.setdefault(m.id_number, i)
            self.births.append(birth or m.birth_date)
        self.talent_level = None
        category = household.applicant.talent_category
        if category is not None and "talent.catalogue" in self.snap:
            self.talent_level = self.snap["talent.catalogue"].value.get(category)

    def ref(self, name: str) -> ParamRef:
        return self.snap[name]

    def cite(self, *refs: ParamRef) -> str:
        return "; ".join(self.pack.params[r.name].citation for r in refs)


def _result(code: str, passed: bool, inputs: dict, params: list, citation: str) -> RuleResult:
    return RuleResult(code, passed, inputs, params, citation,
                      f"rule.{code}.passed" if passed else f"rule.{code}.failed")


def id_number_valid(ctx: Context) -> RuleResult:
    return _result("id_number_valid", not ctx.id_problems,
                   {"members": len(ctx.household.members), "problems": ctx.id_problems}, [],
                   _FIXED_CITATIONS["id_number_valid"])


def applicant_adult(ctx: Context) -> RuleResult:
    ref = ctx.ref("eligibility.adult_age")
    index = next(i for i, m in enumerate(ctx.household.members) if m.relation == "self")
    birth = ctx.births[index]
    age = None if birth is None else age_on(birth, ctx.as_of)
    return _result("applicant_adult", age is not None and age >= ref.value,
                   {"applicant_age": age, "birth_date": birth}, [ref], ctx.cite(ref))


def program_offered(ctx: Context) -> RuleResult:
    ref = ctx.ref("programmes.offered")
    return _result("program_offered", ctx.programme in ref.value,
                   {"programme": ctx.programme, "city": ctx.city}, [ref], ctx.cite(ref))


def no_other_benefit(ctx: Context) -> RuleResult:
    benefit = ctx.household.other_benefit
    return _result("no_other_benefit", benefit is None, {"other_benefit": benefit}, [],
                   _FIXED_CITATIONS["no_other_benefit"])


def local_urban_hukou(ctx: Context) -> RuleResult:
    ref = ctx.ref(f"{ctx.programme}.hukou_types")
    h = ctx.household
    passed = h.hukou_city == ctx.city and h.hukou_type in ref.value
    return _result("local_urban_hukou", passed,
                   {"hukou_city": h.hukou_city, "hukou_type": h.hukou_type, "city": ctx.city},
                   [ref], ctx.cite(ref))


def per_capita_income(household: Household) -> Decimal:
    total = sum((m.income_month for m in household.members), Decimal(0))
    return (total / len(household.members)).quantize(CENT, rounding=ROUND_HALF_UP)


def income_limit(ctx: Context) -> RuleResult:
    ref = ctx.ref(f"{ctx.programme}.income_limit_month")
    income = per_capita_income(ctx.household)
    return _result("income_limit", income <= ref.value, {"per_capita_income_month": income},
                   [ref], ctx.cite(ref))


def housing_area_limit(ctx: Context) -> RuleResult:
    ref = ctx.ref(f"{ctx.programme}.housing_area_limit")
    h = ctx.household
    # Compared as a fraction (area ≤ limit × members) so no rounding can flip the result.
    passed = h.current_area_m2 <= ref.value * len(h.members)
    per_capita = (h.current_area_m2 / len(h.members)).quantize(CENT, rounding=ROUND_HALF_UP)
    return _result("housing_area_limit", passed,
                   {"current_area_m2": h.current_area_m2, "members": len(h.members),
                    "per_capita_area_m2": per_capita}, [ref], ctx.cite(ref))


def asset_limit(ctx: Context) -> RuleResult:
    ref = ctx.ref(f"{ctx.programme}.asset_limit")
    assets = ctx.household.assets_yuan
    return _result("asset_limit", assets <= ref.value, {"assets_yuan": assets}, [ref], ctx.cite(ref))


def no_local_home(ctx: Context) -> RuleResult:
    owners = [i for i, m in enumerate(ctx.household.members) if m.owns_home_in_city]
    return _result("no_local_home", not owners, {"owners": owners}, [],
                   _FIXED_CITATIONS["no_local_home"])


def local_employment(ctx: Context) -> RuleResult:
    a = ctx.household.applicant
    return _result("local_employment", a.employed_locally or a.social_insurance_local,
                   {"employed_locally": a.employed_locally,
                    "social_insurance_local": a.social_insurance_local}, [],
                   _FIXED_CITATIONS["local_employment"])


def talent_certified(ctx: Context) -> RuleResult:
    ref = ctx.ref("talent.catalogue")
    return _result("talent_certified", ctx.talent_level is not None,
                   {"talent_category": ctx.household.applicant.talent_category,
                    "talent_level": ctx.talent_level}, [ref], ctx.cite(ref))


RULES: Mapping[str, Callable[[Context], RuleResult]] = {
    f.__name__: f
    for f in (id_number_valid, applicant_adult, program_offered, no_other_benefit, local_urban_hukou,
              income_limit, housing_area_limit, asset_limit, no_local_home, local_employment,
              talent_certified)
}
