"""From an accepted offer to the keys: the signed tenancy contract and the hand-over (待签约 → 已入住).

* The contract runs from its start date for the city's `workflow.contract_years` (住建部令第11号 (2012): tenancy
  contracts of at most five years).
* Its rent and the basis of that rent are fixed when it is signed (services/prices.py): public rental at the
  unit's public-rental rent; subsidized rental at the unit's rent, which must stay under the ceiling the market
  rent of comparable housing allows (plan §4(2)); talent rental at the government-guided rent (plan box 1).
* Handing over the keys makes the unit occupied and the case housed, sets the next re-verification (年审) one
  interval later, and stops any running rent subsidy from the next month (the household now has a unit).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Optional

from sqlalchemy import select

from ..extensions import db
from ..models import Application, ApplicationEvent, Offer, RentSubsidy, Tenancy, Unit, UnitStatus, User
from . import audit, prices, transitions, unit_status
from .calendar import add_months, end_of_month, workflow_value
from .parameters import effective_pack


class ContractError(ValueError):
    def __init__(self, field: str, code: str, **params):
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code
        self.params = params


def contract_end(start: date, years: int) -> date:
    """The last day of a contract of `years` starting on `start` (29 February ends on 28 February)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def accepted_offer(application: Application) -> Optional[Offer]:
    """The accepted offer whose unit waits for this household's contract."""
    return db.session.scalar(select(Offer).join(Unit, Offer.unit_id == Unit.id).where(
        Offer.application_id == application.id, Offer.status == "accepted",
        Unit.status == UnitStatus.awaiting_contract.value).order_by(Offer.id.desc()))


def signed_tenancy(application: Application) -> Optional[Tenancy]:
    return db.session.scalar(select(Tenancy).where(Tenancy.application_id == application.id,
                                                   Tenancy.status == "signed").order_by(Tenancy.id.desc()))


def contract_rent(unit: Unit, as_of: date) -> tuple[Decimal, str, dict]:
    """(monthly rent, basis, trace) for a contract on `unit` signed on `as_of`. Raises ContractError when the
    unit's rent breaks its programme's rule (a subsidized-rental rent above the ceiling) or the home is sold."""
    pack = effective_pack(unit.building.project.city_code)
    facts = prices.unit_price_facts(unit, as_of, pack)
    trace: dict = {"pack_hash": pack.hash, "as_of": as_of.isoformat(), "unit": unit.id}
    if unit.programme == "subsidized_rental":
        check = facts.rent_check
        if check.within is False:
            raise ContractError("rent", "rent_above_ceiling", rent=str(check.rent), ceiling=str(check.ceiling))
        trace.update(market_rent=None if check.market_rent is None else str(check.market_rent),
                     ceiling=None if check.ceiling is None else str(check.ceiling),
                     parameter=check.ratio.name, value=str(check.ratio.value),
                     effective_from=check.ratio.effective_from.isoformat(), citation=check.ratio.citation)
        return check.rent, "subsidized_rental_ceiling", trace
    if unit.programme == "talent":
        if (unit.tenure or "") in prices.PROPERTY_TENURES:
            raise ContractError("unit", "property_home_is_sold")
        trace.update(citation=prices.RENTAL_RENT_CITATION)
        return facts.rent, "talent_guide_price", trace
    trace.update(citation="住建部令第11号 (2012): public rental rent set by the city below the market rent")
    return facts.rent, "public_rental_rent", trace


def record_contract(application: Application, actor: Optional[User], start_on: date,
                    today: Optional[date] = None) -> Tenancy:
    """The bureau records the contract the household signed: the case stays 待签约 until the keys."""
    today = today or date.today()
    if application.status != "awaiting_contract":
        raise ContractError("application", "not_awaiting_contract")
    if signed_tenancy(application) is not None:
        raise ContractError("application", "contract_already_signed")
    offer = accepted_offer(application)
    if offer is None:
        raise ContractError("application", "no_accepted_offer")
    accepted_on = offer.responded_at.date() if offer.responded_at else today
    if start_on < accepted_on:
        raise ContractError("start_on", "start_before_acceptance", accepted_on=accepted_on.isoformat())
    unit = offer.unit
    rent, basis, trace = contract_rent(unit, today)
    years = int(workflow_value(application.city_code, "contract_years", today))
    trace["contract_years"] = years
    try:
        end_on = contract_end(start_on, years)
    except (ValueError, OverflowError):  # a start so far ahead that the term ends past the calendar's last year
        raise ContractError("start_on", "start_out_of_range") from None
    tenancy = Tenancy(application_id=application.id, unit_id=unit.id, offer_id=offer.id, start_on=start_on,
                      end_on=end_on, rent_month=rent, rent_basis=basis, rent_trace=trace,
                      signed_on=today, status="signed")
    db.session.add(tenancy)
    db.session.flush([tenancy])
    db.session.add(ApplicationEvent(application=application, actor_id=getattr(actor, "id", None),
                                    action="contract_signed", from_status=application.status,
                                    to_status=application.status, reason="",
                                    data={"tenancy": tenancy.id, "unit": unit.id, "start_on": start_on.isoformat(),
                                          "end_on": tenancy.end_on.isoformat(), "rent_month": str(rent),
                                          "rent_basis": basis}))
    audit.record("tenancy.sign", tenancy, actor=actor, application=application.id, unit=unit.id,
                 start_on=start_on, end_on=tenancy.end_on, rent_month=rent, rent_basis=basis,
                 pack_hash=trace["pack_hash"])
    return tenancy


def hand_over_keys(tenancy: Tenancy, actor: Optional[User], on: Optional[date] = None) -> Tenancy:
    """Keys handed over: tenancy active, unit occupied, case housed with its next 年审 date set; a running rent
    subsidy stops at the end of this month (no line from the next month on)."""
    on = on or date.today()
    if tenancy.status != "signed":
        raise ContractError("tenancy", "not_signed")
    if tenancy.signed_on and on < tenancy.signed_on:
        raise ContractError("keys_on", "keys_before_signing", signed_on=tenancy.signed_on.isoformat())
    application = tenancy.application
    tenancy.status, tenancy.keys_on = "active", on
    unit_status.change_unit_status(tenancy.unit, UnitStatus.occupied, actor, on=on, tenancy=tenancy.id,
                                   cause="keys_handed_over")
    interval = int(workflow_value(application.city_code, "reverification_interval_months", on))
    next_on = add_months(on, interval)
    transitions.move(application, "housed", actor, "hand_over_keys", tenancy=tenancy.id, unit=tenancy.unit_id,
                     keys_on=on.isoformat(), next_reverification_on=next_on.isoformat())
    application.next_reverification_on = next_on
    stop_subsidies(application, actor, on, cause="housed")
    audit.record("tenancy.keys", tenancy, actor=actor, application=application.id, unit=tenancy.unit_id,
                 keys_on=on, next_reverification_on=next_on)
    return tenancy


def stop_subsidies(application: Application, actor: Optional[User], on: date, cause: str) -> int:
    """Stop the household's active rent subsidies: paid to the end of this month, no line from the next."""
    stopped = 0
    for subsidy in db.session.scalars(select(RentSubsidy).where(RentSubsidy.application_id == application.id,
                                                                RentSubsidy.status == "active")):
        subsidy.end_on = min(subsidy.end_on, end_of_month(on))
        subsidy.status = "stopped"
        audit.record("rent_subsidy.stop", subsidy, actor=actor, application_id=application.id,
                     end_on=subsidy.end_on, cause=cause)
        stopped += 1
    return stopped


def release(application: Application, actor: Optional[User], reason: str, today: Optional[date] = None) -> None:
    """The household did not come to sign: the unit returns to the pool, the case to the waiting list."""
    today = today or date.today()
    reason = (reason or "").strip()
    if not reason:
        raise ContractError("reason", "reason_required")
    if application.status != "awaiting_contract":
        raise ContractError("application", "not_awaiting_contract")
    if signed_tenancy(application) is not None:
        raise ContractError("application", "contract_already_signed")
    offer = accepted_offer(application)
    if offer is not None:
        unit_status.change_unit_status(offer.unit, UnitStatus.vacant, actor, on=today, offer=offer.id,
                                       cause="contract_not_signed")
    transitions.move(application, "waitlist", actor, "contract_not_signed", reason=reason,
                     offer=offer.id if offer else None)


# ---- talent property homes: sold, not let (plan box 1) ------------------------------------------------------

SALE_BASIS = {"full_property": "sale_full_property", "shared_ownership": "sale_shared_ownership"}
OWNERSHIP_YEARS = 70  # the record of an owned home has no contract end; it is kept open for the residential term


def record_purchase(application: Application, actor: Optional[User], work_started_on: date,
                    today: Optional[date] = None) -> Tenancy:
    """The purchase contract of a talent property home at the plan's price (full property at cost × (1 +
    `talent.full_property_markup`), shared ownership at cost × `talent.shared_price_factor`; services/prices.py).
    `work_started_on` is the start of the buyer's full-time local work, from which the resale lock runs (plan
    box 1: 累计全职工作5年以上). The keys follow with `hand_over_keys`."""
    today = today or date.today()
    if application.status != "awaiting_contract":
        raise ContractError("application", "not_awaiting_contract")
    if signed_tenancy(application) is not None:
        raise ContractError("application", "contract_already_signed")
    offer = accepted_offer(application)
    if offer is None:
        raise ContractError("application", "no_accepted_offer")
    unit = offer.unit
    tenure = unit.tenure or application.tenure
    if unit.programme != "talent" or tenure not in SALE_BASIS:
        raise ContractError("unit", "not_a_property_home")
    if work_started_on > today:
        raise ContractError("work_started_on", "work_start_in_future")
    pack = effective_pack(unit.building.project.city_code)
    option = prices.talent_prices(unit, today, pack).option(tenure)
    if option.amount is None:
        raise ContractError("unit", "cost_unknown")
    years = prices.param_fact(pack, "talent.resale_years", today)
    trace = {"pack_hash": pack.hash, "as_of": today.isoformat(), "unit": unit.id, "tenure": tenure,
             "price": str(option.amount), "cost": str(prices.talent_prices(unit, today, pack).cost),
             "work_started_on": work_started_on.isoformat(), "resale_years": years.value,
             "resale_from": prices._years_after(work_started_on, int(years.value)).isoformat(),
             "citation": option.citation}
    tenancy = Tenancy(application_id=application.id, unit_id=unit.id, offer_id=offer.id, start_on=today,
                      end_on=contract_end(today, OWNERSHIP_YEARS), rent_month=Decimal("0"),
                      rent_basis=SALE_BASIS[tenure], rent_trace=trace, signed_on=today, status="signed")
    db.session.add(tenancy)
    db.session.flush([tenancy])
    db.session.add(ApplicationEvent(application=application, actor_id=getattr(actor, "id", None),
                                    action="purchase_signed", from_status=application.status,
                                    to_status=application.status, reason="",
                                    data={"tenancy": tenancy.id, "unit": unit.id, "price": str(option.amount),
                                          "tenure": tenure, "work_started_on": work_started_on.isoformat()}))
    audit.record("talent.purchase", tenancy, actor=actor, application=application.id, unit=unit.id,
                 price=option.amount, tenure=tenure, work_started_on=work_started_on, pack_hash=pack.hash)
    return tenancy


def buy_back(application: Application, actor: Optional[User], today: Optional[date] = None, *,
             reason: str = "") -> dict:
    """The government buys a shared-ownership talent home back at the cost price at transfer (plan box 1:
    原则上由政府按转让时的成本价回购): the ownership ends, the unit returns to the pool, the case is closed.
    `today` is the transfer date: not in the future, not before the purchase."""
    today = today or date.today()
    tenancy = prices.current_tenancy(application)
    if tenancy is None or tenancy.rent_basis != SALE_BASIS["shared_ownership"]:
        raise ContractError("application", "not_shared_ownership")
    if application.status != "housed":
        raise ContractError("application", "not_housed")
    if today > date.today():
        raise ContractError("transfer_on", "transfer_in_future")
    if today < tenancy.start_on:
        raise ContractError("transfer_on", "transfer_before_purchase")
    check = prices.resale_check(application, today)
    if check is None or check.buyback_price is None:
        raise ContractError("unit", "cost_unknown")
    tenancy.status = "ended"
    unit_status.change_unit_status(tenancy.unit, UnitStatus.vacant, actor, on=today, tenancy=tenancy.id,
                                   cause="buy_back")
    transitions.move(application, "exited", actor, "buy_back", reason=reason, tenancy=tenancy.id,
                     price=str(check.buyback_price), cost=str(check.cost), allowed=check.allowed,
                     transfer_on=today.isoformat())
    audit.record("talent.buy_back", tenancy, actor=actor, application=application.id, price=check.buyback_price,
                 cost=check.cost, resale_allowed=check.allowed, transfer_on=today.isoformat(), reason=reason)
    return {"price": check.buyback_price, "cost": check.cost, "allowed": check.allowed}


def buy_back_event(application: Application) -> Optional[ApplicationEvent]:
    """The recorded buy-back of this household's shared-ownership home, if any."""
    return db.session.scalar(select(ApplicationEvent).where(
        ApplicationEvent.application_id == application.id, ApplicationEvent.action == "buy_back")
        .order_by(ApplicationEvent.id.desc()))
