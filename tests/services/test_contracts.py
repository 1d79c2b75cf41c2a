"""Offers to keys: accept (待签约, appointment, unit held), the signed contract (term, rent and its basis), the
keys (housed, unit occupied, next 年审 set, subsidy stopped), and every refusal on the way."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, Offer, RentSubsidy, Unit, UnitEvent
from housing_security.services import contracts, offers
from housing_security.services.calendar import add_months, end_of_month
from housing_security.services.contracts import ContractError

from .helpers import audits, get, new_case, user


def offer_for(application_id: int, programme: str = "public_rental", today: date | None = None) -> Offer:
    today = today or date.today()
    application = db.session.get(Application, application_id)
    unit = db.session.scalar(select(Unit).where(Unit.programme == programme, Unit.status == "vacant")
                             .order_by(Unit.id))
    unit.status = "offered"
    offer = Offer(application_id=application.id, unit_id=unit.id, respond_by=today + timedelta(days=7))
    db.session.add(offer)
    db.session.commit()
    return offer


def test_offer_to_keys(app):
    with app.app_context():
        officer, owner = user("liuchu"), user("lixiulan")
        case_id = new_case("offered", owner="lixiulan")
        offer = offer_for(case_id)
        unit = offer.unit
        subsidy = RentSubsidy(application_id=case_id, amount_month=Decimal("300"), start_on=date.today(),
                              end_on=add_months(date.today(), 12), trace={})
        db.session.add(subsidy)
        db.session.commit()
        today = date.today()
        offers.accept(offer, owner, today)
        db.session.commit()
        application = get(case_id)
        assert application.status == "awaiting_contract" and unit.status == "awaiting_contract"
        assert offer.appointment_on == today + timedelta(days=7)
        with pytest.raises(ContractError) as error:
            contracts.record_contract(application, officer, today - timedelta(days=1), today)
        assert error.value.field == "start_on" and error.value.code == "start_before_acceptance"
        tenancy = contracts.record_contract(application, officer, today + timedelta(days=3), today)
        db.session.commit()
        assert tenancy.status == "signed" and tenancy.rent_basis == "public_rental_rent"
        assert tenancy.end_on == contracts.contract_end(today + timedelta(days=3), 5)
        assert tenancy.rent_month == unit.rent_month and tenancy.rent_trace["pack_hash"]
        assert get(case_id).status == "awaiting_contract"
        with pytest.raises(ContractError) as error:
            contracts.record_contract(get(case_id), officer, today, today)
        assert error.value.code == "contract_already_signed"
        with pytest.raises(ContractError) as error:
            contracts.hand_over_keys(tenancy, officer, today - timedelta(days=1))
        assert error.value.code == "keys_before_signing"
        contracts.hand_over_keys(tenancy, officer, today)
        db.session.commit()
        application = get(case_id)
        assert application.status == "housed" and application.next_reverification_on == add_months(today, 12)
        assert db.session.get(Unit, unit.id).status == "occupied"
        subsidy = db.session.get(RentSubsidy, subsidy.id)
        assert subsidy.status == "stopped" and subsidy.end_on == end_of_month(today)
        history = [e.to_status for e in db.session.scalars(select(UnitEvent).where(UnitEvent.unit_id == unit.id)
                                                           .order_by(UnitEvent.id))]
        assert history[-2:] == ["awaiting_contract", "occupied"]
        assert audits("tenancy.sign", tenancy.id) and audits("tenancy.keys", tenancy.id)
        with pytest.raises(ContractError) as error:
            contracts.hand_over_keys(tenancy, officer, today)
        assert error.value.code == "not_signed"


def test_contract_refused_outside_awaiting_contract_and_release(app):
    with app.app_context():
        officer, owner = user("liuchu"), user("lixiulan")
        waiting = new_case("waitlist")
        with pytest.raises(ContractError) as error:
            contracts.record_contract(get(waiting), officer, date.today())
        assert error.value.code == "not_awaiting_contract"
        case_id = new_case("offered", owner="lixiulan")
        offer = offer_for(case_id)
        offers.accept(offer, owner)
        db.session.commit()
        with pytest.raises(ContractError) as error:
            contracts.release(get(case_id), officer, "  ")
        assert error.value.code == "reason_required"
        contracts.release(get(case_id), officer, "两次预约均未到场签约。")
        db.session.commit()
        assert get(case_id).status == "waitlist" and db.session.get(Unit, offer.unit_id).status == "vacant"


def test_subsidized_rental_rent_is_checked_against_its_ceiling(app):
    with app.app_context():
        officer, owner = user("liuchu"), user("lixiulan")
        case_id = new_case("offered", programme="subsidized_rental", owner="lixiulan")
        offer = offer_for(case_id, "subsidized_rental")
        project = offer.unit.building.project
        project.market_rent_per_m2 = Decimal("30")
        offer.unit.rent_month = Decimal(str(offer.unit.area_m2)) * 30  # at market rent: above the 90% ceiling
        db.session.commit()
        offers.accept(offer, owner)
        db.session.commit()
        with pytest.raises(ContractError) as error:
            contracts.record_contract(get(case_id), officer, date.today())
        assert error.value.code == "rent_above_ceiling"
        db.session.rollback()
        unit = db.session.get(Unit, offer.unit_id)
        unit.rent_month = Decimal(str(unit.area_m2)) * 20
        db.session.commit()
        tenancy = contracts.record_contract(get(case_id), officer, date.today())
        assert tenancy.rent_basis == "subsidized_rental_ceiling" and Decimal(tenancy.rent_trace["ceiling"]) > 0
        assert tenancy.rent_trace["parameter"] == "subsidized_rental.rent_ratio_max"
