"""The price figures on the pages: the applicant's offer card (subsidized rent against its ceiling, talent
tenures side by side), the answer to "may it be resold?" for a talent owner, and the bureau's unit list
with rent/ceiling and a warning badge. Figures are recomputed here from the pack's parameter values."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select

from housing_security import policy
from housing_security.extensions import db
from housing_security.models import Application, Building, Household, Offer, Project, Tenancy, Unit, User
from housing_security.web.i18n import format_money

from .test_translations import CJK, compiled_translations, switch_to_english, visible  # noqa: F401

TODAY = date.today()
CENT = Decimal("0.01")


def cents(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def yuan(value) -> str:
    return format_money(value)


def cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def pack_value(name: str) -> Decimal:
    return Decimal(str(policy.load_pack("taiyuan").value(name, TODAY)))


def first_unit(project_code: str) -> Unit:
    return db.session.scalar(select(Unit).join(Building).join(Project).where(Project.code == project_code)
                             .order_by(Building.name, Unit.number))


def application_of(username: str) -> Application:
    return db.session.scalar(select(Application).join(Household, Application.household_id == Household.id)
                             .join(User, Household.owner_id == User.id).where(User.username == username))


def offer(app, username: str, project_code: str, rent=None) -> tuple[int, dict]:
    """Put the user's case in `offered` with a pending offer of the project's first unit; the unit's figures."""
    with app.app_context():
        application = application_of(username)
        unit = first_unit(project_code)
        if rent is not None:
            unit.rent_month = Decimal(rent)
        application.status, unit.status = "offered", "offered"
        db.session.add(Offer(application_id=application.id, unit_id=unit.id, respond_by=TODAY + timedelta(days=7)))
        project = unit.building.project
        figures = {"area": Decimal(str(unit.area_m2)), "rent": cents(unit.rent_month),
                   "market_per_m2": project.market_rent_per_m2, "cost_per_m2": project.cost_per_m2,
                   "unit_id": unit.id}
        db.session.commit()
        return application.id, figures


def housed(app, username: str, project_code: str, start: date) -> tuple[int, dict]:
    with app.app_context():
        application = application_of(username)
        unit = first_unit(project_code)
        application.status, unit.status = "housed", "occupied"
        db.session.add(Tenancy(application_id=application.id, unit_id=unit.id, start_on=start,
                               end_on=start + timedelta(days=3 * 365), rent_month=unit.rent_month))
        figures = {"area": Decimal(str(unit.area_m2)), "cost_per_m2": unit.building.project.cost_per_m2}
        db.session.commit()
        return application.id, figures


def test_offer_card_shows_rent_market_rent_and_ceiling(app, login_as, page_get):
    application_id, unit = offer(app, "zhanglei", "TY-SR-02")
    ratio = pack_value("subsidized_rental.rent_ratio_max")
    market = cents(unit["area"] * unit["market_per_m2"])
    ceiling = cents(market * ratio)
    assert unit["rent"] <= ceiling
    html = page_get(login_as("zhanglei"), f"/me/applications/{application_id}")
    assert (f"租金 {yuan(unit['rent'])}，同地段市场租金 {yuan(market)}，上限 {yuan(ceiling)}"
            f"（市场租金的 90%，参数 保租房租金占市场租金比例上限（subsidized_rental.rent_ratio_max），"
            f"{cn(date(2021, 1, 1))} 起施行，依据：") in html
    assert "租金略低于同地段同品质市场租赁住房租金" in html  # the citation, plan §4(2)
    assert "租金高于上限" not in html


def test_rent_above_the_ceiling_is_flagged_for_applicant_and_bureau(app, login_as, page_get):
    with app.app_context():
        unit = first_unit("TY-SR-01")
        market = cents(Decimal(str(unit.area_m2)) * unit.building.project.market_rent_per_m2)
    ceiling = cents(market * pack_value("subsidized_rental.rent_ratio_max"))
    application_id, _ = offer(app, "zhanglei", "TY-SR-01", rent=ceiling + Decimal("50"))
    html = page_get(login_as("zhanglei"), f"/me/applications/{application_id}")
    assert f"上限 {yuan(ceiling)}" in html and "租金高于上限" in html

    html = page_get(login_as("liuchu"), "/bureau/units?programme=subsidized_rental")
    assert "租金/上限" in html
    assert f"{yuan(ceiling + Decimal('50'))} / {yuan(ceiling)} <span class=\"badge text-bg-danger\">超过上限</span>" in html
    assert html.count("超过上限") == 1  # the demo's own rents all stay below their ceilings


def test_bureau_unit_list_shows_rent_and_ceiling(app, login_as, page_get):
    with app.app_context():
        unit = first_unit("TY-SR-01")
        market = cents(Decimal(str(unit.area_m2)) * unit.building.project.market_rent_per_m2)
        rent = cents(unit.rent_month)
    ceiling = cents(market * pack_value("subsidized_rental.rent_ratio_max"))
    html = page_get(login_as("liuchu"), "/bureau/units?programme=subsidized_rental")
    assert f"{yuan(rent)} / {yuan(ceiling)}" in html and "超过上限" not in html
    html = page_get(login_as("liuchu"), "/bureau/units?programme=public_rental")
    assert "租金/上限" in html and "超过上限" not in html


def test_talent_offer_compares_the_three_tenures(app, login_as, page_get):
    application_id, unit = offer(app, "chenjing", "TY-TA-02")
    cost = cents(unit["area"] * unit["cost_per_m2"])
    full = cents(cost * (1 + pack_value("talent.full_property_markup")))
    shared = cents(cost * pack_value("talent.shared_price_factor"))
    html = page_get(login_as("chenjing"), f"/me/applications/{application_id}")
    assert "三种方式比较（依据 plan §4(4), box 1）" in html
    assert f"本套成本价 {yuan(cost)}" in html
    assert f"总价 {yuan(full)}（成本价加 3%）" in html
    assert f"总价 {yuan(shared)}（按成本价）" in html
    assert "租赁型" in html and "完全产权型" in html and "共有产权型" in html
    assert "政府持有土地产权，个人持有住房产权" in html
    assert "产权型人才住房购房满 5 年前不得转让" in html


@pytest.mark.parametrize("years_ago, allowed", [(2, False), (6, True)])
def test_housed_talent_owner_sees_whether_she_may_resell(app, login_as, page_get, years_ago, allowed):
    start = TODAY.replace(year=TODAY.year - years_ago, day=min(TODAY.day, 28))
    application_id, unit = housed(app, "chenjing", "TY-TA-02", start)
    opens = start.replace(year=start.year + int(pack_value("talent.resale_years")))
    buyback = cents(cents(unit["area"] * unit["cost_per_m2"]) * pack_value("talent.buyback_price_factor"))
    html = page_get(login_as("chenjing"), f"/me/applications/{application_id}")
    assert "可否转让" in html
    if allowed:
        assert f"可以。</strong>自 {cn(opens)} 起已满 5 年。" in html
    else:
        assert f"现在不可以。</strong>自 {cn(opens)} 起可以转让（{cn(start)} 起满 5 年）。" in html
    assert f"按现登记的成本价计为 {yuan(buyback)}" in html
    assert f"年限自入住（购房）之日 {cn(start)} 起计算" in html


def test_no_resale_answer_for_a_subsidized_renter(app, login_as, page_get):
    application_id, _ = housed(app, "zhanglei", "TY-SR-02", TODAY - timedelta(days=30))
    html = page_get(login_as("zhanglei"), f"/me/applications/{application_id}")
    assert "可否转让" not in html


@pytest.fixture
def english_app(make_app, compiled_translations):  # noqa: F811
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(compiled_translations))


def _english_client(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": "demo-password-2026"}).status_code == 302
    switch_to_english(client)
    return client


def test_price_figures_in_english(english_app, page_get):
    application_id, unit = offer(english_app, "zhanglei", "TY-SR-02")
    html = page_get(_english_client(english_app, "zhanglei"), f"/me/applications/{application_id}")
    assert "Rent " in html and "market rent for comparable housing nearby" in html
    assert "(90% of market rent, parameter Subsidized rental rent as a share of market rent" in html
    assert "同地段市场租金" not in html

    housed(english_app, "chenjing", "TY-TA-02", TODAY - timedelta(days=400))
    client = _english_client(english_app, "chenjing")
    chen = None
    with english_app.app_context():
        chen = application_of("chenjing").id
    html = page_get(client, f"/me/applications/{chen}")
    assert "May it be sold?" in html and "Not yet." in html and "可否转让" not in html
    # Outside the quoted plan text (marked lang="zh-CN"), the resale card has no Chinese left.
    card = html.split('data-price="resale"', 1)[1].split("</section>", 1)[0]
    assert not [chunk for chunk in visible(card).chunks if CJK.search(chunk)]

    html = page_get(_english_client(english_app, "liuchu"), "/bureau/units?programme=subsidized_rental")
    assert "Rent / ceiling" in html and "租金/上限" not in html
