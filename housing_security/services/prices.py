"""What a unit costs against what the plan allows, and whether a talent home may be resold.

* Subsidized rental (plan §4(2)): the rent stays below the market rent of comparable housing at the same
  location by the city's ratio (`subsidized_rental.rent_ratio_max`). Market rent of a unit = its area ×
  the project's `market_rent_per_m2`; the ceiling comes from `policy.subsidized_rent_ceiling`.
* Talent housing (plan §4(4), box 1): rental at the government-guided rent, full property at cost × 1.03,
  shared ownership at cost with the government holding the land; cost of a unit = area × the project's
  `cost_per_m2`.
* Resale (plan box 1): a talent property home is locked for `talent.resale_years`; a shared-ownership
  home is then bought back by the government at cost.

Every figure names the parameter (value, date in force, citation) that set it, read from the city's
effective pack (YAML plus administrators' dated changes).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import select

from .. import policy
from ..extensions import db
from ..models import Application, Tenancy, Unit
from ..policy.money import money
from .parameters import effective_pack

TALENT_CITATION = "plan §4(4), box 1"
# Plan box 1: 共有产权型人才住房的土地通过划拨方式取得 … 政府持有土地产权，个人持有住房产权.
GOVERNMENT_SHARE_CITATION = "plan box 1: 政府持有土地产权，个人持有住房产权"
RENTAL_RENT_CITATION = "plan box 1: 租赁型人才住房…租金采用政府指导价"
PROPERTY_TENURES = ("full_property", "shared_ownership")


@dataclass(frozen=True)
class ParamFact:
    """One parameter as it applied: name, label {zh, en}, value, the date it took effect, citation."""

    name: str
    label: dict
    value: Any
    effective_from: date
    citation: str

    @property
    def percent(self) -> str:
        """A ratio as a percentage without trailing zeros: 0.9 → "90", 0.03 → "3"."""
        value = (Decimal(str(self.value)) * 100).normalize()
        return f"{value:f}"

    def label_in(self, language: str) -> str:
        return self.label.get(language) or self.label.get("zh") or self.name


def param_fact(pack: policy.ParameterPack, name: str, as_of: date) -> ParamFact:
    parameter = pack.param(name)
    ref = parameter.at(as_of)
    # A value entered by an administrator carries its own citation (services/parameters.py).
    citation_on = getattr(parameter, "citation_on", None)
    citation = (citation_on(ref.effective_from) if citation_on else None) or parameter.citation
    return ParamFact(name, dict(parameter.label), ref.value, ref.effective_from, citation)


@dataclass(frozen=True)
class RentCheck:
    """A subsidized-rental unit's rent against its ceiling; market figures are None when unknown."""

    rent: Decimal
    market_rent: Optional[Decimal]
    ceiling: Optional[Decimal]
    within: Optional[bool]          # rent ≤ ceiling; None when the market rent is not recorded
    ratio: ParamFact

    @property
    def percent(self) -> str:
        return self.ratio.percent


@dataclass(frozen=True)
class TenureOption:
    tenure: str                     # rental | full_property | shared_ownership
    amount: Optional[Decimal]       # monthly rent for rental, sale price otherwise; None when unknown
    monthly: bool
    fits: bool                      # the unit's area is within the tenure's band
    area_min: Optional[Decimal]
    area_max: Optional[Decimal]     # None: by the talent's need
    parameters: tuple[ParamFact, ...]
    citation: str


@dataclass(frozen=True)
class TalentPrices:
    cost: Optional[Decimal]         # area × cost per m²
    options: tuple[TenureOption, ...]
    government_share: str           # what the government keeps in shared ownership: the land
    government_share_citation: str
    resale_years: ParamFact
    buyback: ParamFact
    citation: str = TALENT_CITATION

    def option(self, tenure: str) -> TenureOption:
        return next(o for o in self.options if o.tenure == tenure)


@dataclass(frozen=True)
class UnitPrices:
    unit_id: int
    programme: str
    tenure: Optional[str]
    area_m2: Decimal
    rent: Decimal
    rent_check: Optional[RentCheck] = None
    talent: Optional[TalentPrices] = None


def _pack_for(unit: Unit, pack):
    return pack if pack is not None else effective_pack(unit.building.project.city_code)


def _dec(value) -> Optional[Decimal]:
    return None if value is None else Decimal(str(value))


def rent_check(unit: Unit, as_of: date, pack=None) -> RentCheck:
    pack = _pack_for(unit, pack)
    project = unit.building.project
    ratio = param_fact(pack, "subsidized_rental.rent_ratio_max", as_of)
    rent = money(unit.rent_month or 0)
    if project.market_rent_per_m2 is None:
        return RentCheck(rent, None, None, None, ratio)
    market_rent = money(Decimal(str(unit.area_m2)) * Decimal(str(project.market_rent_per_m2)))
    ceiling = policy.subsidized_rent_ceiling(market_rent, pack, as_of)
    return RentCheck(rent, market_rent, ceiling, rent <= ceiling, ratio)


def talent_prices(unit: Unit, as_of: date, pack=None) -> TalentPrices:
    pack = _pack_for(unit, pack)
    project = unit.building.project
    area = Decimal(str(unit.area_m2))
    cost = money(area * Decimal(str(project.cost_per_m2))) if project.cost_per_m2 is not None else None

    rental_max = param_fact(pack, "talent.rental_area_max", as_of)
    rent = money(unit.rent_month or 0)
    rental = TenureOption(
        "rental", rent if (unit.tenure == "rental" or rent > 0) else None, True,
        area <= Decimal(str(rental_max.value)), None, _dec(rental_max.value), (rental_max,), RENTAL_RENT_CITATION)

    markup = param_fact(pack, "talent.full_property_markup", as_of)
    full_max = param_fact(pack, "talent.full_property_area_max", as_of)
    full = TenureOption(
        "full_property", policy.talent_price(cost, "full_property", pack, as_of) if cost is not None else None,
        False, full_max.value is None or area <= Decimal(str(full_max.value)), None, _dec(full_max.value),
        (markup, full_max), markup.citation)

    factor = param_fact(pack, "talent.shared_price_factor", as_of)
    shared_min = param_fact(pack, "talent.shared_area_min", as_of)
    shared_max = param_fact(pack, "talent.shared_area_max", as_of)
    shared = TenureOption(
        "shared_ownership",
        policy.talent_price(cost, "shared_ownership", pack, as_of) if cost is not None else None, False,
        Decimal(str(shared_min.value)) <= area <= Decimal(str(shared_max.value)),
        _dec(shared_min.value), _dec(shared_max.value), (factor, shared_min, shared_max), factor.citation)
    return TalentPrices(cost, (rental, full, shared), "land", GOVERNMENT_SHARE_CITATION,
                        param_fact(pack, "talent.resale_years", as_of),
                        param_fact(pack, "talent.buyback_price_factor", as_of))


def unit_price_facts(unit: Unit, as_of: date, pack=None) -> UnitPrices:
    """The price facts of one unit on `as_of`; pass `pack` (the city's effective pack) for many units."""
    facts = dict(unit_id=unit.id, programme=unit.programme, tenure=unit.tenure,
                 area_m2=Decimal(str(unit.area_m2)), rent=money(unit.rent_month or 0))
    if unit.programme == "subsidized_rental":
        facts["rent_check"] = rent_check(unit, as_of, pack)
    elif unit.programme == "talent":
        facts["talent"] = talent_prices(unit, as_of, pack)
    return UnitPrices(**facts)


# ---- resale of talent property homes ------------------------------------------------------------------

@dataclass(frozen=True)
class ResaleCheck:
    tenure: str                     # full_property | shared_ownership
    since: date                     # start of ownership (the tenancy's start date, see resale_check)
    allowed: bool
    allowed_from: date
    years: ParamFact
    cost: Optional[Decimal]         # the unit's cost today: area × the project's cost per m²
    buyback_price: Optional[Decimal]  # shared ownership only: the government buys back at cost
    parameters: tuple[ParamFact, ...] = field(default=())


def _years_after(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February, the same way policy.resale_allowed counts
        return start.replace(year=start.year + years, day=28)


def current_tenancy(application: Application) -> Optional[Tenancy]:
    return db.session.scalar(select(Tenancy).where(
        Tenancy.application_id == application.id, Tenancy.status == "active").order_by(Tenancy.start_on.desc(),
                                                                                      Tenancy.id.desc()))


def resale_check(application: Application, as_of: date) -> Optional[ResaleCheck]:
    """May this household sell (or hand back) its talent property home on `as_of`? None when it holds none.

    The system records no separate purchase contract or work-start date: the tenancy's start date (the day
    the offer was accepted and the home handed over) stands for both the purchase and the start of
    full-time local work that the five-year lock counts from (plan box 1: 累计全职工作5年以上).
    """
    if application.programme != "talent":
        return None
    tenancy = current_tenancy(application)
    if tenancy is None:
        return None
    unit = tenancy.unit
    tenure = unit.tenure or application.tenure
    if tenure not in PROPERTY_TENURES:
        return None
    pack = effective_pack(application.city_code)
    years = param_fact(pack, "talent.resale_years", as_of)
    # A recorded purchase keeps the start of the buyer's full-time local work (services/contracts.py); older
    # records without it fall back to the tenancy's start.
    work_started = (tenancy.rent_trace or {}).get("work_started_on")
    start = date.fromisoformat(work_started) if work_started else tenancy.start_on
    allowed = policy.resale_allowed(pack, as_of, work_started=start)
    project = unit.building.project
    cost = (money(Decimal(str(unit.area_m2)) * Decimal(str(project.cost_per_m2)))
            if project.cost_per_m2 is not None else None)
    parameters = [years]
    buyback = None
    if tenure == "shared_ownership":
        parameters.append(param_fact(pack, "talent.buyback_price_factor", as_of))
        if cost is not None:
            buyback = policy.buyback_price(cost, pack, as_of)
    return ResaleCheck(tenure, start, allowed, _years_after(start, int(years.value)), years, cost, buyback,
                       tuple(parameters))
