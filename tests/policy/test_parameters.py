"""Health tests over the parameter packs, plus dating and inheritance."""

import datetime as dt
from decimal import Decimal

import pytest
import yaml

from housing_security.policy import ParameterError, list_cities, load_pack, pack_from_mapping
from housing_security.policy.parameters import PARAMS_DIR, normalise
from housing_security.policy.vocabulary import PARAMETER_STATUSES

PACKS = ["default", *list_cities()]


@pytest.mark.parametrize("code", PACKS)
def test_every_parameter_has_unit_label_citation_and_status(code):
    pack = load_pack(code)
    for p in pack.params.values():
        assert p.unit.strip(), p.name
        assert p.label["zh"].strip() and p.label["en"].strip(), p.name
        assert p.citation.strip(), p.name
        assert p.status in PARAMETER_STATUSES, p.name
        if p.status == "example":
            assert p.source, f"{p.name}: example values must name their source"
        if p.status == "plan":
            assert "plan" in p.citation, f"{p.name}: plan parameters cite a plan clause"


@pytest.mark.parametrize("code", PACKS)
def test_effective_dates_ascend_in_files(code):
    data = yaml.safe_load((PARAMS_DIR / f"{code}.yaml").read_text(encoding="utf-8"))
    for name, entry in (data.get("parameters") or {}).items():
        dates = list(entry.get("values", {}))
        assert all(isinstance(d, dt.date) for d in dates), name
        assert dates == sorted(dates) and len(set(dates)) == len(dates), name


def test_city_packs_only_override_what_differs():
    default = load_pack("default")
    for city in list_cities():
        data = yaml.safe_load((PARAMS_DIR / f"{city}.yaml").read_text(encoding="utf-8"))
        assert data["inherits"] == "default"
        for name, entry in (data.get("parameters") or {}).items():
            assert name in default.params, f"{city}: {name} is not a default parameter"
            if "values" in entry:
                mine = {d: normalise(v) for d, v in entry["values"].items()}
                assert mine != dict(default.params[name].values), f"{city}: {name} repeats the default"


def test_plan_figures():
    p, day = load_pack("default"), dt.date(2024, 1, 1)
    assert p.value("subsidized_rental.residential_area_max", day) == 70
    assert (p.value("subsidized_rental.dormitory_area_min", day),
            p.value("subsidized_rental.dormitory_area_max", day)) == (20, 45)
    assert p.value("talent.rental_area_max", day) == 90
    assert (p.value("talent.shared_area_min", day), p.value("talent.shared_area_max", day)) == (90, 120)
    assert str(p.value("talent.full_property_markup", day)) == "0.03"
    assert p.value("talent.resale_years", day) == 5
    assert p.value("public_rental.allocation_rate_min", day) == Decimal("0.9")
    assert p.value("public_rental.commitment_months", day) == 6


def test_programmes_by_city():
    day = dt.date(2024, 1, 1)
    assert load_pack("taiyuan").offers("shared_ownership", day)
    assert load_pack("jinzhong").offers("talent", day)
    assert not load_pack("jinzhong").offers("shared_ownership", day)
    assert load_pack("datong").offers("subsidized_rental", day)
    assert not load_pack("datong").offers("talent", day)
    for city in ("linfen", "changzhi", "yuncheng", "jincheng", "yangquan", "shuozhou", "xinzhou", "lvliang"):
        pack = load_pack(city)
        assert pack.offers("public_rental", day) and not pack.offers("subsidized_rental", day)
        assert pack.param("programmes.offered").defined_in == "default"
    assert load_pack("taiyuan").param("programmes.offered").defined_in == "taiyuan"
    assert load_pack("taiyuan").param("talent.resale_years").defined_in == "default"


def _custom(values):
    return pack_from_mapping({"code": "testcity", "parameters": {"public_rental.income_limit_month": {
        "status": "city", "citation": "test", "values": values}}}, load_pack("default"))


def test_values_are_chosen_by_effective_date():
    pack = _custom({dt.date(2021, 1, 1): 1500, dt.date(2024, 7, 1): 1800})
    assert pack.value("public_rental.income_limit_month", dt.date(2024, 6, 30)) == 1500
    ref = pack.ref("public_rental.income_limit_month", dt.date(2024, 7, 1))
    assert (ref.value, ref.effective_from) == (1800, dt.date(2024, 7, 1))
    with pytest.raises(ParameterError):
        pack.value("public_rental.income_limit_month", dt.date(2020, 12, 31))
    # Overriding a figure keeps the inherited label and unit, drops the example source.
    p = pack.param("public_rental.income_limit_month")
    assert p.unit == "CNY/person/month" and p.source is None and p.defined_in == "testcity"


def test_unordered_dates_are_refused():
    with pytest.raises(ParameterError):
        _custom({dt.date(2024, 7, 1): 1800, dt.date(2021, 1, 1): 1500})


def test_hash_changes_with_values_and_is_stable():
    a = _custom({dt.date(2021, 1, 1): 1500})
    b = _custom({dt.date(2021, 1, 1): 1500})
    c = _custom({dt.date(2021, 1, 1): 1501})
    assert a.hash == b.hash != c.hash
    assert load_pack("taiyuan").hash != load_pack("default").hash
    assert len(load_pack("taiyuan").hash) == 64


def test_unknown_pack():
    with pytest.raises(ParameterError):
        load_pack("beijing")
    with pytest.raises(ParameterError):
        load_pack("../etc/passwd")
