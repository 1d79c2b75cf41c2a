"""Bulk import of units: every bad row reported with its row number, column and reason and nothing written; the
encodings Excel saves CSV in; XLSX with merged cells and formulas; the valid-rows-only import keeping its report."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from housing_security.extensions import db
from housing_security.models import AuditLog, Building, Project, StockImport, Unit, UnitEvent
from housing_security.services import stock_import
from housing_security.services.stock_import import COLUMNS, ImportRefused, check_file, import_file
from tests.services.helpers import user

HEADER = [header for _, header, _ in COLUMNS]
TODAY = date.today()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def row(number="101", **over):
    values = {"项目编号": "TY-NEW-01", "项目名称": "汾河青年公寓", "区县": "小店区", "保障类别": "保障性租赁住房",
              "楼栋": "1号楼", "总层数": 18, "电梯": "是", "房号": number, "产权/租赁类型": "住宅型", "户型类别": "套房",
              "建筑面积": 45.5, "居室数": 1, "楼层": 1, "无障碍": "否", "月租金": 980, "竣工日期": "2026-06-30"}
    values.update(over)
    return [values[h] for h in HEADER]


def csv_bytes(rows, encoding="utf-8-sig", header=HEADER) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER, build=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    if build:
        build(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def counts():
    return (db.session.scalar(select(func.count()).select_from(Unit)),
            db.session.scalar(select(func.count()).select_from(Project)),
            db.session.scalar(select(func.count()).select_from(Building)),
            db.session.scalar(select(func.count()).select_from(UnitEvent)),
            db.session.scalar(select(func.count()).select_from(StockImport)))


def errors_of(report):
    return {(e["row"], e["column"], e["code"]) for e in report.errors}


def test_a_valid_file_imports_every_unit_with_its_first_event(ctx):
    rows = [row(f"{floor}0{i}", 楼层=floor) for floor in (1, 2, 3) for i in (1, 2)]
    rows.append(row("1201", 楼栋="2号楼", 总层数=12, 楼层=12, 户型类别="宿舍", **{"产权/租赁类型": "宿舍型"}, 建筑面积=28))
    before = counts()
    report, record = import_file(csv_bytes(rows), "units.csv", "taiyuan", user("liuchu"), TODAY)
    assert report.ok and record.rows_imported == 7 and record.mode == "all"
    assert record.projects_created == 1 and record.buildings_created == 2
    after = counts()
    assert after[0] - before[0] == 7 and after[3] - before[3] == 7 and after[4] - before[4] == 1
    project = db.session.scalar(select(Project).where(Project.code == "TY-NEW-01"))
    assert project.city_code == "taiyuan" and project.district.code == "xiaodian"
    assert project.programme == "subsidized_rental" and project.completed_on == date(2026, 6, 30)
    dorm = db.session.scalar(select(Unit).join(Building).where(Building.project_id == project.id,
                                                               Unit.number == "1201"))
    assert dorm.kind == "dormitory" and dorm.tenure == "dormitory" and dorm.area_m2 == Decimal("28.00")
    assert dorm.building.floors == 12 and dorm.status == "vacant"
    assert [(e.from_status, e.to_status, e.data["source"]) for e in dorm.events] == [(None, "vacant", "import")]
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "stock.import")
                             .order_by(AuditLog.id.desc()).limit(1)).detail["rows_imported"] == 7


BAD_ROWS = [
    (row("101"), None),
    (row("102", 区县="火星区"), ("区县", "unknown_district")),
    (row("101"), ("房号", "duplicate_unit_in_file")),
    (row("103", 建筑面积=75), ("建筑面积", "area_outside_cap")),
    (row("104", 月租金=-5), ("月租金", "negative_rent")),
    (row("105", 楼层=19), ("楼层", "floor_above_building")),
    (row("106", 居室数="两"), ("居室数", "bad_integer")),
    (row("107", 电梯="也许"), ("电梯", "bad_boolean")),
    (row("108", 建筑面积="四十"), ("建筑面积", "bad_number")),
    (row("", ), ("房号", "required")),
    (row("109", 保障类别="廉租房"), ("保障类别", "unknown_programme")),
    (row("110", 总层数=20), ("总层数", "building_floors_differ_in_file")),
    (row("111", **{"产权/租赁类型": "共有产权"}), ("产权/租赁类型", "tenure_not_of_programme")),
    (row("112", 户型类别="宿舍", **{"产权/租赁类型": "宿舍型"}, 建筑面积=50), ("建筑面积", "area_outside_cap")),
    (row("113", 竣工日期="明年"), ("竣工日期", "bad_date")),
    (row("114", 楼层=2.5), ("楼层", "bad_integer")),
    (row("115", 月租金="1e30"), ("月租金", "out_of_range")),
    (row("116", 居室数=10 ** 12), ("居室数", "out_of_range")),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_corpus_of_bad_rows_is_reported_row_by_row_and_nothing_is_written(ctx, fmt):
    rows = [values for values, _ in BAD_ROWS]
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    before = counts()
    report = check_file(data, f"bad.{fmt}", "taiyuan", TODAY)
    expected = {(number, column, code) for number, (_, bad) in enumerate(BAD_ROWS, start=2) if bad
                for column, code in [bad]}
    assert expected <= errors_of(report)
    assert {e["row"] for e in report.errors} == {n for n, (_, bad) in enumerate(BAD_ROWS, start=2) if bad}
    letters = {e["column"]: e["letter"] for e in report.errors}
    assert letters["区县"] == "C" and letters["建筑面积"] == "K"
    with pytest.raises(ImportRefused):
        import_file(data, f"bad.{fmt}", "taiyuan", user("liuchu"), TODAY)
    db.session.rollback()
    assert counts() == before


def test_duplicates_in_the_database_unknown_districts_and_other_cities_projects(ctx):
    existing = db.session.scalar(select(Unit).join(Building).join(Project).where(Project.code == "TY-PR-01"))
    building = existing.building
    rows = [
        row(existing.number, 项目编号="TY-PR-01", 项目名称=building.project.name, 区县="小店区", 保障类别="公租房",
            楼栋=building.name, 总层数=building.floors, 建筑面积=40, **{"产权/租赁类型": ""}),
        row("9901", 项目编号="TY-PR-01", 项目名称=building.project.name, 区县="迎泽区", 保障类别="公租房",
            楼栋=building.name, 总层数=building.floors, 建筑面积=40, **{"产权/租赁类型": ""}),
        row("9902", 项目编号="TY-PR-01", 项目名称=building.project.name, 区县="小店区", 保障类别="公租房",
            楼栋=building.name, 总层数=building.floors + 1, 建筑面积=40, **{"产权/租赁类型": ""}),
        row("9903", 项目编号="TY-PR-01", 项目名称=building.project.name, 区县="小店区", 保障类别="公租房",
            楼栋=building.name, 总层数=building.floors, 建筑面积=61, **{"产权/租赁类型": ""}),
        row("9904", 区县="平城区"),
    ]
    report = check_file(csv_bytes(rows), "x.csv", "taiyuan", TODAY)
    assert errors_of(report) == {(2, "房号", "duplicate_unit_in_database"), (3, "区县", "project_district_differs"),
                                 (4, "总层数", "building_floors_differ"), (5, "建筑面积", "area_outside_cap"),
                                 (6, "区县", "unknown_district")}
    datong = check_file(csv_bytes([row("1")]), "x.csv", "datong", TODAY)
    assert any(e["code"] in ("unknown_district", "programme_not_offered") for e in datong.errors)


def test_the_area_caps_come_from_the_city_pack(ctx):
    from housing_security.services.stock import area_limits

    assert area_limits("taiyuan", "subsidized_rental", None, "dormitory", TODAY).low == 20
    assert area_limits("taiyuan", "subsidized_rental", None, "dormitory", TODAY).high == 45
    assert area_limits("taiyuan", "subsidized_rental", "residential", "apartment", TODAY).high == 70
    assert area_limits("taiyuan", "talent", "rental", "apartment", TODAY).high == 90
    shared = area_limits("taiyuan", "talent", "shared_ownership", "apartment", TODAY)
    assert (shared.low, shared.high) == (90, 120)
    assert area_limits("taiyuan", "talent", "full_property", "apartment", TODAY).high is None
    assert "public_rental.unit_area_max" in area_limits("taiyuan", "public_rental", None, "apartment", TODAY).parameters


def test_gbk_csv_saved_by_excel_imports(ctx):
    rows = [row("201"), row("202", 区县="迎泽区", 项目编号="TY-NEW-02", 项目名称="桥东公寓")]
    for encoding in ("gbk", "gb18030", "utf-8", "utf-8-sig"):
        report = check_file(csv_bytes(rows, encoding), "gbk.csv", "taiyuan", TODAY)
        assert report.ok and len(report.valid) == 2, encoding
        assert report.valid[1]["project_name"] == "桥东公寓"
    report, record = import_file(csv_bytes(rows, "gbk"), "gbk.csv", "taiyuan", user("liuchu"), TODAY)
    assert record.rows_imported == 2
    assert db.session.scalar(select(Project.name).where(Project.code == "TY-NEW-02")) == "桥东公寓"


@pytest.mark.parametrize("data, code", [
    (b"\xff\xfe\x00\x00\xff\xff\x80\x81", "undecodable"),
    ("项目编号,房号\n".encode("utf-16"), "undecodable"),
    (b"", "empty_file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old_excel"),
    (b"PK\x03\x04not really a workbook", "unreadable_xlsx"),
    ("房号,楼层\n101,1\n".encode(), "missing_columns"),
])
def test_files_that_cannot_be_read_are_refused_clearly(ctx, data, code):
    before = counts()
    report = check_file(data, "broken", "taiyuan", TODAY)
    assert report.file_error["code"] == code and not report.valid
    with pytest.raises(ImportRefused):
        import_file(data, "broken", "taiyuan", user("liuchu"), TODAY)
    db.session.rollback()
    assert counts() == before


def test_xlsx_with_merged_cells_and_formulas(ctx):
    rows = [row("301"), row("302", 楼层=2), row("303", 楼层=3), row("304", 楼层=4)]
    for values in rows[1:]:
        for index in range(0, 5):  # project code … building: blank under a merged range
            values[index] = None

    def build(sheet):
        for column in "ABCDE":
            sheet.merge_cells(f"{column}2:{column}5")
        sheet["K3"] = "=40+5"  # a formula never calculated by Excel: no cached value
        sheet["O4"] = "=SUM(1,2)"

    report = check_file(xlsx_bytes(rows, build=build), "merged.xlsx", "taiyuan", TODAY)
    assert {(e["row"], e["column"], e["code"]) for e in report.errors} == {
        (3, "建筑面积", "formula_without_value"), (4, "月租金", "formula_without_value")}
    assert [r["project_code"] for r in report.valid] == ["TY-NEW-01", "TY-NEW-01"]
    assert {r["building"] for r in report.valid} == {"1号楼"}


def test_formulas_with_cached_values_are_read(ctx, tmp_path):
    # A file as Excel saves it: the formula with its last calculated value (<f> and <v> in the cell).
    data = xlsx_bytes([row("401")], build=lambda sheet: sheet.__setitem__("K2", "=40+5"))
    import zipfile

    source, target = io.BytesIO(data), io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            content = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<f>40+5</f><v></v>", b"<f>40+5</f><v>45</v>").replace(
                    b"<f>40+5</f><v />", b"<f>40+5</f><v>45</v>")
                assert b"<v>45</v>" in content
            zout.writestr(item, content)
    report = check_file(target.getvalue(), "cached.xlsx", "taiyuan", TODAY)
    assert report.ok and report.valid[0]["area_m2"] == Decimal("45.00")


def test_valid_rows_only_imports_them_and_keeps_the_report(ctx):
    rows = [row("501"), row("502", 建筑面积=99), row("503")]
    with pytest.raises(ImportRefused):
        import_file(csv_bytes(rows), "mixed.csv", "taiyuan", user("liuchu"), TODAY)
    db.session.rollback()
    report, record = import_file(csv_bytes(rows), "mixed.csv", "taiyuan", user("liuchu"), TODAY,
                                 valid_rows_only=True)
    assert record.mode == "valid_rows" and record.rows_imported == 2 and record.error_count == 1
    assert record.report[0]["row"] == 3 and record.report[0]["column"] == "建筑面积"
    numbers = set(db.session.scalars(select(Unit.number).join(Building).join(Project)
                                     .where(Project.code == "TY-NEW-01")))
    assert numbers == {"501", "503"}
    # The fixed row imported afterwards; the ones already there are now duplicates in the database.
    again = check_file(csv_bytes([row("501"), row("502")]), "fix.csv", "taiyuan", TODAY)
    assert errors_of(again) == {(2, "房号", "duplicate_unit_in_database")}


def test_templates_list_every_column_and_pass_their_own_check(ctx):
    for data in (stock_import.template_xlsx(), stock_import.template_csv()):
        report = check_file(data, "template", "taiyuan", TODAY)
        assert report.ok, report.errors
        assert len(report.valid) == len(stock_import.EXAMPLE_ROWS)


def test_the_demo_city_has_an_imported_project_with_its_history(ctx):
    from housing_security.models import MaintenanceOverdue

    project = db.session.scalar(select(Project).where(Project.code == "TY-SR-03"))
    units = db.session.scalars(select(Unit).join(Building).where(Building.project_id == project.id)).all()
    assert len(units) == 12 and {u.kind for u in units} == {"apartment", "dormitory"}
    record = db.session.scalar(select(StockImport).where(StockImport.rows_imported == 12))
    assert record.mode == "all" and record.actor.username == "liuchu"
    under_repair = [u for u in units if u.status == "maintenance"]
    assert len(under_repair) == 2 and all(u.status_note and u.status_until for u in under_repair)
    histories = {(u.building.name, u.number): [e.to_status for e in u.events] for u in units}
    assert ["vacant", "maintenance", "vacant"] in histories.values()
    overdue = db.session.scalars(select(MaintenanceOverdue).where(MaintenanceOverdue.resolved_on.is_(None))).all()
    assert any(flag.unit.building.project_id == project.id for flag in overdue)
