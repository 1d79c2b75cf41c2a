"""The province view (cities side by side, supply against the plan's targets) and the XLSX statistical report:
the workbook is opened and its cells read back and compared with the indicators recomputed from the records."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import AuditLog
from housing_security.services import indicators, reports
from tests.web.test_dashboard_insight import _charts, _recomputed_rates

TODAY = date.today()


def test_the_province_administrator_sees_every_city_and_the_plan_targets(app, login_as, page_get):
    html = page_get(login_as("admin"), "/province/")
    for city in ("太原市", "大同市", "运城市"):
        assert city in html
    assert "规划 §2(3)" in html and "5000" in html and "55000" in html and "72000" in html
    assert "筹集：项目竣工" in html            # the definitions beside the figures
    page = _charts(html)
    assert {"chart-province-rates", "chart-province-raised"} <= set(page.specs)
    city_html = page_get(login_as("ty_admin"), "/province/")
    assert "太原市" in city_html and "大同市" not in city_html   # a city administrator sees its own city


def test_supply_targets_are_dated_cited_parameters(app):
    with app.app_context():
        taiyuan = indicators.supply_targets("taiyuan", TODAY)
        datong = indicators.supply_targets("datong", TODAY)
        assert taiyuan["totals"]["subsidized_rental"] == 55000 and "§2(3)" in taiyuan["citation"]
        assert taiyuan["city"]["subsidized_rental"] == round(55000 * 0.3)
        assert datong["city"]["public_rental"] == round(5000 * 0.07)


def _sheet_rows(sheet):
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    body = []
    for row in rows[1:]:
        if not any(v is not None for v in row):
            break
        body.append(dict(zip(header, row)))
    return header, body


def test_the_monthly_report_downloads_and_its_cells_equal_the_recomputed_indicators(app, login_as):
    client = login_as("liuchu")
    assert client.get("/reports/").status_code == 200
    response = client.get(f"/reports/?scope=taiyuan&period=month&year={TODAY.year}&month={TODAY.month}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "说明"
    assert "存量口径分配率" in [row[0] for row in book["说明"].iter_rows(values_only=True)]
    header, rows = _sheet_rows(book["公共租赁住房"])
    assert "规划口径保障率" in header and "存量口径分配率" in header
    (row,) = rows
    assert row["城市"] == "太原市" and row["月份"] == TODAY.strftime("%Y-%m")
    with app.app_context():
        completed, allocated = _recomputed_rates("taiyuan", TODAY)["public_rental"]
        assert (row["已竣工政府投资房源（套）"], row["已分配（套）"]) == (completed, allocated)
        assert abs(row["存量口径分配率"] - allocated / completed) < 1e-9
        assert row["规划目标"] == 0.9
        subsidy = indicators.subsidy_by_month("taiyuan", [TODAY])[0]
        assert row["领取户数"] == subsidy["households"]
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "report.download")) is not None


def test_the_yearly_province_report_has_a_row_per_city_and_month(app, login_as):
    response = login_as("admin").get(f"/reports/?scope=province&period=year&year={TODAY.year}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    _header, rows = _sheet_rows(book["保障性租赁住房"])
    months = TODAY.month
    assert len(rows) == months * 11
    assert {r["城市"] for r in rows} >= {"太原市", "大同市"}


def test_bad_report_input_gets_field_messages(app, login_as):
    client = login_as("liuchu")
    assert client.get("/reports/?scope=datong&period=month&year=2026&month=1").status_code == 400  # not its city
    assert client.get("/reports/?scope=taiyuan&period=month&year=2026").status_code == 400        # no month
    response = client.get("/reports/?scope=taiyuan&period=month&year=abc&month=13")
    assert response.status_code == 400 and "月份须在 1 至 12 之间" in response.get_data(as_text=True)
    assert client.get(f"/reports/?scope=taiyuan&period=year&year={TODAY.year + 1}").status_code == 400


def test_the_report_command_writes_the_same_workbook(app, tmp_path):
    runner = app.test_cli_runner()
    output = tmp_path / "r.xlsx"
    result = runner.invoke(args=["report", "--city", "taiyuan", "--year", str(TODAY.year), "--month",
                                 str(TODAY.month), "-o", str(output)])
    assert result.exit_code == 0, result.output
    book = load_workbook(output)
    _header, rows = _sheet_rows(book["公共租赁住房"])
    with app.app_context():
        expected = reports.report_rows(["taiyuan"], [TODAY])["public_rental"][0]
    assert rows[0]["已分配（套）"] == expected["allocated"]
    english = tmp_path / "en.xlsx"
    assert runner.invoke(args=["report", "--city", "province", "--year", str(TODAY.year), "--lang", "en", "-o",
                               str(english)]).exit_code == 0
    assert load_workbook(english).sheetnames[0] != "说明"
    bad = runner.invoke(args=["report", "--city", "atlantis", "--year", "2025", "-o", str(tmp_path / "x.xlsx")])
    assert bad.exit_code == 2 and "atlantis" in bad.output
    assert not (tmp_path / "x.xlsx").exists()
