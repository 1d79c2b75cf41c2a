"""Talent property homes are sold: the purchase at the plan's price, the keys, the resale lock counted from the
start of full-time local work (plan box 1), the buy-back of a shared-ownership home at cost."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from housing_security import policy
from housing_security.extensions import db
from housing_security.models import Offer, RentCharge, Unit
from housing_security.services import contracts, offers, prices, rent_roll
from housing_security.services.contracts import ContractError
from housing_security.services.parameters import effective_pack

from .helpers import audits, get, new_case, user


def _accepted_property_offer(tenure: str) -> tuple[int, Unit]:
    case_id = new_case("offered", programme="talent", owner="lixiulan", tenure=tenure)
    unit = db.session.scalar(select(Unit).where(Unit.programme == "talent", Unit.status == "vacant")
                             .order_by(Unit.id))
    unit.status, unit.tenure = "offered", tenure
    unit.area_m2 = Decimal("100")
    unit.building.project.cost_per_m2 = Decimal("6000")
    offer = Offer(application_id=case_id, unit_id=unit.id, respond_by=date.today() + timedelta(days=7))
    db.session.add(offer)
    db.session.commit()
    offers.accept(offer, user("lixiulan"))
    db.session.commit()
    return case_id, unit


def test_full_property_sale_at_cost_plus_markup_and_the_lock_from_work_start(app):
    with app.app_context():
        officer = user("liuchu")
        case_id, unit = _accepted_property_offer("full_property")
        with pytest.raises(ContractError) as error:
            contracts.record_contract(get(case_id), officer, date.today())
        assert error.value.code == "property_home_is_sold"
        work_started = date.today() - timedelta(days=365 * 3)
        tenancy = contracts.record_purchase(get(case_id), officer, work_started)
        expected = policy.talent_price(Decimal("600000"), "full_property", effective_pack("taiyuan"), date.today())
        assert Decimal(tenancy.rent_trace["price"]) == expected == Decimal("618000.00")
        contracts.hand_over_keys(tenancy, officer, date.today())
        db.session.commit()
        check = prices.resale_check(get(case_id), date.today())
        assert check.since == work_started and not check.allowed
        assert check.allowed_from == prices._years_after(work_started, 5)
        assert prices.resale_check(get(case_id), check.allowed_from).allowed
        # a sale is not on the rent roll
        rent_roll.generate_charges(date.today(), "taiyuan")
        assert db.session.scalar(select(RentCharge).where(RentCharge.tenancy_id == tenancy.id)) is None
        with pytest.raises(ContractError) as error:
            contracts.buy_back(get(case_id), officer)
        assert error.value.code == "not_shared_ownership"


def test_shared_ownership_at_cost_and_buy_back_at_cost(app):
    with app.app_context():
        officer = user("liuchu")
        case_id, unit = _accepted_property_offer("shared_ownership")
        with pytest.raises(ContractError) as error:
            contracts.record_purchase(get(case_id), officer, date.today() + timedelta(days=3))
        assert error.value.field == "work_started_on"
        tenancy = contracts.record_purchase(get(case_id), officer, date.today() - timedelta(days=10))
        assert Decimal(tenancy.rent_trace["price"]) == Decimal("600000.00")
        contracts.hand_over_keys(tenancy, officer, date.today())
        db.session.commit()
        result = contracts.buy_back(get(case_id), officer)
        db.session.commit()
        assert result["price"] == Decimal("600000.00") and result["allowed"] is False
        assert get(case_id).status == "exited" and db.session.get(Unit, unit.id).status == "vacant"
        assert audits("talent.buy_back", tenancy.id)
