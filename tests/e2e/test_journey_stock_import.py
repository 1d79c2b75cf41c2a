"""Scenario 7's first step in a real browser: the bureau officer downloads nothing, uploads the developer's XLSX,
reads the check (one row's area above the cap, one duplicate number, one unknown district — nothing written),
fixes the rows, imports the file and finds the new units in the unit list, each with its first history event."""
from __future__ import annotations

import pytest
from openpyxl import Workbook
from selenium.webdriver.common.by import By
from sqlalchemy import func, select

from housing_security.extensions import db
from housing_security.models import Building, Project, Unit
from housing_security.services.stock_import import COLUMNS

pytestmark = pytest.mark.e2e

HEADER = [header for _, header, _ in COLUMNS]


def _rows(fixed: bool):
    rows = []
    for floor in range(1, 5):
        for door in (1, 2):
            rows.append(["TY-E2E-01", "汾东青年公寓", "小店区", "保障性租赁住房", "3号楼", 12, "是", f"{floor}0{door}",
                         "住宅型", "套房", 48 + door, 1, floor, "否", 1050, "2026-09-30"])
    if not fixed:
        rows[2][10] = 82            # row 4: above the 70 m² cap of residential subsidized rental
        rows[5][7] = rows[4][7]     # row 7: the same unit number as row 6
        rows[6][2] = "滨河区"        # row 8: no such district in 太原
    return rows


def _xlsx(path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _units(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Unit).join(Building).join(Project)
                                 .where(Project.code == "TY-E2E-01"))


def test_officer_imports_units_from_an_xlsx(live_server, page_for, tmp_path):
    page = page_for()
    page.sign_in("liuchu")
    page.open("/bureau/stock/").click_link("批量导入房源")
    assert page.fetch("/bureau/stock/import/template.xlsx")["status"] == 200

    page.upload("file", _xlsx(tmp_path / "developer.xlsx", _rows(fixed=False)))
    page.choose("mode", "import")
    page.click_button("上传", within="main form")
    report = page.driver.find_element(By.ID, "import-report").text
    assert "建筑面积超出该类房源的面积标准" in report and "房号与第 6 行重复" in report and "本市没有这个区县" in report
    rows = page.driver.find_elements(By.CSS_SELECTOR, "#import-report tbody tr")
    assert sorted(r.find_element(By.TAG_NAME, "td").text for r in rows) == ["4", "7", "8"]
    assert _units(live_server.app) == 0  # nothing written while any row is bad

    page.upload("file", _xlsx(tmp_path / "developer-fixed.xlsx", _rows(fixed=True)))
    page.choose("mode", "check")
    page.click_button("上传", within="main form")
    page.wait_for_text("文件全部有效，可以导入。")
    assert _units(live_server.app) == 0
    page.upload("file", tmp_path / "developer-fixed.xlsx")
    page.choose("mode", "import")
    page.click_button("上传", within="main form")
    assert "已导入 8 套房源。" in page.wait_for_text("已导入 8 套房源。")
    assert "developer-fixed.xlsx" in page.text and _units(live_server.app) == 8

    page.open("/bureau/units?programme=subsidized_rental")
    text = page.wait_for_text("汾东青年公寓 3号楼-101")
    assert "汾东青年公寓 3号楼-402" in text
    page.open("/bureau/stock/").click_link("TY-E2E-01")
    page.click_link("101")
    assert "登记入库" in page.wait_for_text("状态历史")
