"""The housing stock of the bureau's city: projects, buildings and units created and edited, units put into
maintenance, withdrawn and returned with their history, and the bulk import from CSV/XLSX with its report.
Everything is scoped to the officer's city; another city's project, building or unit answers 404."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Building, Project, Role, StockImport, Unit, User
from ..services import stock as service
from ..services import stock_import
from ..services.parameters import effective_pack
from ..services.unit_status import UnitStatusError
from .access import allow, city_code_of
from .i18n import current_language
from .labels import PROGRAMME_LABELS, UNIT_STATUS_LABELS
from .stock_forms import BuildingForm, ImportForm, ProjectForm, UnitForm, UnitStatusForm

bp = Blueprint("stock", __name__, url_prefix="/bureau/stock")

TENURE_LABELS = {
    "unit": _l("实物配租"), "residential": _l("住宅型"), "dormitory": _l("宿舍型"), "rental": _l("租赁型"),
    "full_property": _l("完全产权型"), "shared_ownership": _l("共有产权型"), "property": _l("共有产权住房"),
}
KIND_LABELS = {"apartment": _l("套房"), "dormitory": _l("宿舍")}
ACTION_LABELS = {"maintenance": _l("转入维修"), "vacant": _l("恢复为空置"), "withdraw": _l("退出保障房源")}
STOCK_ERRORS = {
    "unknown_district": _l("请选择本市的区县。"),
    "programme_not_offered": _l("本市未开办该保障类别。"),
    "duplicate_project_code": _l("该项目编号已被使用。"),
    "programme_fixed": _l("项目已有房源，不能更改保障类别。"),
    "duplicate_building": _l("该项目已有同名楼栋。"),
    "floors_below_units": _l("已有房源位于第 %(highest)s 层，总层数不能更低。"),
    "unknown_kind": _l("请选择户型类别。"),
    "tenure_not_of_programme": _l("该保障类别没有这种产权/租赁类型。"),
    "floor_above_building": _l("楼层超过楼栋总层数（%(floors)s 层）。"),
    "floor_below_one": _l("楼层须从 1 开始。"),
    "negative_rent": _l("月租金不能为负数。"),
    "negative_bedrooms": _l("居室数不能为负数。"),
    "duplicate_unit": _l("该楼栋已有这个房号。"),
    "area_outside_cap": _l("建筑面积不在该类房源的面积标准内（%(low)s–%(high)s 平方米）。"),
}
STATUS_ERRORS = {
    "transition_not_allowed": _l("该房源当前状态下不能办理此操作。"),
    "reason_required": _l("请填写原因。"),
    "until_required": _l("请填写预计恢复日期。"),
    "until_before_on": _l("预计恢复日期不能早于今天。"),
    "unknown_status": _l("该房源当前状态下不能办理此操作。"),
}
# The validation report of an import: one message per problem code.
IMPORT_ERRORS = {
    "required": _l("必填项为空"),
    "too_long": _l("内容过长（最多 %(max)s 个字符）"),
    "bad_integer": _l("不是整数"),
    "bad_number": _l("不是数字"),
    "out_of_range": _l("数值过大（须小于 %(limit)s）"),
    "bad_boolean": _l("应填“是”或“否”"),
    "bad_date": _l("日期格式应为 年-月-日"),
    "unknown_programme": _l("未知的保障类别"),
    "unknown_tenure": _l("未知的产权/租赁类型"),
    "unknown_kind": _l("户型类别应为“套房”或“宿舍”"),
    "unknown_district": _l("本市没有这个区县"),
    "programme_not_offered": _l("本市未开办该保障类别"),
    "project_of_other_city": _l("该项目编号属于其他城市"),
    "project_district_differs": _l("与已登记项目的区县不一致"),
    "project_programme_differs": _l("与已登记项目的保障类别不一致"),
    "project_name_differs": _l("同一项目编号的项目名称与第 %(first)s 行不一致"),
    "project_district_differs_in_file": _l("同一项目编号的区县与第 %(first)s 行不一致"),
    "project_programme_differs_in_file": _l("同一项目编号的保障类别与第 %(first)s 行不一致"),
    "building_floors_differ": _l("与已登记楼栋的总层数（%(floors)s 层）不一致"),
    "building_floors_differ_in_file": _l("同一楼栋的总层数与第 %(first)s 行（%(floors)s 层）不一致"),
    "floors_below_one": _l("总层数须至少为 1"),
    "floor_below_one": _l("楼层须从 1 开始"),
    "floor_above_building": _l("楼层超过楼栋总层数（%(floors)s 层）"),
    "negative_rent": _l("月租金不能为负数"),
    "negative_bedrooms": _l("居室数不能为负数"),
    "tenure_not_of_programme": _l("该保障类别没有这种产权/租赁类型"),
    "area_outside_cap": _l("建筑面积超出该类房源的面积标准（%(low)s–%(high)s 平方米）"),
    "duplicate_unit_in_database": _l("房号已登记"),
    "duplicate_unit_in_file": _l("房号与第 %(first)s 行重复"),
    "formula_without_value": _l("公式没有计算结果（请在 Excel 中打开并保存，或粘贴为数值）"),
    # The file as a whole:
    "empty_file": _l("文件是空的。"),
    "undecodable": _l("无法识别文件的编码：请另存为 XLSX，或 UTF-8 / GBK 编码的 CSV。"),
    "old_excel": _l("这是旧版 Excel（.xls）文件：请另存为 XLSX 后再上传。"),
    "unreadable_xlsx": _l("无法读取该 XLSX 文件：文件可能已损坏。"),
    "bad_csv": _l("无法解析该 CSV 文件。"),
    "no_header": _l("文件中没有表头行。"),
    "missing_columns": _l("第 %(row)s 行表头缺少必填列：%(columns)s。"),
}


def problem_text(code: str, params: dict | None = None) -> str:
    template = IMPORT_ERRORS.get(code)
    if template is None:
        return code
    try:
        return str(template) % (params or {})
    except (KeyError, TypeError, ValueError):
        return str(template)


def _error_text(table: dict, error) -> str:
    template = table.get(error.code)
    if template is None:
        return str(table.get("transition_not_allowed", error.code))
    try:
        return str(template) % {k: ("—" if v is None else v) for k, v in error.params.items()}
    except (KeyError, TypeError, ValueError):
        return str(template)


def _city() -> str:
    return city_code_of(current_user)


def _project_or_404(project_id: int) -> Project:
    return service.project_in_city(project_id, _city()) or abort(404)


def _building_or_404(building_id: int) -> Building:
    return service.building_in_city(building_id, _city()) or abort(404)


def _unit_or_404(unit_id: int) -> Unit:
    return service.unit_in_city(unit_id, _city()) or abort(404)


def _district_choices() -> list[tuple[int, str]]:
    language = current_language()
    return [(d.id, d.name(language)) for d in service.city_districts(_city())]


def _programme_choices() -> list[tuple[str, str]]:
    offered = effective_pack(_city()).value("programmes.offered", date.today())
    return [(code, str(PROGRAMME_LABELS.get(code, code))) for code in offered]


def _tenure_choices(programme: str) -> list[tuple[str, str]]:
    return [(code, str(TENURE_LABELS.get(code, code))) for code in service.UNIT_TENURES.get(programme, ())]


def _labels() -> dict:
    return {"tenure_label": lambda code: str(TENURE_LABELS.get(code, code)) if code else "—",
            "kind_label": lambda code: str(KIND_LABELS.get(code, code)),
            "problem_text": problem_text}


# ---- overview and projects ------------------------------------------------------------------------------------------

@bp.route("/")
@allow(Role.bureau_officer)
def index():
    city = _city()
    projects = db.session.execute(
        select(Project, func.count(Unit.id)).outerjoin(Building, Building.project_id == Project.id)
        .outerjoin(Unit, Unit.building_id == Building.id).where(Project.city_code == city)
        .group_by(Project.id).order_by(Project.code)).all()
    imports = db.session.scalars(select(StockImport).where(StockImport.city_code == city)
                                 .order_by(StockImport.id.desc()).limit(10)).all()
    return render_template("stock/index.html", projects=projects, imports=imports,
                           overdue=service.overdue_units(city), title=_("房源管理"), **_labels())


@bp.route("/projects/new", methods=["GET", "POST"])
@allow(Role.bureau_officer)
def new_project():
    form = ProjectForm(_district_choices(), _programme_choices())
    if form.validate_on_submit():
        try:
            project = service.create_project(_city(), current_user, **_project_values(form))
        except service.StockError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            flash(_("项目已登记。"), "success")
            return redirect(url_for("stock.project", project_id=project.id))
    return render_template("stock/project_form.html", form=form, project=None, title=_("登记项目"))


def _project_values(form: ProjectForm) -> dict:
    return {"code": form.code.data.strip(), "name": form.name.data.strip(), "district_id": form.district_id.data,
            "programme": form.programme.data, "address": (form.address.data or "").strip(),
            "government_invested": bool(form.government_invested.data), "completed_on": form.completed_on.data,
            "market_rent_per_m2": form.market_rent_per_m2.data, "cost_per_m2": form.cost_per_m2.data}


def _field_error(form, error) -> None:
    table = STOCK_ERRORS if isinstance(error, service.StockError) else STATUS_ERRORS
    field = getattr(form, error.field, None)
    message = _error_text(table, error)
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [message]
    else:
        flash(message, "error")


@bp.route("/projects/<int:project_id>")
@allow(Role.bureau_officer)
def project(project_id: int):
    project = _project_or_404(project_id)
    buildings = db.session.scalars(select(Building).where(Building.project_id == project.id)
                                   .options(selectinload(Building.units)).order_by(Building.name)).all()
    # The caps of the programme's tenures in the city's pack today (plan §4(2), box 1), shown beside its units.
    limits = {tenure: service.area_limits(project.city_code, project.programme, tenure,
                                          "dormitory" if tenure == "dormitory" else "apartment", date.today())
              for tenure in service.UNIT_TENURES.get(project.programme, ())}
    return render_template("stock/project.html", project=project, buildings=buildings, limits=limits,
                           title=project.name, **_labels())


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@allow(Role.bureau_officer)
def edit_project(project_id: int):
    project = _project_or_404(project_id)
    form = ProjectForm(_district_choices(), _programme_choices(), obj=project)
    if form.validate_on_submit():
        try:
            service.update_project(project, current_user, **_project_values(form))
        except service.StockError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            flash(_("项目已保存。"), "success")
            return redirect(url_for("stock.project", project_id=project.id))
    return render_template("stock/project_form.html", form=form, project=project, title=_("修改项目"))


# ---- buildings ------------------------------------------------------------------------------------------------------

@bp.route("/projects/<int:project_id>/buildings/new", methods=["GET", "POST"])
@allow(Role.bureau_officer)
def new_building(project_id: int):
    project = _project_or_404(project_id)
    form = BuildingForm()
    if form.validate_on_submit():
        try:
            service.create_building(project, current_user, name=form.name.data, floors=form.floors.data,
                                    elevator=form.elevator.data)
        except service.StockError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            flash(_("楼栋已登记。"), "success")
            return redirect(url_for("stock.project", project_id=project.id))
    return render_template("stock/building_form.html", form=form, project=project, building=None,
                           title=_("登记楼栋"))


@bp.route("/buildings/<int:building_id>/edit", methods=["GET", "POST"])
@allow(Role.bureau_officer)
def edit_building(building_id: int):
    building = _building_or_404(building_id)
    form = BuildingForm(obj=building)
    if form.validate_on_submit():
        try:
            service.update_building(building, current_user, name=form.name.data, floors=form.floors.data,
                                    elevator=form.elevator.data)
        except service.StockError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            flash(_("楼栋已保存。"), "success")
            return redirect(url_for("stock.project", project_id=building.project_id))
    return render_template("stock/building_form.html", form=form, project=building.project, building=building,
                           title=_("修改楼栋"))


# ---- units ----------------------------------------------------------------------------------------------------------

def _unit_values(form: UnitForm) -> dict:
    return {"number": form.number.data, "tenure": form.tenure.data or None, "kind": form.kind.data,
            "area_m2": form.area_m2.data, "bedrooms": form.bedrooms.data, "floor": form.floor.data,
            "accessible": form.accessible.data, "rent_month": form.rent_month.data}


@bp.route("/buildings/<int:building_id>/units/new", methods=["GET", "POST"])
@allow(Role.bureau_officer)
def new_unit(building_id: int):
    building = _building_or_404(building_id)
    form = UnitForm(_tenure_choices(building.project.programme))
    if form.validate_on_submit():
        try:
            unit = service.create_unit(building, current_user, date.today(), **_unit_values(form))
        except service.StockError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            flash(_("房源已登记。"), "success")
            return redirect(url_for("stock.unit", unit_id=unit.id))
    return render_template("stock/unit_form.html", form=form, building=building, unit=None, title=_("登记房源"))


@bp.route("/units/<int:unit_id>")
@allow(Role.bureau_officer)
def unit(unit_id: int):
    unit = _unit_or_404(unit_id)
    return render_template("stock/unit.html", unit=unit, form=_status_form(unit), title=unit.label,
                           actors=_actors(unit), **_labels())


def _actors(unit: Unit) -> dict[int, str]:
    ids = {event.actor_id for event in unit.events if event.actor_id}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()) if ids else {}


def _status_form(unit: Unit, **kwargs) -> UnitStatusForm:
    return UnitStatusForm([(a, str(ACTION_LABELS[a])) for a in service.available_actions(unit)], **kwargs)


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@allow(Role.bureau_officer)
def edit_unit(unit_id: int):
    unit = _unit_or_404(unit_id)
    form = UnitForm(_tenure_choices(unit.programme), obj=unit)
    if request.method == "GET":
        form.tenure.data = unit.tenure or ""
    if form.validate_on_submit():
        try:
            service.update_unit(unit, current_user, date.today(), **_unit_values(form))
        except service.StockError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            flash(_("房源已保存。"), "success")
            return redirect(url_for("stock.unit", unit_id=unit.id))
    return render_template("stock/unit_form.html", form=form, building=unit.building, unit=unit,
                           title=_("修改房源"))


@bp.route("/units/<int:unit_id>/status", methods=["POST"])
@allow(Role.bureau_officer)
def change_status(unit_id: int):
    unit = _unit_or_404(unit_id)
    form = _status_form(unit)
    if form.validate_on_submit():
        try:
            service.change_status(unit, form.action.data, current_user, date.today(), reason=form.reason.data,
                                  until=form.until.data)
        except UnitStatusError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            flash(_("房源状态已变更为：%(status)s", status=UNIT_STATUS_LABELS.get(unit.status, unit.status)),
                  "success")
            return redirect(url_for("stock.unit", unit_id=unit.id))
    return render_template("stock/unit.html", unit=unit, form=form, title=unit.label, actors=_actors(unit),
                           **_labels()), 400


# ---- bulk import ------------------------------------------------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
@allow(Role.bureau_officer)
def import_units():
    form = ImportForm()
    report = record = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        data, filename = upload.read(), (upload.filename or "")[:200]
        if form.mode.data == "check":
            report = stock_import.check_file(data, filename, _city(), date.today())
        else:
            try:
                report, record = stock_import.import_file(data, filename, _city(), current_user, date.today(),
                                                          valid_rows_only=form.mode.data == "valid_rows")
            except stock_import.ImportRefused as refused:
                db.session.rollback()
                report, status = refused.report, 400
            else:
                flash(_("已导入 %(n)s 套房源。", n=record.rows_imported), "success")
                return redirect(url_for("stock.import_record", import_id=record.id))
    elif request.method == "POST":
        status = 400
    return render_template("stock/import.html", form=form, report=report, record=record,
                           columns=stock_import.COLUMNS, title=_("批量导入房源"), **_labels()), status


@bp.route("/import/template.<fmt>")
@allow(Role.bureau_officer)
def import_template(fmt: str):
    if fmt == "xlsx":
        return Response(stock_import.template_xlsx(),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": "attachment; filename=units-template.xlsx"})
    if fmt == "csv":
        return Response(stock_import.template_csv(), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": "attachment; filename=units-template.csv"})
    abort(404)


@bp.route("/imports/<int:import_id>")
@allow(Role.bureau_officer)
def import_record(import_id: int):
    record = db.session.scalar(select(StockImport).where(StockImport.id == import_id,
                                                         StockImport.city_code == _city())) or abort(404)
    return render_template("stock/import_record.html", record=record, title=_("导入记录"), **_labels())
