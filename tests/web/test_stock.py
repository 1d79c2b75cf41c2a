"""The stock screens of the bureau: projects, buildings and units created and edited with field-level errors,
unit status actions with the history shown in words, the bulk import with its report, and who may do any of it."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from housing_security.extensions import db
from housing_security.models import (
    AuditLog,
    Building,
    MaintenanceOverdue,
    Project,
    StockImport,
    Unit,
    UnitEvent,
)
from housing_security.services import daily
from tests.services.test_stock_import import csv_bytes, row, xlsx_bytes


def _one(app, model, *where):
    with app.app_context():
        return db.session.scalars(select(model).where(*where).order_by(model.id)).first()


def _id(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(model.id).where(*where).order_by(model.id).limit(1))


def _district(app, code):
    from housing_security.models import Jurisdiction

    return _id(app, Jurisdiction, Jurisdiction.code == code)


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


PROJECT = {"code": "TY-PR-09", "name": "晋阳公租房小区", "programme": "public_rental", "address": "晋源区",
           "government_invested": "y", "completed_on": "2026-05-01", "market_rent_per_m2": "20",
           "cost_per_m2": ""}


def test_officer_creates_a_project_a_building_and_a_unit(app, login_as, page_get):
    officer = login_as("liuchu")
    html = page_get(officer, "/bureau/stock/")
    assert "TY-PR-01" in html
    page_get(officer, "/bureau/stock/projects/new")
    response = officer.post("/bureau/stock/projects/new", data={**PROJECT, "district_id": _district(app, "jinyuan")})
    assert response.status_code == 302
    project_id = _id(app, Project, Project.code == "TY-PR-09")
    page_get(officer, f"/bureau/stock/projects/{project_id}")
    page_get(officer, f"/bureau/stock/projects/{project_id}/buildings/new")
    assert officer.post(f"/bureau/stock/projects/{project_id}/buildings/new",
                        data={"name": "1号楼", "floors": "6", "elevator": ""}).status_code == 302
    building_id = _id(app, Building, Building.project_id == project_id)
    page_get(officer, f"/bureau/stock/buildings/{building_id}/units/new")
    response = officer.post(f"/bureau/stock/buildings/{building_id}/units/new",
                            data={"number": "101", "tenure": "", "kind": "apartment", "area_m2": "48.5",
                                  "bedrooms": "2", "floor": "1", "accessible": "y", "rent_month": "271.60"})
    assert response.status_code == 302
    unit = _one(app, Unit, Unit.building_id == building_id)
    assert unit.programme == "public_rental" and unit.status == "vacant" and unit.accessible
    html = page_get(officer, f"/bureau/stock/units/{unit.id}")
    assert "登记入库" in html and "空置" in html
    with app.app_context():
        actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.object_type.in_(
            ("project", "building", "unit")))))
    assert {"project.create", "building.create", "unit.create"} <= actions
    assert _count(app, UnitEvent, UnitEvent.unit_id == unit.id) == 1


@pytest.mark.parametrize("data, field, message", [
    ({"code": ""}, "code", "此项为必填项"),
    ({"code": "TY-PR-01"}, "code", "该项目编号已被使用"),
    ({"district_id": "999999"}, "district_id", "请选择本市的区县"),
    ({"programme": "no_such"}, "programme", "本市未开办该保障类别"),
    ({"completed_on": "2026-13-40"}, "completed_on", "请按 年-月-日 格式"),
    ({"market_rent_per_m2": "-3"}, "market_rent_per_m2", "不能为负数"),
    ({"market_rent_per_m2": "abc"}, "market_rent_per_m2", "请填写数字"),
])
def test_project_form_errors_are_field_level_and_nothing_is_written(app, login_as, data, field, message):
    officer = login_as("liuchu")
    before = _count(app, Project)
    response = officer.post("/bureau/stock/projects/new",
                            data={**PROJECT, "district_id": _district(app, "jinyuan"), **data})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html and f'id="{field}-error"' in html
    assert _count(app, Project) == before


def test_a_district_of_another_city_is_refused(app, login_as):
    officer = login_as("liuchu")
    response = officer.post("/bureau/stock/projects/new",
                            data={**PROJECT, "district_id": _district(app, "pingcheng")})
    assert "请选择本市的区县" in response.get_data(as_text=True)
    assert _count(app, Project, Project.code == "TY-PR-09") == 0


def test_editing_a_project_and_a_building(app, login_as):
    officer = login_as("liuchu")
    project = _one(app, Project, Project.code == "TY-PR-02")
    data = {"code": project.code, "name": "西山公租房小区（一期）", "district_id": project.district_id,
            "programme": "public_rental", "address": "", "government_invested": "y", "completed_on": "",
            "market_rent_per_m2": "20", "cost_per_m2": ""}
    assert officer.post(f"/bureau/stock/projects/{project.id}/edit", data=data).status_code == 302
    assert _one(app, Project, Project.id == project.id).name == "西山公租房小区（一期）"
    refused = officer.post(f"/bureau/stock/projects/{project.id}/edit", data={**data, "programme": "talent"})
    assert "不能更改保障类别" in refused.get_data(as_text=True)
    building = _one(app, Building, Building.project_id == project.id)
    with app.app_context():
        highest = db.session.scalar(select(func.max(Unit.floor)).where(Unit.building_id == building.id))
    response = officer.post(f"/bureau/stock/buildings/{building.id}/edit",
                            data={"name": building.name, "floors": str(highest - 1)})
    assert f"已有房源位于第 {highest} 层" in response.get_data(as_text=True)
    assert _one(app, Building, Building.id == building.id).floors == building.floors
    assert officer.post(f"/bureau/stock/buildings/{building.id}/edit",
                        data={"name": building.name, "floors": str(building.floors + 1), "elevator": "y"}
                        ).status_code == 302
    assert _one(app, Building, Building.id == building.id).elevator


@pytest.mark.parametrize("data, field, message", [
    ({"area_m2": "65"}, "area_m2", "面积标准内（0–60"),
    ({"area_m2": "0"}, "area_m2", "建筑面积须大于 0"),
    ({"area_m2": "四十"}, "area_m2", "请填写数字"),
    ({"floor": "99"}, "floor", "楼层超过楼栋总层数"),
    ({"rent_month": "-1"}, "rent_month", "月租金不能为负数"),
    ({"number": ""}, "number", "此项为必填项"),
    ({"kind": "villa"}, "kind", "请选择户型类别"),
    ({"tenure": "shared_ownership"}, "tenure", "没有这种产权/租赁类型"),
    ({"bedrooms": "1.5"}, "bedrooms", "请填写整数"),
    ({"area_m2": "40.123"}, "area_m2", "最多两位小数"),
])
def test_unit_form_errors_are_field_level_and_nothing_is_written(app, login_as, data, field, message):
    officer = login_as("liuchu")
    building = _one(app, Building, Building.project.has(Project.code == "TY-PR-01"))
    before = _count(app, Unit)
    response = officer.post(f"/bureau/stock/buildings/{building.id}/units/new", data={
        "number": "X01", "tenure": "", "kind": "apartment", "area_m2": "45", "bedrooms": "1", "floor": "1",
        "rent_month": "200", **data})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html and f'id="{field}-error"' in html, html[-3000:]
    assert _count(app, Unit) == before


def test_unit_number_unique_in_its_building_and_dormitory_caps(app, login_as):
    officer = login_as("liuchu")
    unit = _one(app, Unit, Unit.building.has(Building.project.has(Project.code == "TY-SR-02")))
    base = {"number": unit.number, "tenure": "", "kind": "dormitory", "area_m2": "30", "bedrooms": "0",
            "floor": "1", "rent_month": "600"}
    html = officer.post(f"/bureau/stock/buildings/{unit.building_id}/units/new", data=base).get_data(as_text=True)
    assert "该楼栋已有这个房号" in html
    html = officer.post(f"/bureau/stock/buildings/{unit.building_id}/units/new",
                        data={**base, "number": "Z1", "area_m2": "18"}).get_data(as_text=True)
    assert "20–45" in html
    assert officer.post(f"/bureau/stock/buildings/{unit.building_id}/units/new",
                        data={**base, "number": "Z1", "area_m2": "44"}).status_code == 302


def test_editing_a_unit_checks_the_cap_and_is_audited(app, login_as):
    officer = login_as("liuchu")
    unit = _one(app, Unit, Unit.building.has(Building.project.has(Project.code == "TY-TA-01")))
    data = {"number": unit.number, "tenure": "rental", "kind": "apartment", "area_m2": "91", "bedrooms": "2",
            "floor": str(unit.floor), "rent_month": "1500"}
    assert "面积标准内" in officer.post(f"/bureau/stock/units/{unit.id}/edit", data=data).get_data(as_text=True)
    assert officer.post(f"/bureau/stock/units/{unit.id}/edit", data={**data, "area_m2": "89"}).status_code == 302
    edited = _one(app, Unit, Unit.id == unit.id)
    assert str(edited.area_m2) == "89.00" and str(edited.rent_month) == "1500.00"
    with app.app_context():
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "unit.update",
                                                        AuditLog.object_id == str(unit.id))) is not None


def test_maintenance_back_to_vacant_withdraw_and_return_with_history(app, login_as, page_get):
    officer = login_as("liuchu")
    unit_id = _id(app, Unit, Unit.status == "vacant", Unit.programme == "public_rental")
    until = (date.today() + timedelta(days=14)).isoformat()
    url = f"/bureau/stock/units/{unit_id}/status"
    missing = officer.post(url, data={"action": "maintenance", "reason": "", "until": ""})
    html = missing.get_data(as_text=True)
    assert missing.status_code == 400 and "请填写原因" in html and "请填写预计恢复日期" in html
    past = officer.post(url, data={"action": "maintenance", "reason": "更换门窗",
                                   "until": (date.today() - timedelta(days=1)).isoformat()})
    assert past.status_code == 400 and "不能早于今天" in past.get_data(as_text=True)
    assert _one(app, Unit, Unit.id == unit_id).status == "vacant"
    assert officer.post(url, data={"action": "maintenance", "reason": "更换门窗", "until": until}).status_code == 302
    unit = _one(app, Unit, Unit.id == unit_id)
    assert unit.status == "maintenance" and unit.status_note == "更换门窗" and unit.status_until.isoformat() == until
    assert officer.post(url, data={"action": "vacant"}).status_code == 302
    no_reason = officer.post(url, data={"action": "withdraw", "reason": " "})
    assert no_reason.status_code == 400 and "请填写原因" in no_reason.get_data(as_text=True)
    assert officer.post(url, data={"action": "withdraw", "reason": "划转为安置房"}).status_code == 302
    assert _one(app, Unit, Unit.id == unit_id).status == "withdrawn"
    assert officer.post(url, data={"action": "vacant"}).status_code == 302
    html = page_get(officer, f"/bureau/stock/units/{unit_id}")
    for text in ("维修中", "更换门窗", "已退出保障房源", "划转为安置房", "刘处长", "预计恢复"):
        assert text in html
    assert "withdrawn" not in html and "maintenance</td>" not in html
    with app.app_context():
        events = db.session.scalars(select(UnitEvent.to_status).where(UnitEvent.unit_id == unit_id)
                                    .order_by(UnitEvent.id)).all()
    assert events[-4:] == ["maintenance", "vacant", "withdrawn", "vacant"]


def test_status_actions_the_unit_state_forbids_are_refused(app, login_as):
    officer = login_as("liuchu")
    occupied = _id(app, Unit, Unit.status == "occupied")
    response = officer.post(f"/bureau/stock/units/{occupied}/status", data={"action": "withdraw", "reason": "x"})
    assert response.status_code == 400 and "不能办理此操作" in response.get_data(as_text=True)
    assert _one(app, Unit, Unit.id == occupied).status == "occupied"
    vacant = _id(app, Unit, Unit.status == "vacant")
    response = officer.post(f"/bureau/stock/units/{vacant}/status", data={"action": "vacant"})
    assert response.status_code == 400 and _one(app, Unit, Unit.id == vacant).status == "vacant"
    response = officer.post(f"/bureau/stock/units/{vacant}/status", data={"action": "occupied"})
    assert response.status_code == 400


def test_other_cities_officers_get_404_and_other_roles_403(app, login_as):
    project = _one(app, Project, Project.code == "TY-PR-01")
    building_id = _id(app, Building, Building.project_id == project.id)
    unit_id = _id(app, Unit, Unit.building_id == building_id)
    datong = login_as("datong_officer")
    urls = [f"/bureau/stock/projects/{project.id}", f"/bureau/stock/projects/{project.id}/edit",
            f"/bureau/stock/projects/{project.id}/buildings/new", f"/bureau/stock/buildings/{building_id}/edit",
            f"/bureau/stock/buildings/{building_id}/units/new", f"/bureau/stock/units/{unit_id}",
            f"/bureau/stock/units/{unit_id}/edit"]
    for url in urls:
        assert datong.get(url).status_code == 404, url
    assert datong.post(f"/bureau/stock/units/{unit_id}/status",
                       data={"action": "withdraw", "reason": "x"}).status_code == 404
    assert "TY-PR-01" not in datong.get("/bureau/stock/").get_data(as_text=True)
    for username in ("wangqiang", "xiaodian_reviewer", "ty_admin", "lixiulan"):
        client = login_as(username)
        for url in urls + ["/bureau/stock/", "/bureau/stock/import"]:
            assert client.get(url).status_code == 403, (username, url)


def test_import_page_checks_then_imports_and_shows_the_report(app, login_as, page_get):
    officer = login_as("liuchu")
    page_get(officer, "/bureau/stock/import")
    bad = xlsx_bytes([row("101"), row("102", 建筑面积=75), row("101")])
    before, imports = _count(app, Unit), _count(app, StockImport)
    response = officer.post("/bureau/stock/import", data={"mode": "check", "file": (io.BytesIO(bad), "a.xlsx")},
                            content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="import-report"' in html
    assert "建筑面积超出该类房源的面积标准" in html and "房号与第 2 行重复" in html and "<td>3</td>" in html
    response = officer.post("/bureau/stock/import", data={"mode": "import", "file": (io.BytesIO(bad), "a.xlsx")},
                            content_type="multipart/form-data")
    assert response.status_code == 400 and _count(app, Unit) == before
    response = officer.post("/bureau/stock/import", data={"mode": "valid_rows",
                                                          "file": (io.BytesIO(bad), "a.xlsx")},
                            content_type="multipart/form-data")
    assert response.status_code == 302 and _count(app, Unit) == before + 1
    record = page_get(officer, response.headers["Location"])
    assert "只导入有效行" in record and "建筑面积超出" in record
    fixed = csv_bytes([row("102", 建筑面积=65), row("103")], "gbk")
    response = officer.post("/bureau/stock/import", data={"mode": "import", "file": (io.BytesIO(fixed), "b.csv")},
                            content_type="multipart/form-data")
    assert response.status_code == 302 and _count(app, Unit) == before + 3
    assert _count(app, StockImport) == imports + 2
    html = page_get(officer, "/bureau/stock/")
    assert "a.xlsx" in html and "b.csv" in html


def test_import_refuses_a_missing_file_and_an_undecodable_one(app, login_as):
    officer = login_as("liuchu")
    response = officer.post("/bureau/stock/import", data={"mode": "check"}, content_type="multipart/form-data")
    assert response.status_code == 400 and "请选择要上传的文件" in response.get_data(as_text=True)
    response = officer.post("/bureau/stock/import", data={"mode": "import",
                                                          "file": (io.BytesIO(b"\xff\xfe\x81\x00"), "x.csv")},
                            content_type="multipart/form-data")
    assert response.status_code == 400 and "无法识别文件的编码" in response.get_data(as_text=True)


def test_templates_download(app, login_as):
    officer = login_as("liuchu")
    response = officer.get("/bureau/stock/import/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]][:3] == ["项目编号", "项目名称", "区县"]
    response = officer.get("/bureau/stock/import/template.csv")
    assert response.status_code == 200 and response.data.startswith("\ufeff项目编号".encode("utf-8"))
    assert officer.get("/bureau/stock/import/template.pdf").status_code == 404


def test_the_daily_job_flags_units_overdue_from_maintenance_once(app, login_as, page_get):
    officer = login_as("liuchu")
    unit_id = _id(app, Unit, Unit.status == "vacant")
    until = date.today() + timedelta(days=3)
    officer.post(f"/bureau/stock/units/{unit_id}/status",
                 data={"action": "maintenance", "reason": "管道检修", "until": until.isoformat()})
    with app.app_context():
        first = daily.run_daily(until + timedelta(days=1), "taiyuan", only=["flag_overdue_maintenance"])
        second = daily.run_daily(until + timedelta(days=1), "taiyuan", only=["flag_overdue_maintenance"])
        third = daily.run_daily(until + timedelta(days=2), "taiyuan", only=["flag_overdue_maintenance"])
    assert first["flag_overdue_maintenance"]["flagged"] >= 1
    assert second["flag_overdue_maintenance"] == {"flagged": 0, "resolved": 0}
    assert third["flag_overdue_maintenance"] == {"flagged": 0, "resolved": 0}
    assert _one(app, Unit, Unit.id == unit_id).status == "maintenance"  # listed, not returned by itself
    html = page_get(officer, "/bureau/stock/")
    assert "维修逾期未恢复的房源" in html and "管道检修" in html
    officer.post(f"/bureau/stock/units/{unit_id}/status", data={"action": "vacant"})
    flag = _one(app, MaintenanceOverdue, MaintenanceOverdue.unit_id == unit_id)
    assert flag.resolved_on == date.today()


def test_import_units_from_the_command_line(app, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_bytes([row("101"), row("102", 区县="火星区"), row("103", 楼层=40)]))
    before = _count(app, Unit)
    result = runner.invoke(args=["import-units", str(bad), "--city", "taiyuan"])
    assert result.exit_code == 2
    assert "row 3, column 区县 (C)" in result.output and "row 4, column 楼层 (M)" in result.output
    assert _count(app, Unit) == before
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([row("101"), row("102")], "gbk"))
    dry = runner.invoke(args=["import-units", str(good), "--city", "taiyuan", "--dry-run"])
    assert dry.exit_code == 0 and '"written": 0' in dry.output and _count(app, Unit) == before
    done = runner.invoke(args=["import-units", str(good), "--city", "taiyuan"])
    assert done.exit_code == 0 and '"written": 2' in done.output and _count(app, Unit) == before + 2
    partial = runner.invoke(args=["import-units", str(bad), "--city", "taiyuan", "--valid-rows-only"])
    assert partial.exit_code == 2  # row 101 is now a duplicate too: no valid row left to write
    some = tmp_path / "some.csv"
    some.write_bytes(csv_bytes([row("104"), row("105", 月租金=-1)]))
    partial = runner.invoke(args=["import-units", str(some), "--city", "taiyuan", "--valid-rows-only"])
    assert partial.exit_code == 0 and '"written": 1' in partial.output
    assert runner.invoke(args=["import-units", str(good)]).exit_code == 2  # two cities: --city needed
    undecodable = tmp_path / "x.csv"
    undecodable.write_bytes(b"\xff\xfe\x81\x00\x00")
    result = runner.invoke(args=["import-units", str(undecodable), "--city", "taiyuan"])
    assert result.exit_code == 2 and "x.csv" in result.output
