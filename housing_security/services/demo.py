"""Demo data: the 太原 demo city with staff of every role, housing projects, and households at every
stage of the workflow, so that every screen has something real to show. Idempotent."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from .. import policy
from ..extensions import db
from ..models import (
    Application,
    ApplicationEvent,
    Building,
    Household,
    InfoRequest,
    Jurisdiction,
    Member,
    Offer,
    Project,
    RentSubsidy,
    Role,
    Tenancy,
    Unit,
    User,
)
from . import accounts, audit, eligibility, unit_status, waitlist
from .calendar import add_months, review_due, workflow_value
from .demo_city import (
    CITIES,
    DEMO_PASSWORD,
    GIVEN,
    PROJECT_PRICES,
    PROJECTS,
    PROVINCE,
    REGION_CODES,
    STAFF_ACCOUNTS,
    SURNAMES,
    street_office_contact,
)

# The path each demo case has walked, by the status it ends in.
PATHS = {
    "draft": [],
    "returned": ["street_review", "returned"],
    "street_review": ["street_review"],
    "district_review": ["street_review", "district_review"],
    "bureau_review": ["street_review", "district_review", "bureau_review"],
    "publicity": ["street_review", "district_review", "bureau_review", "publicity"],
    "waitlist": ["street_review", "district_review", "bureau_review", "publicity", "waitlist"],
    "offered": ["street_review", "district_review", "bureau_review", "publicity", "waitlist", "offered"],
    "housed": ["street_review", "district_review", "bureau_review", "publicity", "waitlist", "offered", "housed"],
    "subsidised": ["street_review", "district_review", "bureau_review", "publicity", "waitlist", "subsidised"],
    "rejected": ["street_review", "rejected"],
    "appeal": ["street_review", "rejected", "appeal"],
    "exiting": ["street_review", "district_review", "bureau_review", "publicity", "waitlist", "offered",
                "housed", "exiting"],
}
STAGE_WEIGHTS = {
    "draft": 5, "returned": 4, "street_review": 10, "district_review": 5, "bureau_review": 6, "publicity": 6,
    "waitlist": 30, "offered": 3, "housed": 15, "subsidised": 5, "rejected": 5, "appeal": 2, "exiting": 2,
}
ACTIONS = {
    "street_review": "submit", "returned": "request_info", "district_review": "street_recommend",
    "bureau_review": "district_recommend", "publicity": "approve", "waitlist": "publicity_ended",
    "offered": "offer", "housed": "accept_offer", "subsidised": "start_subsidy", "rejected": "reject",
    "appeal": "request_appeal", "exiting": "reverification_failed",
}


def seed(households: int = 360, seed: int = 20261126, today: date | None = None) -> dict | None:
    """Create the demo city once; returns counts, or None when it is already there."""
    if db.session.scalar(select(func.count()).select_from(User).where(User.username == "liuchu")):
        return None
    rng = random.Random(seed)
    today = today or date.today()
    streets = _jurisdictions()
    password_hash = accounts.hash_password(DEMO_PASSWORD)
    staff = _staff(streets, password_hash)
    units = _projects(streets, rng, today)
    scenario = _scenario_households(streets, password_hash, staff, units, rng, today)
    generated = _households(households, streets, password_hash, staff, units, rng, today)
    for programme in ("public_rental", "subsidized_rental", "talent"):
        waitlist.rerank("taiyuan", programme, today)
    _fill_portfolio(units, rng, today)
    _unit_histories(units, today)
    _imported_project(staff["liuchu"], today)
    _operations(staff, today)
    audit.record("demo.seed", None, actor=None, households=households + len(scenario), seed=seed)
    db.session.commit()
    from . import audit_chain

    audit_chain.seal()  # the demo's history starts the audit hash chains
    db.session.commit()
    return {"jurisdictions": len(streets), "staff": len(staff), "units": sum(len(u) for u in units.values()),
            "households": len(scenario) + generated}


def _jurisdictions() -> dict[str, Jurisdiction]:
    by_code: dict[str, Jurisdiction] = {}
    province = Jurisdiction(kind="province", code=PROVINCE[0], name_zh=PROVINCE[1], name_en=PROVINCE[2])
    db.session.add(province)
    by_code[province.code] = province
    for city_code, (city_zh, city_en, districts) in CITIES.items():
        city = Jurisdiction(kind="city", code=city_code, name_zh=city_zh, name_en=city_en, parent=province)
        by_code[city_code] = city
        for district_code, (district_zh, district_en, streets) in districts.items():
            district = Jurisdiction(kind="district", code=district_code, name_zh=district_zh,
                                    name_en=district_en, parent=city)
            by_code[district_code] = district
            for street_code, street_zh, street_en in streets:
                address, phone = street_office_contact(city_code, city_zh, district_zh, street_zh, len(by_code))
                by_code[street_code] = Jurisdiction(kind="street", code=street_code, name_zh=street_zh,
                                                    name_en=street_en, parent=district,
                                                    office_address=address, office_phone=phone)
    db.session.add_all(by_code.values())
    db.session.flush()
    return by_code


def _staff(places: dict[str, Jurisdiction], password_hash: str) -> dict[str, User]:
    return {
        username: accounts.create_user(username, "", Role(role), name, places[code], password_hash=password_hash)
        for username, name, role, code in STAFF_ACCOUNTS
    }


def _projects(places, rng: random.Random, today: date) -> dict[str, list[Unit]]:
    units: dict[str, list[Unit]] = {}
    for (code, name, district, programme, tenure, kind, count, (area_lo, area_hi), (bed_lo, bed_hi), floors,
         elevator, rent_per_m2) in PROJECTS:
        project = Project(code=code, name=name, city_code="taiyuan", district=places[district],
                          programme=programme, address=f"{places[district].name_zh}{name}",
                          government_invested=True, completed_on=today - timedelta(days=rng.randint(200, 1500)))
        market_rent, cost = PROJECT_PRICES.get(code, (None, None))  # demo values, see demo_city
        project.market_rent_per_m2 = Decimal(market_rent) if market_rent else None
        project.cost_per_m2 = Decimal(cost) if cost else None
        per_building = -(-count // 3)
        for b in range(3):
            building = Building(project=project, name=f"{b + 1}号楼", floors=floors, elevator=elevator)
            for i in range(min(per_building, count - b * per_building)):
                floor = 1 + i % floors
                area = Decimal(str(round(rng.uniform(area_lo, area_hi), 1)))
                unit = Unit(
                    building=building, number=f"{floor}{(i // floors) + 1:02d}", programme=programme,
                    tenure=tenure, kind=kind, area_m2=area, bedrooms=rng.randint(bed_lo, bed_hi), floor=floor,
                    accessible=(floor == 1 and i % 4 == 0),
                    rent_month=(area * Decimal(str(rent_per_m2))).quantize(Decimal("0.01")),
                    status="vacant",
                )
                units.setdefault(programme, []).append(unit)
        db.session.add(project)
    db.session.flush()
    return units


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def _id_number(district: str, birth: date, rng: random.Random) -> str:
    return policy.make_id_number(REGION_CODES.get(district, "140105"), birth, rng.randint(1, 999))


def _birth(rng: random.Random, today: date, low: int, high: int) -> date:
    return today - timedelta(days=rng.randint(low * 365 + 10, high * 365 - 10))


def _street_staff(places, password_hash) -> dict[str, User]:
    """One caseworker for every street and one reviewer for every district that has none named above."""
    named = {code for _, _, _, code in STAFF_ACCOUNTS}
    made = {}
    for place in places.values():
        role = {"street": Role.street_caseworker, "district": Role.district_reviewer}.get(place.kind)
        if role is None or place.code in named:
            continue
        prefix = "cw" if place.kind == "street" else "dr"
        made[f"{prefix}_{place.code}"] = accounts.create_user(
            f"{prefix}_{place.code}", "", role, f"{place.name_zh}{'经办人' if prefix == 'cw' else '审核人'}", place,
            password_hash=password_hash)
    return made


class _CaseWriter:
    """Writes demo cases with the events of the path they walked, dated in the past."""

    def __init__(self, staff: dict[str, User], units: dict[str, list[Unit]], rng: random.Random, today: date):
        self.staff, self.units, self.rng, self.today = staff, units, rng, today
        self.sequence = 0
        self.free_units = {programme: list(pool) for programme, pool in units.items()}
        for pool in self.free_units.values():
            rng.shuffle(pool)

    def actor_for(self, status: str, street: Jurisdiction) -> User | None:
        district = street.parent
        if status in ("street_review", "appeal"):
            return None  # the applicant acts; the event records them via the household owner
        if status in ("district_review", "returned", "rejected"):
            return self._staff_of(street) or None
        if status == "bureau_review":
            return self._staff_of(district)
        return self.staff.get("liuchu")

    def _staff_of(self, place: Jurisdiction) -> User | None:
        for user in self.staff.values():
            if user.jurisdiction_id == place.id and user.role != Role.administrator.value:
                return user
        return None

    def write(self, household: Household, programme: str, final: str, tenure: str | None = None,
              days_ago: int | None = None, preferences: list[str] | None = None, **fields) -> Application:
        self.sequence += 1
        rng, today = self.rng, self.today
        path = PATHS[final]
        if days_ago is None:
            # Cases in publicity were approved in the last few days, so the public page has objections to take.
            days_ago = (rng.randint(5, 12) if final == "publicity"
                        else rng.randint(3 + 12 * len(path), 20 + 40 * len(path)))
        started = today - timedelta(days=days_ago)
        application = Application(
            reference=f"TY{today.year}{self.sequence:06d}", household=household, street_id=household.street_id,
            city_code="taiyuan", programme=programme, tenure=tenure, status="draft",
            preferences=preferences or [], created_at=_at(started), **fields,
        )
        db.session.add(application)
        db.session.flush()
        eligibility.decide(application, started)
        step_days = max(1, days_ago // (len(path) + 1))
        current, when = "draft", started
        for status in path:
            when = min(today, when + timedelta(days=step_days))
            reason = self._reason(status)
            db.session.add(ApplicationEvent(
                application=application, at=_at(when), actor=self.actor_for(status, household.street) or household.owner,
                action=ACTIONS[status], from_status=current, to_status=status, reason=reason,
            ))
            self._apply(application, status, when)
            current = status
        application.status = current
        return application

    def _reason(self, status: str) -> str:
        return {
            "returned": "户口簿本人页照片不清晰，请重新上传清晰的照片。",
            "rejected": "家庭人均月收入超过本市公共租赁住房收入标准。",
            "appeal": "申请人对审核结果有异议，申请复核。",
            "exiting": "年度复核：家庭收入超过标准，进入退出缓冲期。",
        }.get(status, "")

    def _apply(self, application: Application, status: str, when: date) -> None:
        """The same dates the services would set, from the city's workflow parameters."""
        city = application.city_code

        def months(name: str) -> int:
            return int(workflow_value(city, name, when))

        if status in ("street_review", "district_review", "bureau_review"):
            application.review_due_on = review_due(city, status, when)
            if status == "street_review":
                application.submitted_at = _at(when)
        elif status == "returned":
            requester = self._staff_of(application.household.street) or self.staff["wangqiang"]
            db.session.add(InfoRequest(application_id=application.id, requested_by_id=requester.id,
                                       requested_at=_at(when), message=self._reason("returned")))
        elif status == "publicity":
            application.approved_on = when
            application.publicity_until = when + timedelta(days=int(workflow_value(city, "publicity_days", when)))
        elif status == "waitlist":
            application.waitlist_since = when
        elif status == "offered":
            unit = self._take_unit(application, "offered")
            if unit is not None:
                answer_days = timedelta(days=int(workflow_value(city, "offer_response_days", when)))
                db.session.add(Offer(application=application, unit=unit, made_at=_at(when),
                                     respond_by=max(self.today, when) + answer_days))
        elif status == "housed":
            offer = db.session.scalar(select(Offer).where(Offer.application_id == application.id))
            unit = offer.unit if offer else self._take_unit(application, "occupied")
            if offer is not None:
                offer.status, offer.responded_at = "accepted", _at(when)
            if unit is not None:
                unit.status = "occupied"
                db.session.add(Tenancy(application=application, unit=unit, start_on=when,
                                       end_on=add_months(when, 12 * months("contract_years")),
                                       rent_month=unit.rent_month))
            application.next_reverification_on = add_months(when, months("reverification_interval_months"))
        elif status == "subsidised":
            household = eligibility.policy_household(application.household)
            amount = policy.rent_subsidy(household, city, when)
            term = int(policy.load_pack(city).value("rent_subsidy.term_months", when))
            db.session.add(RentSubsidy(application=application, amount_month=amount, start_on=when,
                                       end_on=add_months(when, term),
                                       trace={"rule": "rent_subsidy", "pack_hash": application.pack_hash}))
        elif status == "exiting":
            application.exit_buffer_until = add_months(when, months("exit_buffer_months"))

    def _take_unit(self, application: Application, new_status: str) -> Unit | None:
        pool = self.free_units.get(application.programme) or []
        area_range = (application.decision or {}).get("area_range") or {}
        low = float(area_range.get("min_m2") or 0)
        high = float(area_range.get("max_m2") or 10_000)
        for index, unit in enumerate(pool):
            if low <= float(unit.area_m2) <= high:
                pool.pop(index)
                unit.status = new_status
                return unit
        return None


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 30), tzinfo=UTC)


def _household(street: Jurisdiction, owner: User | None, programme: str, rng: random.Random, today: date,
               eligible: bool = True, name: str | None = None, size: int | None = None) -> Household:
    district = street.parent.code
    size = size or (rng.choices([1, 2, 3, 4, 5], [25, 30, 28, 12, 5])[0] if programme == "public_rental"
                     else rng.choices([1, 2, 3], [70, 20, 10])[0])
    head_age = (rng.randint(30, 75) if programme == "public_rental" else rng.randint(22, 40))
    head_birth = _birth(rng, today, head_age, head_age + 1)
    household = Household(
        owner=owner, street=street, address=f"{street.parent.name_zh}{street.name_zh}某小区",
        phone=f"139{rng.randint(10000000, 99999999)}",
        hukou_city="taiyuan" if programme == "public_rental" else rng.choice(["yuncheng", "linfen", "taiyuan"]),
        hukou_type="urban",
        assets_yuan=Decimal(rng.randint(0, 80000) if eligible else 900000),
        current_area_m2=Decimal(str(round(rng.uniform(6, 12) * size, 1))) if programme == "public_rental"
        else Decimal("0"),
    )
    if programme == "public_rental":
        roll = rng.random()
        household.minimum_allowance = roll < 0.25
        household.special_hardship = 0.25 <= roll < 0.3
        household.low_income = 0.3 <= roll < 0.75
        household.veteran_family = rng.random() < 0.04
    relations = ["self", "spouse", "child", "child", "parent"]
    for position in range(size):
        relation = relations[position] if position < len(relations) else "other"
        birth = head_birth if relation == "self" else (
            _birth(rng, today, 2, 17) if relation == "child" else
            _birth(rng, today, head_age + 22, head_age + 30) if relation == "parent" else
            _birth(rng, today, max(20, head_age - 5), head_age + 4))
        income = _income(programme, relation, eligible, rng)
        household.members.append(Member(
            position=position, name=name if (relation == "self" and name) else _person(rng),
            id_number=_id_number(district, birth, rng), relation=relation, birth_date=birth,
            disability=rng.random() < 0.05, income_month=income,
            employed_locally=programme != "public_rental" and relation == "self",
            social_insurance_local=programme != "public_rental" and relation == "self",
            talent_category=rng.choice("ABCDE") if programme == "talent" and relation == "self" else None,
            owns_home_in_city=(not eligible and programme != "public_rental" and relation == "self"),
        ))
    db.session.add(household)
    return household


def _income(programme: str, relation: str, eligible: bool, rng: random.Random) -> Decimal:
    if relation == "child":
        return Decimal(0)
    if programme == "public_rental":
        return Decimal(rng.randint(300, 1300) if eligible else rng.randint(4000, 9000))
    return Decimal(rng.randint(4000, 15000))


def _applicant(username: str, name: str, password_hash: str) -> User:
    return accounts.create_user(username, "", Role.applicant, name, password_hash=password_hash)


def _scenario_households(places, password_hash, staff, units, rng, today) -> list[Application]:
    """The people of the demo's scenarios (a 低保 family, a graduate, a talent), so a demo can follow them."""
    writer = _CaseWriter(staff, units, rng, today)
    li = _household(places["wucheng"], _applicant("lixiulan", "李秀兰", password_hash), "public_rental", rng,
                    today, name="李秀兰", size=3)
    li.minimum_allowance, li.low_income, li.special_hardship = True, False, False
    li.current_area_m2 = Decimal("27.0")
    zhang = _household(places["wucheng"], _applicant("zhanglei", "张磊", password_hash), "subsidized_rental",
                       rng, today, name="张磊", size=1)
    zhang.hukou_city = "yuncheng"
    chen = _household(places["yingpan"], _applicant("chenjing", "陈静", password_hash), "talent", rng, today,
                      name="陈静", size=2)
    chen.members[0].talent_category = "A"
    db.session.flush()
    return [
        writer.write(li, "public_rental", "waitlist", days_ago=150, preferences=["xiaodian", "yingze"],
                     needs_low_floor=True),
        writer.write(zhang, "subsidized_rental", "street_review", days_ago=3, accept_any_district=True,
                     prefers_dormitory=True),
        writer.write(chen, "talent", "bureau_review", tenure="shared_ownership", days_ago=40,
                     preferences=["jinyuan"]),
    ]


def _households(count, places, password_hash, staff, units, rng, today) -> int:
    staff = {**staff, **_street_staff(places, password_hash)}
    writer = _CaseWriter(staff, units, rng, today)
    writer.sequence = 100
    streets = [p for p in places.values() if p.kind == "street" and p.parent.parent.code == "taiyuan"]
    weights = [5 if s.code in ("wucheng", "liuxiang") else 1 for s in streets]
    districts = sorted(REGION_CODES)
    stages, stage_weights = zip(*STAGE_WEIGHTS.items())
    for index in range(count):
        final = stages[index] if index < len(stages) else rng.choices(stages, stage_weights)[0]
        programme = rng.choices(["public_rental", "subsidized_rental", "talent"], [60, 25, 15])[0]
        street = rng.choices(streets, weights)[0]
        owner = _applicant(f"demo{index + 1:04d}", _person(rng), password_hash) if index % 3 else None
        household = _household(street, owner, programme, rng, today, eligible=final not in ("rejected", "appeal"))
        db.session.flush()
        home = street.parent.code
        preferences = [home] + rng.sample([d for d in districts[:6] if d != home], rng.randint(0, 2))
        tenure = "rental" if programme == "talent" else None
        writer.write(household, programme, final, tenure=tenure, preferences=preferences,
                     accept_any_district=rng.random() < 0.2, needs_accessible=rng.random() < 0.04,
                     needs_low_floor=rng.random() < 0.1,
                     filed_by_id=None if owner else writer._staff_of(street).id)
        if index % 50 == 49:
            db.session.flush()
    return count


def _fill_portfolio(units: dict[str, list[Unit]], rng: random.Random, today: date) -> None:
    """Tenants from before the system: most remaining units are let, about one in ten stays vacant."""
    for pool in units.values():
        for unit in pool:
            if unit.status == "vacant" and rng.random() < 0.82:
                unit.status = "occupied"
            elif unit.status == "vacant" and rng.random() < 0.05:
                unit.status = "maintenance"
                unit.status_note = "更换卫生间防水层"
                unit.status_until = today + timedelta(days=rng.randint(7, 45))


def _unit_histories(units: dict[str, list[Unit]], today: date) -> None:
    """Each unit's history begins on its project's completion in the status the demo left it in (the demo does
    not replay the years before the system), so histories and the stock agree from the first day."""
    for pool in units.values():
        for unit in pool:
            unit_status.record_initial(unit, None, on=unit.building.project.completed_on or today,
                                       reason=unit.status_note or "")


# A project the bureau imported from the developer's file (the documented import layout), ~two months ago.
IMPORTED_PROJECT = ("TY-SR-03", "汾河青年公寓", "小店区", "保障性租赁住房")


def _imported_project(officer: User, today: date) -> None:
    """Rows as the developer's spreadsheet has them, checked and written by the import service; then the unit
    lives a little: one repaired and back, one under repair now, one kept past its expected return date."""
    from .stock_import import COLUMNS, check_rows

    header = [name for _, name, _ in COLUMNS]
    code, name, district, programme = IMPORTED_PROJECT
    rows = [(1, header, [None] * len(header))]
    for building, floors, kind, tenure, area, rent in (("1号楼", 6, "套房", "住宅型", 52.0, 1090),
                                                       ("2号楼", 6, "宿舍", "宿舍型", 28.5, 640)):
        for floor in (1, 2, 3):
            for door in (1, 2):
                values = [code, name, district, programme, building, floors, "否", f"{floor}0{door}", tenure, kind,
                          area + door, 1 if kind == "套房" else 0, floor, "是" if floor == 1 else "否",
                          rent + 10 * door, (today - timedelta(days=70)).isoformat()]
                rows.append((len(rows) + 1, values, [None] * len(values)))
    imported_on = today - timedelta(days=60)
    report = check_rows(rows, "taiyuan", imported_on, filename="汾河青年公寓-房源清单.xlsx")
    if not report.ok:  # the demo's own rows; a failure here is a bug in the demo, not something to hide
        raise RuntimeError(f"demo import rows refused: {report.errors[:3] or report.file_error}")
    from .stock_import import write_rows

    write_rows(report, "taiyuan", officer, imported_on, mode="all")
    db.session.flush()
    project = db.session.scalar(select(Project).where(Project.code == code))
    project.market_rent_per_m2 = Decimal("26.00")  # demo value, as PROJECT_PRICES: rents stay under 90% of it
    units = db.session.scalars(select(Unit).join(Building).join(Project).where(Project.code == code)
                               .order_by(Building.name, Unit.number)).all()
    repaired, under_repair, overdue = units[0], units[1], units[6]
    unit_status.change_unit_status(repaired, "maintenance", officer, on=today - timedelta(days=40),
                                   reason="交付后整改：卫生间渗水", until=today - timedelta(days=26),
                                   expected_return=today - timedelta(days=26))
    unit_status.change_unit_status(repaired, "vacant", officer, on=today - timedelta(days=27))
    unit_status.change_unit_status(under_repair, "maintenance", officer, on=today - timedelta(days=5),
                                   reason="更换入户门锁", until=today + timedelta(days=10),
                                   expected_return=today + timedelta(days=10))
    unit_status.change_unit_status(overdue, "maintenance", officer, on=today - timedelta(days=20),
                                   reason="宿舍空调更换，等待厂家到货", until=today - timedelta(days=3),
                                   expected_return=today - timedelta(days=3))
    from .stock import flag_overdue_maintenance

    flag_overdue_maintenance(today, "taiyuan")


def _operations(staff: dict[str, User], today: date) -> None:
    """After the keys (issue #8): one accepted offer awaiting its contract, three months of rent charged with most
    of it paid (some tenants in arrears), and last month's rent-subsidy batch approved."""
    from . import offers as offer_service
    from . import rent_roll, subsidy_ledger

    db.session.flush()
    pending = db.session.scalars(select(Offer).join(Application, Offer.application_id == Application.id).where(
        Offer.status == "pending", Application.status == "offered", Offer.respond_by >= today)
        .order_by(Offer.id)).all()
    if len(pending) >= 2:  # keep the others offered
        offer_service.accept(pending[0], None, today)
    for tenancy in db.session.scalars(select(Tenancy).where(Tenancy.status == "active")):
        tenancy.keys_on = tenancy.keys_on or tenancy.start_on
        tenancy.signed_on = tenancy.signed_on or tenancy.start_on
        tenancy.rent_basis = tenancy.rent_basis or "public_rental_rent"
    db.session.flush()
    first = today.replace(day=1)
    months = [add_months(first, -2), add_months(first, -1), first]
    for month in months:
        rent_roll.generate_charges(month)
    db.session.flush()
    for index, tenancy in enumerate(db.session.scalars(select(Tenancy).where(Tenancy.status == "active")
                                                       .order_by(Tenancy.id)).all()):
        paid_months = months if index % 5 else months[:1]  # one tenant in five owes two months
        for month in paid_months:
            if tenancy.rent_month and (tenancy.keys_on or tenancy.start_on) <= month:
                rent_roll.record_payment(tenancy, None, tenancy.rent_month, min(month + timedelta(days=4), today),
                                         f"DEMO-{tenancy.id}-{month:%Y%m}", source="bank")
    subsidy_ledger.generate_month(months[1])
    batch = subsidy_ledger.batch_for("taiyuan", months[1], create=False)
    if batch is not None and batch.lines:
        subsidy_ledger.approve(batch, staff.get("liuchu") or next(iter(staff.values())))
    subsidy_ledger.generate_month(first)
