"""Details that mutation testing showed unchecked: citations of the rules that read no parameter, the exact
refusal messages, the subsidy's rate group and inputs, batch evaluation with a tenure, defaults."""
import datetime as dt
from decimal import Decimal

import pytest

from housing_security.policy import (
    Household,
    evaluate,
    evaluate_many,
    load_pack,
    pack_from_mapping,
    points_score,
    queue_ranks,
)
from housing_security.policy.money import rent_subsidy_from, resale_allowed, subsidy_group
from housing_security.policy.rules import Context

from .conftest import AS_OF, household_dict

CITY = "taiyuan"
PACK = load_pack(CITY)


def _rule(d, code):
    return next(r for r in d.rules if r.code == code)


def test_rules_without_parameters_cite_their_legal_basis():
    data = household_dict()
    data["members"][0].update(employed_locally=True, talent_category="A")
    h = Household.from_dict(data)
    sub = evaluate(h, "subsidized_rental", CITY, AS_OF)
    assert _rule(sub, "no_local_home").citation.startswith("plan §4(2)")
    assert _rule(sub, "local_employment").citation.startswith("plan §4(2)")
    assert _rule(sub, "id_number_valid").citation.startswith("GB 11643-1999")
    assert "住建部令第11号" in _rule(sub, "no_other_benefit").citation
    talent = evaluate(h, "talent", CITY, AS_OF)
    assert _rule(talent, "talent_certified").citation == PACK.params["talent.catalogue"].citation
    for d in (sub, talent):
        assert all(isinstance(r.citation, str) and r.citation for r in d.rules)


def test_cite_joins_several_parameters():
    h = Household.from_dict(household_dict())
    ctx = Context(h, "public_rental", CITY, AS_OF, PACK)
    a, b = ctx.ref("public_rental.income_limit_month"), ctx.ref("public_rental.asset_limit")
    assert ctx.cite(a, b) == f"{PACK.params[a.name].citation}; {PACK.params[b.name].citation}"


def test_talent_level_needs_a_catalogue_in_force():
    later = pack_from_mapping({"code": CITY, "parameters": {"talent.catalogue": {
        "values": {dt.date(2030, 1, 1): {"A": "high_level"}}}}}, parent=PACK)
    data = household_dict()
    data["members"][0]["talent_category"] = "A"
    ctx = Context(Household.from_dict(data), "public_rental", CITY, AS_OF, later)
    assert ctx.talent_level is None
    assert Context(Household.from_dict(data), "public_rental", CITY, AS_OF, PACK).talent_level == "high_level"


def test_subsidy_group_by_rate_not_by_name_and_never_other():
    rates = {"minimum_allowance": 14, "low_income": 10, "special_hardship": 12, "other": 99}
    assert subsidy_group(["special_hardship", "minimum_allowance"], rates) == "minimum_allowance"
    assert subsidy_group(["other", "low_income"], rates) == "low_income"


def test_rent_subsidy_reports_its_inputs_and_parameters():
    h = Household.from_dict(household_dict(incomes=[100, 100, 100], area=12, groups={"low_income": True}))
    amount, inputs, params = rent_subsidy_from(PACK.at(AS_OF), h)
    assert inputs == {"members": 3, "current_area_m2": Decimal(12), "rate_group": "low_income"}
    assert [p.name for p in params] == ["rent_subsidy.standard_area_per_person", "rent_subsidy.rate_month",
                                        "rent_subsidy.cap_month"]
    assert amount == evaluate(h, "public_rental", CITY, AS_OF).rent_subsidy_month


def test_evaluate_many_passes_the_tenure_on():
    households = [Household.from_dict(household_dict(hid=f"H{i}")) for i in range(3)]
    decisions = evaluate_many(households, "subsidized_rental", CITY, AS_OF, "dormitory")
    assert [d.tenure for d in decisions] == ["dormitory"] * 3
    assert [d.tenure for d in evaluate_many(households, "subsidized_rental", CITY, AS_OF)] == ["residential"] * 3


def test_points_score_is_an_exact_decimal_even_when_zero():
    score = points_score({"id": "x"}, CITY, AS_OF)
    assert isinstance(score, Decimal) and score == 0


def test_queue_ranks_default_to_the_default_pack():
    entries = [{"id": "a", "priority_groups": ["elderly"]}, {"id": "b", "priority_groups": ["low_income"]}]
    assert queue_ranks(entries, as_of=AS_OF) == queue_ranks(entries, "default", AS_OF)


def test_refusal_messages_are_exact():
    with pytest.raises(ValueError, match=r"^waiting-list entries must have distinct ids$"):
        queue_ranks([{"id": "a"}, {"id": "a"}], CITY, AS_OF, "priority")
    with pytest.raises(ValueError, match=r"^a lottery needs a seed$"):
        queue_ranks([{"id": "a"}], CITY, AS_OF, "lottery")
    with pytest.raises(ValueError, match=r"^unknown ordering method 'x'$"):
        queue_ranks([{"id": "a"}], CITY, AS_OF, "x")
    with pytest.raises(ValueError, match=r"^give work_started or full_time_years$"):
        resale_allowed(CITY, AS_OF)


def test_id_number_problems_name_the_member_the_masked_number_and_the_reason():
    from housing_security.policy import make_id_number
    from housing_security.policy.idnumber import mask_id_number

    data = household_dict(incomes=[100, 100, 100])
    good = data["members"][1]["id_number"]
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    unborn = make_id_number("140105", AS_OF + dt.timedelta(days=1), 31)   # born after as_of
    data["members"][1]["id_number"] = bad
    data["members"][2]["id_number"] = unborn
    data["members"][0]["birth_date"] = "1999-01-01"
    r = _rule(evaluate(Household.from_dict(data), "public_rental", CITY, AS_OF), "id_number_valid")
    assert sorted(r.inputs["problems"], key=lambda p: p["member"]) == [
        {"member": 0, "id_number": mask_id_number(data["members"][0]["id_number"]), "reason": "birth_date_mismatch"},
        {"member": 1, "id_number": mask_id_number(bad), "reason": "checksum"},
        {"member": 2, "id_number": mask_id_number(unborn), "reason": "birth_date"},
    ]
    # The same number is valid once the day of birth has come.
    later = _rule(evaluate(Household.from_dict(household_dict(incomes=[100, 100, 100])), "public_rental", CITY,
                           AS_OF + dt.timedelta(days=1)), "id_number_valid")
    assert later.passed


def test_no_other_benefit_reports_the_benefit():
    r = _rule(evaluate(Household.from_dict(household_dict(other_benefit="廉租房")), "public_rental", CITY, AS_OF),
              "no_other_benefit")
    assert r.inputs == {"other_benefit": "廉租房"}


def test_rent_subsidy_uses_derived_groups_too():
    # A pack in which the elderly earn the highest rate: an elderly member (derived, not declared) sets the rate.
    pack = pack_from_mapping({"code": CITY, "parameters": {"rent_subsidy.rate_month": {"values": {
        dt.date(2000, 1, 1): {"minimum_allowance": 14, "special_hardship": 14, "low_income": 10, "elderly": 20,
                              "other": 10}}}}}, parent=PACK)
    data = household_dict(incomes=[100, 100], area=0, groups={"low_income": True})
    old = household_dict(incomes=[100, 100], area=0, groups={"low_income": True})
    from housing_security.policy import make_id_number
    old["members"][1]["id_number"] = make_id_number("140105", dt.date(1950, 1, 1), 41)
    young, elderly = (evaluate(Household.from_dict(d), "public_rental", pack, AS_OF) for d in (data, old))
    assert "elderly" in elderly.priority_groups and "elderly" not in young.priority_groups
    assert elderly.rent_subsidy_month == young.rent_subsidy_month * 2  # rate 20 instead of 10


def test_evaluate_refusals_are_exact():
    h = Household.from_dict(household_dict())
    with pytest.raises(ValueError, match=r"^unknown programme 'villa'$"):
        evaluate(h, "villa", CITY, AS_OF)
    with pytest.raises(ValueError, match=r"^tenure 'dormitory' does not belong to programme 'public_rental'$"):
        evaluate(h, "public_rental", CITY, AS_OF, "dormitory")
