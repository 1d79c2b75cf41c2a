"""The bureau's rent-subsidy ledger: the month's batch of payment lines, its approval, and the bank file."""
from __future__ import annotations

import io

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Application, Household, Role, SubsidyBatch, SubsidyPayment
from ..services import subsidy_ledger
from ..services.subsidy_ledger import LedgerError
from .access import allow, city_code_of, require
from .case_forms import ConfirmForm
from .exports import csv_response, safe_cell

bp = Blueprint("subsidies", __name__, url_prefix="/bureau/subsidies")

LEDGER_ERRORS = {
    "already_approved": _l("该月批次已审批。"),
    "empty": _l("该月批次没有发放明细，无需审批。"),
}
LINES_SHOWN = 500


def _batch_or_404(batch_id: int) -> SubsidyBatch:
    batch = db.session.get(SubsidyBatch, batch_id)
    require(batch is not None and batch.city_code == city_code_of(current_user))
    return batch


def _lines(batch: SubsidyBatch, limit=None) -> list[SubsidyPayment]:
    query = (select(SubsidyPayment).where(SubsidyPayment.batch_id == batch.id)
             .options(selectinload(SubsidyPayment.application).selectinload(Application.household)
                      .selectinload(Household.members)).order_by(SubsidyPayment.id))
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


@bp.route("/")
@allow(Role.bureau_officer)
def index():
    batches = db.session.scalars(select(SubsidyBatch).where(SubsidyBatch.city_code == city_code_of(current_user))
                                 .order_by(SubsidyBatch.month.desc()).limit(36)).all()
    return render_template("subsidies/index.html", batches=batches, title=_("租赁补贴发放"))


@bp.route("/<int:batch_id>")
@allow(Role.bureau_officer)
def show(batch_id: int):
    batch = _batch_or_404(batch_id)
    return render_template("subsidies/show.html", batch=batch, lines=_lines(batch, LINES_SHOWN), shown=LINES_SHOWN,
                           form=ConfirmForm(), title=_("租赁补贴发放批次 %(m)s", m=batch.month.strftime("%Y-%m")))


@bp.route("/<int:batch_id>/approve", methods=["POST"])
@allow(Role.bureau_officer)
def approve(batch_id: int):
    batch = _batch_or_404(batch_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("页面已过期，请刷新后重试。"), "error")
        return redirect(url_for("subsidies.show", batch_id=batch.id))
    try:
        subsidy_ledger.approve(batch, current_user)
    except LedgerError as error:
        db.session.rollback()
        flash(str(LEDGER_ERRORS.get(error.code, error.code)), "error")
    else:
        db.session.commit()
        flash(_("已审批：%(n)s 户，合计 %(total)s 元。", n=batch.lines, total=str(batch.total)), "success")
    return redirect(url_for("subsidies.show", batch_id=batch.id))


def _rows(batch: SubsidyBatch):
    for line in _lines(batch):
        application = line.application
        main = application.household.main_applicant if application.household else None
        yield [application.reference, main.name if main else "", line.month.strftime("%Y-%m"), str(line.amount),
               line.pack_hash]


def _header():
    return [_("申请编号"), _("收款人"), _("月份"), _("金额（元）"), _("参数包")]


@bp.route("/<int:batch_id>/bank.csv", defaults={"fmt": "csv"})
@bp.route("/<int:batch_id>/bank.xlsx", defaults={"fmt": "xlsx"})
@allow(Role.bureau_officer)
def export(batch_id: int, fmt: str):
    """The bank file of an approved batch (CSV through the project's safe CSV writer, or XLSX)."""
    batch = _batch_or_404(batch_id)
    if batch.status != "approved":
        flash(_("批次审批后才能导出银行发放文件。"), "error")
        return redirect(url_for("subsidies.show", batch_id=batch.id))
    name = f"subsidy-{batch.city_code}-{batch.month:%Y-%m}"
    if fmt == "csv":
        return csv_response(_header(), _rows(batch), f"{name}.csv")
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(batch.month.strftime("%Y-%m"))
    sheet.append(_header())
    for row in _rows(batch):
        sheet.append([safe_cell(cell) for cell in row[:3]] + [float(row[3]), safe_cell(row[4])])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Response(buffer.getvalue(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={name}.xlsx"})
