"""Prices against the plan: subsidized rents below the city's share of market rent, talent tenure prices
(cost × 1.03 / × 1), and the five-year resale lock with buy-back at cost. Expected figures are computed here
from the parameter values read out of the pack, not through the policy functions under test."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select

from housing_security import policy
from housing_security.extensions import db
from housing_security.models import (
    Application,
    Building,
    Household,
    ParameterChange,
    Project,
    Tenancy,
    Unit,
    User,
)
from housing_security.services import prices

TODAY = date.today()
CENT = Decimal("0.01")


def cents(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def pack_value(name: str, as_of: date = TODAY) -> Decimal:
    return Decimal(str(policy.load_pack("taiyuan").value(name, as_of)))


def units_of(project_code: str) -> list[Unit]:
    return list(db.session.scalars(select(Unit).join(Building).join(Project).where(Project.code == project_code)
                                   .order_by(Unit.id)))


def application_of(username: str) -> Application:
    return db.session.scalar(select(Application).join(Household, Application.household_id == Household.id)
                             .join(User, Household.owner_id == User.id).where(User.username == username))


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def test_subsidized_rent_against_ceiling_from_the_pack(ctx):
    ratio = pack_value("subsidized_rental.rent_ratio_max")
    unit = units_of("TY-SR-01")[0]
    market = cents(Decimal(str(unit.area_m2)) * unit.building.project.market_rent_per_m2)
    ceiling = cents(market * ratio)

    facts = prices.unit_price_facts(unit, TODAY)
    check = facts.rent_check
    assert facts.talent is None
    assert (check.rent, check.market_rent, check.ceiling) == (cents(unit.rent_month), market, ceiling)
    assert check.within is True and check.rent <= check.ceiling
    assert check.ratio.name == "subsidized_rental.rent_ratio_max"
    assert Decimal(str(check.ratio.value)) == ratio
    assert check.ratio.effective_from == date(2021, 1, 1)
    assert "plan §4(2)" in check.ratio.citation
    assert check.percent == f"{(ratio * 100).normalize():f}" == "90"


def test_every_demo_subsidized_rent_stays_below_its_ceiling(ctx):
    ratio = pack_value("subsidized_rental.rent_ratio_max")
    units = units_of("TY-SR-01") + units_of("TY-SR-02")
    assert units
    for unit in units:
        market_per_m2 = unit.building.project.market_rent_per_m2
        assert market_per_m2 is not None
        assert unit.rent_month <= cents(cents(unit.area_m2 * market_per_m2) * ratio), unit.label
        assert prices.rent_check(unit, TODAY).within is True


def test_a_rent_above_the_ceiling_is_flagged(ctx):
    unit = units_of("TY-SR-02")[0]
    ceiling = prices.rent_check(unit, TODAY).ceiling
    unit.rent_month = ceiling
    assert prices.rent_check(unit, TODAY).within is True
    unit.rent_month = ceiling + CENT
    assert prices.rent_check(unit, TODAY).within is False


def test_unknown_market_rent_cannot_be_checked(ctx):
    unit = units_of("TY-SR-01")[0]
    unit.building.project.market_rent_per_m2 = None
    check = prices.rent_check(unit, TODAY)
    assert (check.market_rent, check.ceiling, check.within) == (None, None, None)


def test_a_parameter_change_moves_the_ceiling(ctx):
    """The effective pack, not the YAML alone: a lower ratio from an administrator flags the demo rents."""
    admin = db.session.scalar(select(User).where(User.username == "ty_admin"))
    db.session.add(ParameterChange(city_code="taiyuan", name="subsidized_rental.rent_ratio_max",
                                   effective_from=TODAY - timedelta(days=1), value=0.8,
                                   citation="太原市测试通知 第1号", note="", status="active", created_by_id=admin.id))
    db.session.flush()
    unit = units_of("TY-SR-01")[0]
    check = prices.rent_check(unit, TODAY)
    market = cents(unit.area_m2 * unit.building.project.market_rent_per_m2)
    assert check.ceiling == cents(market * Decimal("0.8"))
    assert Decimal(str(check.ratio.value)) == Decimal("0.8") and check.ratio.citation == "太原市测试通知 第1号"
    assert check.ratio.effective_from == TODAY - timedelta(days=1)
    assert check.within is False  # ¥22/m² > 80% of ¥26/m²
    assert prices.rent_check(unit, TODAY - timedelta(days=2)).within is True


def test_talent_prices_side_by_side(ctx):
    markup = pack_value("talent.full_property_markup")
    factor = pack_value("talent.shared_price_factor")
    assert (markup, factor) == (Decimal("0.03"), Decimal("1"))
    unit = units_of("TY-TA-02")[0]
    cost_per_m2 = unit.building.project.cost_per_m2
    cost = cents(Decimal(str(unit.area_m2)) * cost_per_m2)

    talent = prices.unit_price_facts(unit, TODAY).talent
    assert talent.cost == cost
    assert talent.option("full_property").amount == cents(cost * (1 + markup))
    assert talent.option("shared_ownership").amount == cents(cost * factor) == cost
    assert talent.option("full_property").amount == cents(unit.area_m2 * cost_per_m2 * Decimal("1.03"))
    # 90–120 m² shared-ownership homes fit the shared band, not the ≤ 90 m² rental one (unless exactly 90)
    assert talent.option("shared_ownership").fits
    assert talent.option("rental").fits == (unit.area_m2 <= 90)
    assert talent.option("full_property").fits and talent.option("full_property").area_max is None
    assert "plan box 1" in talent.option("full_property").citation
    assert talent.government_share == "land" and "政府持有土地产权" in talent.government_share_citation
    assert talent.citation == "plan §4(4), box 1"


def test_talent_rental_unit_shows_its_rent_and_property_prices(ctx):
    unit = units_of("TY-TA-01")[0]
    talent = prices.unit_price_facts(unit, TODAY).talent
    assert talent.option("rental").amount == cents(unit.rent_month) > 0
    assert talent.option("rental").fits
    assert talent.option("full_property").amount == cents(
        cents(unit.area_m2 * unit.building.project.cost_per_m2) * Decimal("1.03"))


def test_talent_prices_unknown_without_a_cost(ctx):
    unit = units_of("TY-TA-02")[0]
    unit.building.project.cost_per_m2 = None
    talent = prices.talent_prices(unit, TODAY)
    assert talent.cost is None
    assert talent.option("full_property").amount is None and talent.option("shared_ownership").amount is None


def _housed(application: Application, unit: Unit, start: date) -> Tenancy:
    application.status = "housed"
    unit.status = "occupied"
    tenancy = Tenancy(application_id=application.id, unit_id=unit.id, start_on=start,
                      end_on=start + timedelta(days=5 * 365), rent_month=unit.rent_month)
    db.session.add(tenancy)
    db.session.flush()
    return tenancy


def test_resale_refused_before_five_years_and_allowed_after(ctx):
    years = int(pack_value("talent.resale_years"))
    assert years == 5
    chen = application_of("chenjing")
    unit = units_of("TY-TA-02")[0]
    start = date(2023, 3, 15)
    _housed(chen, unit, start)
    allowed_from = date(2023 + years, 3, 15)

    before = prices.resale_check(chen, allowed_from - timedelta(days=1))
    assert before.tenure == "shared_ownership" and before.since == start
    assert before.allowed is False and before.allowed_from == allowed_from
    after = prices.resale_check(chen, allowed_from)
    assert after.allowed is True and after.allowed_from == allowed_from
    # shared ownership is bought back by the government at cost (factor read from the pack)
    cost = cents(unit.area_m2 * unit.building.project.cost_per_m2)
    assert after.cost == cost
    assert after.buyback_price == cents(cost * pack_value("talent.buyback_price_factor"))
    assert [p.name for p in after.parameters] == ["talent.resale_years", "talent.buyback_price_factor"]
    assert "5年" in after.years.citation


def test_full_property_resale_has_no_buyback_and_leap_day_start(ctx):
    chen = application_of("chenjing")
    unit = units_of("TY-TA-02")[1]
    unit.tenure = "full_property"
    _housed(chen, unit, date(2024, 2, 29))
    check = prices.resale_check(chen, date(2029, 2, 27))
    assert check.tenure == "full_property" and check.buyback_price is None
    assert check.allowed is False and check.allowed_from == date(2029, 2, 28)
    assert prices.resale_check(chen, date(2029, 2, 28)).allowed is True


def test_no_resale_answer_for_renters_or_other_programmes(ctx):
    chen = application_of("chenjing")
    assert prices.resale_check(chen, TODAY) is None  # not housed yet
    _housed(chen, units_of("TY-TA-01")[0], TODAY - timedelta(days=10))
    assert prices.resale_check(chen, TODAY) is None  # a rental talent flat is never sold
    zhang = application_of("zhanglei")
    assert prices.resale_check(zhang, TODAY) is None
