"""Case files per city (tests/policy/cases/<city>.yaml): input, as-of date, expected decision."""

import datetime as dt
import json

import pytest

from housing_security.policy import PROGRAMMES, RULE_CODES, Household, evaluate, list_cities

from .conftest import load_cases

CASES = load_cases()


@pytest.mark.parametrize("city,case", CASES, ids=[f"{c}:{k['name']}" for c, k in CASES])
def test_case(city, case):
    household = Household.from_dict(case["household"])
    decision = evaluate(household, case["programme"], city, dt.date.fromisoformat(case["as_of"]),
                        case.get("tenure"))
    expected = case["expected"]
    assert decision.failed_codes == expected["failed"]
    assert decision.eligible is expected["eligible"]
    out = decision.to_dict()
    json.dumps(out, ensure_ascii=False)  # JSON-ready
    if "area_range" in expected:
        assert [out["area_range"]["min_m2"], out["area_range"]["max_m2"]] == expected["area_range"]
    for key in ("tenure", "priority_groups", "talent_level", "rent_subsidy_month"):
        if key in expected:
            assert out[key] == expected[key], key
    if "commitment_applies" in expected:
        assert decision.commitment_applies is expected["commitment_applies"]
    if "commitment_deadline" in expected:
        assert out["commitment"]["deadline"] == expected["commitment_deadline"]


def test_every_city_has_a_case_file():
    assert {c for c, _ in CASES} == set(list_cities())
    assert len(list_cities()) == 11


def test_cases_cover_every_rule_code_and_programme():
    failed = {code for _, case in CASES for code in case["expected"]["failed"]}
    assert failed == set(RULE_CODES)
    eligible = {case["programme"] for _, case in CASES if case["expected"]["eligible"]}
    assert eligible == set(PROGRAMMES)
