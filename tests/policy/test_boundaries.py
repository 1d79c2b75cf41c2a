"""Every eligibility limit at, just under and just over its boundary, and each single condition of every rule.

Limits are read from the city's pack, never written here: a test states the rule (area ÷ members against the
per-capita limit, income per person rounded to fen half up, assets against the household limit, ages on `as_of`),
the pack supplies the figure.
"""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from housing_security.policy import Household, evaluate, load_pack, make_id_number
from housing_security.policy.engine import priority_groups
from housing_security.policy.idnumber import mask_id_number
from housing_security.policy.rules import RULES, Context, age_on, per_capita_income

from .conftest import AS_OF, household_dict

CITY = "taiyuan"
PACK = load_pack(CITY)
CENT = Decimal("0.01")


def limit(name: str) -> Decimal:
    return Decimal(str(PACK.value(name, AS_OF)))


def rule(decision, code: str):
    return next(r for r in decision.rules if r.code == code)


def decide(programme="public_rental", as_of=AS_OF, **kw):
    return evaluate(Household.from_dict(household_dict(**kw)), programme, CITY, as_of)


def run_rule(code: str, household: Household, programme="public_rental", as_of=AS_OF):
    return RULES[code](Context(household, programme, CITY, as_of, PACK))


# --- housing area: area ÷ members against the per-capita limit ---------------------------------------------------

@pytest.mark.parametrize("members", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("delta,passes", [(Decimal("-0.01"), True), (Decimal(0), True), (Decimal("0.01"), False)])
def test_housing_area_at_the_limit_for_each_household_size(members, delta, passes):
    per_person = limit("public_rental.housing_area_limit")
    area = per_person * members + delta
    d = decide(incomes=[100] * members, area=area)
    r = rule(d, "housing_area_limit")
    assert r.passed is passes
    assert r.inputs["members"] == members
    assert r.inputs["current_area_m2"] == area
    assert r.inputs["per_capita_area_m2"] == (area / members).quantize(CENT, rounding=ROUND_HALF_UP)
    assert r.parameters[0].name == "public_rental.housing_area_limit"
    assert d.eligible is passes


def test_per_capita_area_is_area_divided_by_members():
    r = rule(decide(incomes=[100, 100, 100], area=50), "housing_area_limit")
    assert r.inputs["per_capita_area_m2"] == Decimal("16.67")  # 50 ÷ 3, half up
    r = rule(decide(incomes=[100] * 6, area=Decimal("0.03")), "housing_area_limit")
    assert r.inputs["per_capita_area_m2"] == Decimal("0.01")  # 0.005 rounds up


# --- income: per-capita monthly income, rounded to fen half up ------------------------------------------------------

@pytest.mark.parametrize("members", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("delta,passes", [(Decimal("-0.01"), True), (Decimal(0), True), (Decimal("0.01"), False)])
def test_income_at_the_limit_for_each_household_size(members, delta, passes):
    per_person = limit("public_rental.income_limit_month")
    # Unequal incomes: the applicant earns everything, the others nothing; only the mean counts.
    incomes = [(per_person + delta) * members] + [0] * (members - 1)
    r = rule(decide(incomes=incomes), "income_limit")
    assert r.passed is passes
    assert r.inputs["per_capita_income_month"] == per_person + delta


def test_income_rounding_is_half_up_to_the_fen():
    per_person = limit("public_rental.income_limit_month")
    # Two members earning 2 × limit + 0.01: per person limit + 0.005, which rounds up to limit + 0.01: refused.
    r = rule(decide(incomes=[per_person * 2 + CENT, 0]), "income_limit")
    assert r.inputs["per_capita_income_month"] == per_person + CENT and not r.passed
    # Three members earning 3 × limit + 0.01: per person limit + 0.0033…, which rounds down to the limit: passes.
    r = rule(decide(incomes=[per_person * 3 + CENT, 0, 0]), "income_limit")
    assert r.inputs["per_capita_income_month"] == per_person and r.passed
    h = Household.from_dict(household_dict(incomes=["0.01", "0.02"]))
    assert per_capita_income(h) == Decimal("0.02")  # 0.015 → 0.02 half up (half-even would give 0.02 too)
    h = Household.from_dict(household_dict(incomes=["0.01", "0"]))
    assert per_capita_income(h) == Decimal("0.01")  # 0.005 → 0.01 half up; half-even would give 0.00


# --- assets ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("delta,passes", [(Decimal("-0.01"), True), (Decimal(0), True), (Decimal("0.01"), False)])
def test_assets_at_the_limit(delta, passes):
    cap = limit("public_rental.asset_limit")
    r = rule(decide(assets=cap + delta), "asset_limit")
    assert r.passed is passes and r.inputs == {"assets_yuan": cap + delta}


# --- ages on as_of -----------------------------------------------------------------------------------------------

def _born(years_before: int, as_of: dt.date, days_later: int = 0) -> dt.date:
    return as_of.replace(year=as_of.year - years_before) + dt.timedelta(days=days_later)


def _with_applicant_born(birth: dt.date, **kw) -> dict:
    data = household_dict(**kw)
    data["members"][0]["id_number"] = make_id_number("140105", birth, 21)
    return data


@pytest.mark.parametrize("days_later,adult", [(0, True), (-1, True), (1, False)])
def test_applicant_adult_on_the_birthday(days_later, adult):
    age = int(limit("eligibility.adult_age"))
    birth = _born(age, AS_OF, days_later)
    d = evaluate(Household.from_dict(_with_applicant_born(birth)), "public_rental", CITY, AS_OF)
    r = rule(d, "applicant_adult")
    assert r.passed is adult
    assert r.inputs == {"applicant_age": age if adult else age - 1, "birth_date": birth}


def test_applicant_adult_reads_the_applicant_not_the_first_member():
    data = household_dict(incomes=[100, 100])
    minor = _born(10, AS_OF)
    data["members"][0], data["members"][1] = data["members"][1], data["members"][0]  # spouse listed first
    data["members"][1]["id_number"] = make_id_number("140105", minor, 22)  # the applicant is a minor
    r = rule(evaluate(Household.from_dict(data), "public_rental", CITY, AS_OF), "applicant_adult")
    assert not r.passed and r.inputs["applicant_age"] == 10


def test_applicant_with_unusable_id_number_is_not_adult():
    data = household_dict()
    number = data["members"][0]["id_number"]
    data["members"][0]["id_number"] = number[:-1] + ("0" if number[-1] != "0" else "1")  # wrong check digit
    d = evaluate(Household.from_dict(data), "public_rental", CITY, AS_OF)
    assert rule(d, "applicant_adult").inputs["applicant_age"] is None
    assert not rule(d, "applicant_adult").passed and not rule(d, "id_number_valid").passed


def test_age_on_counts_whole_years():
    birth = dt.date(2000, 6, 15)
    assert age_on(birth, dt.date(2018, 6, 15)) == 18
    assert age_on(birth, dt.date(2018, 6, 14)) == 17
    assert age_on(birth, dt.date(2018, 5, 31)) == 17
    assert age_on(birth, dt.date(2018, 7, 1)) == 18
    assert age_on(dt.date(2000, 2, 29), dt.date(2018, 2, 28)) == 17
    assert age_on(dt.date(2000, 2, 29), dt.date(2018, 3, 1)) == 18


@pytest.mark.parametrize("days_later,elderly", [(0, True), (-1, True), (1, False)])
def test_elderly_member_at_sixty_on_as_of(days_later, elderly):
    age = int(limit("priority.elderly_age"))
    data = household_dict(incomes=[100, 100])
    data["members"][1]["id_number"] = make_id_number("140105", _born(age, AS_OF, days_later), 23)
    d = evaluate(Household.from_dict(data), "public_rental", CITY, AS_OF)
    assert ("elderly" in d.priority_groups) is elderly


def test_priority_groups_follow_the_city_order_and_derived_groups():
    data = household_dict(incomes=[100, 100], groups={"low_income": True, "minimum_allowance": True})
    data["members"][1]["disability"] = True
    d = evaluate(Household.from_dict(data), "public_rental", CITY, AS_OF)
    order = PACK.value("priority.group_order", AS_OF)
    assert d.priority_groups == [g for g in order if g in {"low_income", "minimum_allowance", "disabled"}]
    h = Household.from_dict(household_dict())
    assert priority_groups(Context(h, "public_rental", CITY, AS_OF, PACK)) == []


# --- one condition at a time ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("employed,insured,passes", [
    (True, False, True), (False, True, True), (True, True, True), (False, False, False)])
def test_local_employment_needs_either_condition(employed, insured, passes):
    data = household_dict()
    data["members"][0].update(employed_locally=employed, social_insurance_local=insured)
    d = evaluate(Household.from_dict(data), "subsidized_rental", CITY, AS_OF)
    r = rule(d, "local_employment")
    assert r.passed is passes
    assert r.inputs == {"employed_locally": employed, "social_insurance_local": insured}
    assert d.eligible is passes


def test_local_employment_reads_the_applicant_only():
    data = household_dict()
    data["members"][1].update(employed_locally=True, social_insurance_local=True)
    assert not rule(evaluate(Household.from_dict(data), "subsidized_rental", CITY, AS_OF), "local_employment").passed


@pytest.mark.parametrize("city,hukou_type,passes", [
    ("taiyuan", "urban", True), ("datong", "urban", False), ("taiyuan", "rural", False), ("datong", "rural", False)])
def test_local_urban_hukou_needs_both_city_and_type(city, hukou_type, passes):
    r = rule(decide(hukou_city=city, hukou_type=hukou_type), "local_urban_hukou")
    assert r.passed is passes
    assert r.inputs == {"hukou_city": city, "hukou_type": hukou_type, "city": CITY}


def test_shared_ownership_accepts_rural_hukou_of_the_city():
    d = decide(programme="shared_ownership", hukou_type="rural")
    assert rule(d, "local_urban_hukou").passed


@pytest.mark.parametrize("owner,passes", [(None, True), (0, False), (1, False)])
def test_no_local_home_counts_every_member(owner, passes):
    data = household_dict(incomes=[100, 100])
    data["members"][0]["employed_locally"] = True
    if owner is not None:
        data["members"][owner]["owns_home_in_city"] = True
    r = rule(evaluate(Household.from_dict(data), "subsidized_rental", CITY, AS_OF), "no_local_home")
    assert r.passed is passes and r.inputs == {"owners": [] if owner is None else [owner]}


@pytest.mark.parametrize("benefit,passes", [(None, True), (False, True), (True, False), ("廉租房", False)])
def test_no_other_benefit(benefit, passes):
    r = rule(decide(other_benefit=benefit), "no_other_benefit")
    assert r.passed is passes
    assert r.message_id == f"rule.no_other_benefit.{'passed' if passes else 'failed'}"


@pytest.mark.parametrize("category,level", [("A", "high_level"), ("D", "general"), (None, None), ("Z", None)])
def test_talent_certified(category, level):
    data = household_dict()
    if category:
        data["members"][0]["talent_category"] = category
    d = evaluate(Household.from_dict(data), "talent", CITY, AS_OF)
    r = rule(d, "talent_certified")
    assert r.passed is (level is not None)
    assert r.inputs == {"talent_category": category, "talent_level": level}
    assert d.talent_level == level
    if level:
        assert d.tenure == PACK.value("talent.primary_tenure", AS_OF)[level]


def test_programme_not_offered_in_the_city():
    offered = load_pack("datong").value("programmes.offered", AS_OF)
    missing = next(p for p in ("talent", "shared_ownership", "subsidized_rental") if p not in offered)
    d = evaluate(Household.from_dict(household_dict(hukou_city="datong")), missing, "datong", AS_OF)
    r = rule(d, "program_offered")
    assert not r.passed and r.inputs == {"programme": missing, "city": "datong"} and not d.eligible
    assert rule(decide(), "program_offered").passed


def test_id_number_problems_each_reported():
    data = household_dict(incomes=[100, 100, 100])
    data["members"][2]["id_number"] = data["members"][1]["id_number"]
    data["members"][0]["birth_date"] = "1999-01-01"  # not the date in the number
    r = rule(evaluate(Household.from_dict(data), "public_rental", CITY, AS_OF), "id_number_valid")
    assert not r.passed
    reasons = sorted((p["member"], p["reason"]) for p in r.inputs["problems"])
    assert reasons == [(0, "birth_date_mismatch"), (2, "duplicate")]
    duplicate = next(p for p in r.inputs["problems"] if p["reason"] == "duplicate")
    assert duplicate == {"member": 2, "id_number": mask_id_number(data["members"][1]["id_number"]),
                         "reason": "duplicate", "same_as": 1}
    assert r.inputs["members"] == 3
    clean = rule(decide(), "id_number_valid")
    assert clean.passed and clean.inputs == {"members": 2, "problems": []}


def test_rule_results_carry_message_ids_and_citations():
    d = decide(incomes=[99999, 0])
    r = rule(d, "income_limit")
    assert r.message_id == "rule.income_limit.failed"
    assert r.citation == PACK.params["public_rental.income_limit_month"].citation
    assert rule(d, "asset_limit").message_id == "rule.asset_limit.passed"
    assert r.to_dict()["code"] == "income_limit" and r.to_dict()["passed"] is False
