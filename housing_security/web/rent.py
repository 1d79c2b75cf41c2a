"""The bureau's rent roll (租金台账) and a tenancy's page (payments, move-out, inspection), and the exit-trigger
tasks (退出核查任务) the street caseworkers work through."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..extensions import db
from ..models import Application, CaseTask, Role, Tenancy
from ..services import rent_roll
from ..services.rent_roll import TenancyError
from .access import STAFF, allow, application_or_404, application_scope, city_code_of, require
from .round_forms import _DateField

bp = Blueprint("rent", __name__, url_prefix="/bureau/rent")
tasks_bp = Blueprint("tasks", __name__, url_prefix="/cases/tasks")

_REQUIRED = _l("此项为必填项。")
ROLL_LIMIT = 500

RENT_ERRORS = {
    "reference_required": _l("请填写流水号。"),
    "amount_invalid": _l("请填写正确的金额。"),
    "amount_not_positive": _l("金额须大于 0。"),
    "duplicate_reference": _l("该流水号已登记。"),
    "tenancy_not_let": _l("该租赁合同不在履行中。"),
    "tenancy_not_active": _l("该租赁合同不在履行中。"),
    "move_out_in_past": _l("搬离日期不能早于今天。"),
    "inspection_before_move_out": _l("验房日期不能早于搬离日期。"),
    "no_notice": _l("尚未登记退租。"),
    "outcome_required": _l("请填写处理结果。"),
    "task_closed": _l("该任务已办结。"),
    "unknown_tenancy": _l("找不到该申请编号的租赁合同"),
    "bad_date": _l("日期格式不正确"),
    "missing_column": _l("缺少列"),
    "undecodable": _l("文件无法识别，请另存为 UTF-8 或 GBK 编码的 CSV 文件。"),
    "unknown_trigger": _l("未知的退出情形。"),
    "until_before_on": _l("预计维修完成日期不能早于验房日期。"),
}
TRIGGER_LABELS = {
    "arrears": _l("累计拖欠租金"),
    "vacancy": _l("无正当理由连续闲置"),
    "sublet": _l("转借、转租或擅自调换"),
    "change_of_use": _l("改变用途"),
    "other_housing": _l("获得其他住房"),
}
BUCKET_LABELS = {"0_1": _l("1 个月内"), "1_3": _l("1–3 个月"), "3_6": _l("3–6 个月"), "6_plus": _l("6 个月以上")}


def error_text(error) -> str:
    text = RENT_ERRORS.get(error.code)
    return str(text) if text is not None else error.code


class PaymentForm(FlaskForm):
    amount = DecimalField(_l("金额（元）"), places=2, validators=[InputRequired(_REQUIRED), NumberRange(
        min=0.01, message=_l("金额须大于 0。"))])
    paid_on = _DateField(_l("缴费日期"), validators=[InputRequired(_REQUIRED)])
    reference = StringField(_l("流水号"), validators=[DataRequired(_REQUIRED), Length(max=64)])


class BankImportForm(FlaskForm):
    file = FileField(_l("银行流水（CSV）"), description=_l("列：申请编号、日期、金额、流水号；UTF-8 或 GBK 编码。"))


class NoticeForm(FlaskForm):
    move_out_on = _DateField(_l("搬离日期"), validators=[InputRequired(_REQUIRED)])
    inspection_on = _DateField(_l("验房日期"), validators=[InputRequired(_REQUIRED)])


class InspectionForm(FlaskForm):
    inspected_on = _DateField(_l("验房日期"), validators=[InputRequired(_REQUIRED)])
    repairs = TextAreaField(_l("需维修的问题（无则留空）"), validators=[Optional(), Length(max=2000)],
                            description=_l("填写后房源转入维修；留空则房源直接回到房源池。"))
    until = _DateField(_l("预计维修完成日期"), validators=[Optional()])


class TriggerForm(FlaskForm):
    kind = SelectField(_l("退出情形"), choices=list(TRIGGER_LABELS.items()), validators=[DataRequired(_REQUIRED)])


class TaskCloseForm(FlaskForm):
    outcome = TextAreaField(_l("处理结果"), validators=[DataRequired(_REQUIRED), Length(min=4, max=2000,
                            message=_l("请填写 %(min)d 至 %(max)d 个字。"))])


def _month_arg() -> date:
    text = (request.args.get("month") or "").strip()
    try:
        return date.fromisoformat(text + "-01") if text else date.today().replace(day=1)
    except ValueError:
        return date.today().replace(day=1)


@bp.route("/")
@allow(Role.bureau_officer)
def roll():
    month = _month_arg()
    rows = rent_roll.roll(city_code_of(current_user), month, limit=ROLL_LIMIT)
    return render_template("rent/roll.html", rows=rows, month=month, limit=ROLL_LIMIT, form=BankImportForm(),
                           buckets=BUCKET_LABELS, title=_("租金台账"))


@bp.route("/import", methods=["POST"])
@allow(Role.bureau_officer)
def bank_import():
    form = BankImportForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        flash(_("请选择要导入的银行流水文件。"), "error")
        return redirect(url_for("rent.roll"))
    report = rent_roll.import_bank_csv(upload.read(), city_code_of(current_user), current_user)
    if report.errors:
        db.session.rollback()
        return render_template("rent/import_report.html", report=report, errors=RENT_ERRORS,
                               title=_("银行流水导入结果")), 400
    db.session.commit()
    flash(_("已导入 %(n)s 笔缴费，跳过已登记的 %(d)s 笔。", n=report.written, d=report.duplicates), "success")
    return redirect(url_for("rent.roll"))


def _tenancy_or_404(tenancy_id: int) -> Tenancy:
    tenancy = db.session.get(Tenancy, tenancy_id)
    require(tenancy is not None)
    application_or_404(tenancy.application_id)
    return tenancy


def _tenancy_page(tenancy: Tenancy, status: int = 200, **forms):
    balance = rent_roll.balances([tenancy.id], date.today())[tenancy.id]
    return render_template(
        "rent/tenancy.html", tenancy=tenancy, balance=balance, buckets=BUCKET_LABELS,
        payment_form=forms.get("payment") or PaymentForm(), notice_form=forms.get("notice") or NoticeForm(),
        inspection_form=forms.get("inspection") or InspectionForm(), triggers=TRIGGER_LABELS,
        tasks=db.session.scalars(select(CaseTask).where(CaseTask.application_id == tenancy.application_id)
                                 .order_by(CaseTask.id.desc())).all(),
        title=_("租赁合同 %(ref)s", ref=tenancy.application.reference)), status


@bp.route("/tenancy/<int:tenancy_id>")
@allow(Role.bureau_officer)
def tenancy(tenancy_id: int):
    return _tenancy_page(_tenancy_or_404(tenancy_id))


def _apply(form, error: TenancyError) -> None:
    field = getattr(form, error.field, None)
    if field is None and error.field == "on":
        field = getattr(form, "inspected_on", None)
    if field is not None:
        field.errors = list(field.errors or []) + [error_text(error)]
    else:
        flash(error_text(error), "error")


@bp.route("/tenancy/<int:tenancy_id>/payment", methods=["POST"])
@allow(Role.bureau_officer)
def payment(tenancy_id: int):
    tenancy = _tenancy_or_404(tenancy_id)
    form = PaymentForm()
    if form.validate_on_submit():
        try:
            rent_roll.record_payment(tenancy, current_user, form.amount.data, form.paid_on.data, form.reference.data)
        except TenancyError as error:
            db.session.rollback()
            _apply(form, error)
        else:
            db.session.commit()
            flash(_("已登记缴费。"), "success")
            return redirect(url_for("rent.tenancy", tenancy_id=tenancy.id))
    return _tenancy_page(tenancy, 400, payment=form)


@bp.route("/tenancy/<int:tenancy_id>/notice", methods=["POST"])
@allow(Role.bureau_officer)
def notice(tenancy_id: int):
    tenancy = _tenancy_or_404(tenancy_id)
    form = NoticeForm()
    if form.validate_on_submit():
        try:
            rent_roll.give_notice(tenancy, current_user, form.move_out_on.data, form.inspection_on.data)
        except TenancyError as error:
            db.session.rollback()
            _apply(form, error)
        else:
            db.session.commit()
            flash(_("已登记退租和验房日期。"), "success")
            return redirect(url_for("rent.tenancy", tenancy_id=tenancy.id))
    return _tenancy_page(tenancy, 400, notice=form)


@bp.route("/tenancy/<int:tenancy_id>/inspection", methods=["POST"])
@allow(Role.bureau_officer)
def inspection(tenancy_id: int):
    from ..services.unit_status import UnitStatusError

    tenancy = _tenancy_or_404(tenancy_id)
    form = InspectionForm()
    if form.validate_on_submit():
        try:
            rent_roll.record_inspection(tenancy, current_user, form.inspected_on.data, form.repairs.data,
                                        form.until.data)
        except (TenancyError, UnitStatusError) as error:
            db.session.rollback()
            _apply(form, error)
        else:
            db.session.commit()
            flash(_("验房完成，租赁合同已终止。"), "success")
            return redirect(url_for("rent.tenancy", tenancy_id=tenancy.id))
    return _tenancy_page(tenancy, 400, inspection=form)


@bp.route("/tenancy/<int:tenancy_id>/trigger", methods=["POST"])
@allow(Role.bureau_officer)
def trigger(tenancy_id: int):
    """Raise an exit ground found on inspection or reported (sublet, change of use, vacancy, other housing)."""
    tenancy = _tenancy_or_404(tenancy_id)
    form = TriggerForm()
    if not form.validate_on_submit():
        flash(str(RENT_ERRORS["unknown_trigger"]), "error")
        return redirect(url_for("rent.tenancy", tenancy_id=tenancy.id))
    task = rent_roll.raise_task(tenancy.application, tenancy, form.kind.data, date.today(), actor=current_user)
    db.session.commit()
    flash(_("已交街道核查。") if task else _("该情形已有未办结的核查任务。"), "success" if task else "info")
    return redirect(url_for("rent.tenancy", tenancy_id=tenancy.id))


@tasks_bp.route("/")
@allow(*STAFF)
def index():
    tasks = db.session.scalars(select(CaseTask).join(Application, CaseTask.application_id == Application.id)
                               .where(application_scope(current_user), CaseTask.status == "open")
                               .order_by(CaseTask.raised_on, CaseTask.id).limit(500)).all()
    return render_template("rent/tasks.html", tasks=tasks, triggers=TRIGGER_LABELS, form=TaskCloseForm(),
                           title=_("退出核查任务"))


@tasks_bp.route("/<int:task_id>/close", methods=["POST"])
@allow(*STAFF)
def close(task_id: int):
    task = db.session.get(CaseTask, task_id)
    require(task is not None)
    application_or_404(task.application_id)
    form = TaskCloseForm()
    if form.validate_on_submit():
        try:
            rent_roll.close_task(task, current_user, form.outcome.data)
        except TenancyError as error:
            db.session.rollback()
            flash(error_text(error), "error")
        else:
            db.session.commit()
            flash(_("任务已办结。"), "success")
    else:
        for message in form.outcome.errors:
            flash(message, "error")
    return redirect(url_for("tasks.index"))
