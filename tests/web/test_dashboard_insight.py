"""The bureau dashboard's indicators and charts: the charts carry the same numbers as their tables, and the
indicators equal what the raw records give when recomputed one by one (unit histories, case events, subsidies), on
the demo city and on a generated city with random unit histories."""
from __future__ import annotations

import json
import random
from datetime import UTC, date, timedelta
from html.parser import HTMLParser

from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, Building, Jurisdiction, Project, Unit
from housing_security.services import indicators, transitions, unit_status
from housing_security.services.calendar import add_months
from tests.services.helpers import new_case, user

TODAY = date.today()


class Charts(HTMLParser):
    """Collects every chart spec (data-chart) and every fallback table (data-chart-table) of a page."""

    def __init__(self):
        super().__init__()
        self.specs, self.tables, self._table, self._row, self._cell = {}, {}, None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "canvas" and "data-chart" in a:
            self.specs[a["id"]] = json.loads(a["data-chart"])
        elif tag == "table" and "data-chart-table" in a:
            self._table = self.tables.setdefault(a["data-chart-table"], [])
        elif self._table is not None and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None


def _cell(value) -> str:
    return "—" if value is None else str(value)


def _charts(html: str) -> Charts:
    parser = Charts()
    parser.feed(html)
    return parser


def test_every_chart_carries_the_numbers_of_its_table(app, login_as):
    html = login_as("liuchu").get("/bureau/").get_data(as_text=True)
    page = _charts(html)
    assert set(page.specs) == set(page.tables) and len(page.specs) >= 6
    for chart_id, spec in page.specs.items():
        header, *rows = page.tables[chart_id]
        series = [ds for ds in spec["datasets"]]
        if not spec["labels"]:
            continue
        assert [r[0] for r in rows] == spec["labels"], chart_id
        for ds in series:
            column = header.index(ds["label"])
            assert [r[column] for r in rows] == [_cell(v) for v in ds["data"]], (chart_id, ds["label"])
    assert "<script>" not in html  # chart data comes from attributes, code from static files


def _recomputed_rates(city_code: str, day: date) -> dict[str, tuple[int, int]]:
    """Each government-invested unit's status that day from its own history, one by one."""
    out: dict[str, list[int]] = {}
    units = db.session.execute(select(Unit.id, Unit.programme).join(Building).join(Project).where(
        Project.city_code == city_code, Project.government_invested.is_(True))).all()
    for unit_id, programme in units:
        status = unit_status.status_on(unit_id, day)
        if status is None or status == "withdrawn":
            continue
        entry = out.setdefault(programme, [0, 0])
        entry[0] += 1
        entry[1] += status in ("offered", "awaiting_contract", "occupied")
    return {p: tuple(v) for p, v in out.items()}


def _generated_city(rng: random.Random) -> None:
    """A second city with projects completed over two years and units moving through their statuses."""
    district = db.session.scalar(select(Jurisdiction).where(Jurisdiction.kind == "district"))
    officer = user("liuchu")
    start = TODAY - timedelta(days=700)
    for p in range(4):
        completed = start + timedelta(days=rng.randint(0, 500))
        project = Project(code=f"GEN{p}", name=f"生成项目{p}", city_code="datong", district_id=district.id,
                          programme=rng.choice(["public_rental", "subsidized_rental"]), completed_on=completed,
                          government_invested=p != 3)
        building = Building(project=project, name="1", floors=6)
        db.session.add_all([project, building])
        db.session.flush()
        for n in range(rng.randint(8, 20)):
            unit = Unit(building_id=building.id, number=f"{n + 1:03d}", programme=project.programme, area_m2=45, floor=1,
                        status="vacant")
            db.session.add(unit)
            db.session.flush()
            unit_status.record_initial(unit, officer, on=completed)
            day = completed
            for _ in range(rng.randint(0, 4)):
                day = day + timedelta(days=rng.randint(1, 120))
                if day > TODAY:
                    break
                choices = sorted(s.value for s in unit_status.ALLOWED[unit_status.UnitStatus(unit.status)])
                target = rng.choice(choices)
                unit_status.change_unit_status(unit, target, officer, on=day, reason="测试" if target in (
                    "maintenance", "withdrawn") else "")
    db.session.commit()


def test_portfolio_rates_equal_the_unit_histories_recomputed_unit_by_unit(app):
    with app.app_context():
        _generated_city(random.Random(5))
        days = indicators.month_ends(TODAY, 24)
        for city in ("taiyuan", "datong"):
            series = indicators.portfolio_rates(city, days)
            for i, day in list(enumerate(days))[::4] + [(len(days) - 1, days[-1])]:
                expected = _recomputed_rates(city, day)
                got = {p: (rows[i]["completed"], rows[i]["allocated"]) for p, rows in series.items()
                       if rows[i]["completed"]}
                assert got == expected, (city, day)
        # A unit let today changes today's rate and leaves last month's as it was.
        before = indicators.portfolio_rates("taiyuan", days)
        unit = db.session.scalar(select(Unit).join(Building).join(Project).where(
            Project.city_code == "taiyuan", Project.government_invested.is_(True), Unit.status == "vacant",
            Unit.programme == "public_rental"))
        unit_status.change_unit_status(unit, "occupied", user("liuchu"), on=TODAY)
        db.session.commit()
        after = indicators.portfolio_rates("taiyuan", days)
        assert after["public_rental"][-1]["allocated"] == before["public_rental"][-1]["allocated"] + 1
        assert after["public_rental"][-2] == before["public_rental"][-2]


def test_the_plan_coverage_counts_households_covered_by_their_deadline(app):
    with app.app_context():
        days = indicators.month_ends(TODAY, 3)
        before = indicators.coverage_by_month("taiyuan", days)[-1]
        approved = add_months(TODAY, -6)
        subsidised = new_case("waitlist", commitment=True, approved_on=approved)
        waiting = new_case("waitlist", commitment=True, approved_on=approved)
        for case_id in (subsidised, waiting):
            db.session.get(Application, case_id).commitment = True
        transitions.move(db.session.get(Application, subsidised), "subsidised", user("liuchu"), "test")
        db.session.commit()
        after = indicators.coverage_by_month("taiyuan", days)[-1]
        assert add_months(approved, 6) == TODAY            # due this month, today
        assert after["due"] == before["due"] + 2
        assert after["by_subsidy"] == before["by_subsidy"] + 1 and after["by_unit"] == before["by_unit"]
        now = indicators.coverage_now("taiyuan", TODAY)
        assert sum(b["subsidy"] for b in now["buckets"]) >= 1


def test_the_waiting_list_month_by_month_replays_each_case_history(app):
    """Households waiting at each month end, recomputed case by case from the last event on or before that day."""
    from housing_security.models import ApplicationEvent

    with app.app_context():
        joined = TODAY - timedelta(days=70)
        case_id = new_case("waitlist")
        db.session.add(ApplicationEvent(application_id=case_id, action="publicity_ended", from_status="publicity",
                                        to_status="waitlist", reason="", data={},
                                        at=indicators_datetime(joined)))
        db.session.commit()
        days = indicators.month_ends(TODAY, 3)
        months = indicators.waiting_by_month("taiyuan", days)
        for index, day in enumerate(days):
            expected: dict[str, list[int]] = {}
            for application in db.session.scalars(select(Application).where(Application.city_code == "taiyuan")):
                events = [e for e in application.events if e.at.date() <= day]
                if not events or events[-1].to_status not in ("waitlist", "subsidised"):
                    continue
                first = min(e.at.date() for e in application.events if e.to_status in ("waitlist", "subsidised"))
                expected.setdefault(application.programme, []).append((day - first).days)
            for programme, waits in expected.items():
                row = months[programme][index]
                assert row["households"] == len(waits), (programme, day)
                assert row["median_wait_days"] == int(sorted(waits)[len(waits) // 2] if len(waits) % 2 else
                                                      (sorted(waits)[len(waits) // 2 - 1]
                                                       + sorted(waits)[len(waits) // 2]) / 2), (programme, day)
            assert sum(months[p][index]["households"] for p in months) == sum(len(w) for w in expected.values())
        assert months["public_rental"][-1]["households"] >= 1


def indicators_datetime(day: date):
    from datetime import datetime, time

    return datetime.combine(day, time(10, 0), tzinfo=UTC)
