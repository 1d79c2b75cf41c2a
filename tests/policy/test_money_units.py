import datetime as dt
from decimal import Decimal

import pytest

from housing_security.policy import (
    allowed_area_range,
    buyback_price,
    load_pack,
    pack_from_mapping,
    rent_subsidy,
    resale_allowed,
    subsidized_rent_ceiling,
    subsidy_amount,
    talent_price,
    unit_fits,
)

from .conftest import AS_OF


def test_subsidy_arithmetic():
    assert subsidy_amount(3, 30, 15, 14) == Decimal("210.00")
    assert subsidy_amount(1, 40, 15, 14) == Decimal("0.00")  # never negative
    assert subsidy_amount(4, 10, 15, 14, cap=500) == Decimal("500.00")
    assert subsidy_amount(1, "12.345", 15, 10) == Decimal("26.55")  # 2.655 m² × 10, half-up


def test_rent_subsidy_uses_the_best_group_rate(make_household):
    h = make_household(incomes=(1000, 800), area=10, groups={"low_income": True, "minimum_allowance": True})
    assert rent_subsidy(h, "taiyuan", AS_OF) == Decimal("280.00")  # (30 − 10) × 14
    plain = make_household(incomes=(1000, 800), area=10)
    assert rent_subsidy(plain, "taiyuan", AS_OF) == Decimal("200.00")


def test_rent_subsidy_cap_set_by_city(make_household):
    capped = pack_from_mapping({"code": "capcity", "parameters": {"rent_subsidy.cap_month": {
        "status": "city", "citation": "test", "values": {dt.date(2021, 1, 1): 150}}}}, load_pack("default"))
    h = make_household(incomes=(1000, 800), area=10, groups={"minimum_allowance": True})
    assert rent_subsidy(h, capped, AS_OF) == Decimal("150.00")


def test_prices():
    assert subsidized_rent_ceiling(2000, "taiyuan", AS_OF) == Decimal("1800.00")
    assert talent_price(1000000, "full_property", "taiyuan", AS_OF) == Decimal("1030000.00")
    assert talent_price("812345.675", "full_property", "taiyuan", AS_OF) == Decimal("836716.05")
    assert talent_price(800000, "shared_ownership", "taiyuan", AS_OF) == Decimal("800000.00")
    assert buyback_price("765432.105", "taiyuan", AS_OF) == Decimal("765432.11")
    with pytest.raises(ValueError):
        talent_price(1, "rental", "taiyuan", AS_OF)


def test_resale_after_five_years():
    assert not resale_allowed("taiyuan", AS_OF, full_time_years=4.99)
    assert resale_allowed("taiyuan", AS_OF, full_time_years=5)
    assert resale_allowed("taiyuan", dt.date(2024, 6, 1), work_started=dt.date(2019, 6, 1))
    assert not resale_allowed("taiyuan", dt.date(2024, 5, 31), work_started=dt.date(2019, 6, 1))
    assert resale_allowed("taiyuan", dt.date(2025, 2, 28), work_started=dt.date(2020, 2, 29))
    with pytest.raises(ValueError):
        resale_allowed("taiyuan", AS_OF)


@pytest.mark.parametrize("size,expected", [(1, (7, 40)), (2, (14, 50)), (3, (21, 60)), (6, (42, 60)),
                                           (9, (60, 60))])
def test_public_rental_bands(size, expected):
    lo, hi = allowed_area_range(size, "public_rental", "taiyuan", AS_OF)
    assert (lo, hi) == tuple(Decimal(x) for x in expected)
    assert hi <= load_pack("taiyuan").value("public_rental.unit_area_max", AS_OF)


@pytest.mark.parametrize("programme,tenure,fits,misfits", [
    ("subsidized_rental", "residential", [30, 70], [70.1]),
    ("subsidized_rental", "dormitory", [20, 45], [19.9, 45.5]),
    ("talent", "rental", [90], [90.01]),
    ("talent", "shared_ownership", [90, 120], [89, 121]),
    ("talent", "full_property", [60, 250], []),
    ("shared_ownership", "property", [90], [95]),
    ("public_rental", "unit", [40], [41, 6]),
])
def test_unit_fits(programme, tenure, fits, misfits):
    for area in fits:
        assert unit_fits(area, 1, programme, "taiyuan", AS_OF, tenure), area
    for area in misfits:
        assert not unit_fits(area, 1, programme, "taiyuan", AS_OF, tenure), area


def test_talent_household_gets_its_primary_tenure(make_household):
    h = make_household()
    assert allowed_area_range(h, "talent", "taiyuan", AS_OF) == (Decimal(0), Decimal(90))


def test_wrong_tenure():
    with pytest.raises(ValueError):
        allowed_area_range(1, "public_rental", "taiyuan", AS_OF, "dormitory")
