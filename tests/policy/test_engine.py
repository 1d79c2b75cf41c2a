import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from housing_security.policy import (
    PROGRAMMES,
    RULE_CODES,
    Household,
    InputError,
    evaluate,
    evaluate_many,
    load_pack,
    make_id_number,
    pack_from_mapping,
)

from .conftest import AS_OF, household_dict

money = st.decimals(min_value=0, max_value=20000, places=2)


@st.composite
def households(draw):
    n = draw(st.integers(min_value=1, max_value=5))
    incomes = draw(st.lists(money, min_size=n, max_size=n))
    data = household_dict(
        incomes=incomes,
        area=draw(st.decimals(min_value=0, max_value=150, places=1)),
        assets=draw(st.decimals(min_value=0, max_value=400000, places=0)),
        groups={g: draw(st.booleans()) for g in ("minimum_allowance", "low_income")},
        hukou_type=draw(st.sampled_from(["urban", "rural"])),
    )
    return Household.from_dict(data)


@settings(max_examples=80, deadline=None)
@given(households(), st.integers(min_value=0, max_value=4), money,
       st.sampled_from(["taiyuan", "datong", "linfen"]), st.sampled_from(PROGRAMMES))
def test_more_income_never_turns_ineligible_into_eligible(h, who, raise_by, city, programme):
    who = who % len(h.members)
    richer_members = list(h.members)
    m = richer_members[who]
    richer_members[who] = type(m)(**{**{f: getattr(m, f) for f in m.__slots__},
                                     "income_month": m.income_month + raise_by})
    richer = Household(**{**{f: getattr(h, f) for f in h.__slots__}, "members": tuple(richer_members)})
    before = evaluate(h, programme, city, AS_OF)
    after = evaluate(richer, programme, city, AS_OF)
    if not before.eligible:
        assert not after.eligible
    assert set(before.failed_codes) <= set(after.failed_codes)


def test_decision_shape(make_household):
    d = evaluate(make_household(groups={"low_income": True}), "public_rental", "taiyuan", AS_OF)
    assert d.eligible and d.pack_hash == load_pack("taiyuan").hash
    out = d.to_dict()
    text = json.dumps(out, ensure_ascii=False)
    assert "<" not in text  # no HTML in decisions
    for rule in out["rules"]:
        assert rule["code"] in RULE_CODES
        assert rule["message_id"] == f"rule.{rule['code']}.{'passed' if rule['passed'] else 'failed'}"
        assert rule["citation"]
    income = next(r for r in d.rules if r.code == "income_limit")
    assert income.parameters[0].name == "public_rental.income_limit_month"
    assert income.parameters[0].effective_from == dt.date(2021, 1, 1)
    assert income.inputs["per_capita_income_month"] == Decimal("1050.00")


def test_accepts_a_loaded_pack(make_household):
    pack = load_pack("datong")
    assert evaluate(make_household(city="datong"), "public_rental", pack, AS_OF).city == "datong"


def test_unknown_programme_or_tenure(make_household):
    with pytest.raises(ValueError):
        evaluate(make_household(), "villa", "taiyuan", AS_OF)
    with pytest.raises(ValueError):
        evaluate(make_household(), "talent", "taiyuan", AS_OF, tenure="dormitory")


def test_birth_date_must_match_id(make_household):
    data = household_dict()
    data["members"][0]["birth_date"] = "1971-01-01"
    d = evaluate(Household.from_dict(data), "public_rental", "taiyuan", AS_OF)
    assert d.failed_codes == ["id_number_valid"]
    assert d.rules[0].inputs["problems"][0]["reason"] == "birth_date_mismatch"
    assert d.rules[0].inputs["problems"][0]["id_number"].count("*") == 8


@pytest.mark.parametrize("patch,field", [
    ({"members": []}, "members"),
    ({"assets_yuan": -1}, "assets_yuan"),
    ({"assets_yuan": None}, "assets_yuan"),
    ({"hukou_type": "nomad"}, "hukou_type"),
    ({"groups": {"elderly": True}}, "groups.elderly"),
    ({"groups": {"royalty": True}}, "groups.royalty"),
    ({"approved_on": "2024-13-01"}, "approved_on"),
    ({"other_benefit": 3}, "other_benefit"),
])
def test_bad_household_fields(patch, field):
    data = household_dict(hid="R-9")
    data.update(patch)
    with pytest.raises(InputError) as exc:
        Household.from_dict(data)
    assert (exc.value.record, exc.value.field) == ("R-9", field)


@pytest.mark.parametrize("key,value,field", [
    ("income_month", -5, "members[1].income_month"),
    ("income_month", "lots", "members[1].income_month"),
    ("id_number", "12345", "members[1].id_number"),
    ("relation", "cousin", "members[1].relation"),
    ("disability", "yes", "members[1].disability"),
])
def test_bad_member_fields(key, value, field):
    data = household_dict(hid="R-8")
    data["members"][1][key] = value
    with pytest.raises(InputError) as exc:
        Household.from_dict(data)
    assert (exc.value.record, exc.value.field) == ("R-8", field)


def test_exactly_one_applicant():
    data = household_dict()
    data["members"][1]["relation"] = "self"
    with pytest.raises(InputError, match="exactly one"):
        Household.from_dict(data)


def test_round_trip():
    h = Household.from_dict(household_dict(other_benefit=True, approved_on="2024-01-02"))
    assert Household.from_dict(h.to_dict()) == h
    assert h.other_benefit == "unspecified"
    assert make_id_number("140105", dt.date(1970, 1, 1), 10) == h.members[0].id_number


def test_evaluate_many_matches_evaluate_and_restores_gc(make_household):
    import gc
    hs = [make_household(hid=f"M{i}", incomes=(1000 * i, 500)) for i in range(4)]
    batch = [d.to_dict() for d in evaluate_many(hs, "public_rental", "taiyuan", AS_OF)]
    assert batch == [evaluate(h, "public_rental", "taiyuan", AS_OF).to_dict() for h in hs]
    assert gc.isenabled()


def test_evaluate_accepts_a_dict_and_an_iso_date():
    d = evaluate(household_dict(), "public_rental", "taiyuan", "2024-06-01")
    assert d.as_of == AS_OF and d.eligible


def test_rules_follow_the_dated_rule_list():
    # A city can drop a rule from a date on; decisions before that date still apply it.
    default = load_pack("default")
    rules = list(default.value("public_rental.rules", AS_OF))
    pack = pack_from_mapping({"code": "taiyuan", "parameters": {"public_rental.rules": {
        "status": "city", "citation": "test", "values": {
            dt.date(2021, 1, 1): rules,
            dt.date(2024, 7, 1): [r for r in rules if r != "asset_limit"]}}}}, default)
    rich = household_dict(assets=10**7)
    assert evaluate(rich, "public_rental", pack, AS_OF).failed_codes == ["asset_limit"]
    later = evaluate(rich, "public_rental", pack, dt.date(2024, 7, 1))
    assert later.eligible and "asset_limit" not in [r.code for r in later.rules]
    assert later.pack_hash == pack.hash != default.hash
