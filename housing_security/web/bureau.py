"""The housing bureau's dashboard and unit inventory for its city."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Application, Building, Household, Project, Role, Unit
from ..services import commitment_guard, portfolio, prices, reverification, subsidy_ledger
from ..services import publicity as publicity_service
from ..services.parameters import effective_pack
from . import insight
from .access import allow, application_scope, city_code_of
from .application_forms import ids_from
from .case_forms import ConfirmForm
from .i18n import current_language
from .labels import PROGRAMME_LABELS, UNIT_STATUS_LABELS
from .paging import paginate

bp = Blueprint("bureau", __name__, url_prefix="/bureau")


def allocation_rates(city_code: str) -> list[dict]:
    """Plan §1(1), §4(1): allocated ÷ completed government-invested units, per programme, as the units'
    histories give it today (services/portfolio.py recomputes any day the same way)."""
    return portfolio.allocation_rates_on(city_code, date.today())


@bp.route("/")
@allow(Role.bureau_officer)
def dashboard():
    scope = application_scope(current_user)
    by_status = dict(db.session.execute(
        select(Application.status, func.count()).where(scope).group_by(Application.status)).all())
    city_code = city_code_of(current_user)
    today = date.today()
    return render_template(
        "bureau/dashboard.html", cards=insight.status_cards(by_status),
        title=_("概览"), today=today, **insight.dashboard(city_code, today, current_language()),
        subsidy_batch=subsidy_ledger.month_total(city_code, today) if city_code else None,
    )


@bp.route("/units")
@allow(Role.bureau_officer)
def units():
    city_code = city_code_of(current_user)
    status = request.args.get("status", "")
    programme = request.args.get("programme", "")
    query = select(Unit).join(Building).join(Project).where(Project.city_code == city_code)
    if status in UNIT_STATUS_LABELS:
        query = query.where(Unit.status == status)
    if programme in PROGRAMME_LABELS:
        query = query.where(Unit.programme == programme)
    units, total, page, page_size = paginate(query.order_by(Project.code, Building.name, Unit.number))
    pack, today = effective_pack(city_code), date.today()
    rent_checks = {u.id: prices.rent_check(u, today, pack) for u in units if u.programme == "subsidized_rental"}
    return render_template("bureau/units.html", units=units, total=total, page=page, page_size=page_size,
                           rent_checks=rent_checks, filters={"status": status, "programme": programme},
                           title=_("房源"))


# ---- re-verification (年审), exits, the six-month commitment early warning, end of publicity ------

REVERIFY_LIST_LIMIT = 500


@bp.route("/reverification")
@allow(Role.bureau_officer)
def reverification_list():
    today, city_code = date.today(), city_code_of(current_user)
    query = reverification.due_query(today, city_code).where(application_scope(current_user))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    applications = db.session.scalars(
        query.options(selectinload(Application.household).selectinload(Household.members))
        .order_by(Application.next_reverification_on.is_(None), Application.next_reverification_on,
                  Application.id).limit(REVERIFY_LIST_LIMIT)).all()
    return render_template("bureau/reverification.html", applications=applications, total=total,
                           limit=REVERIFY_LIST_LIMIT, form=ConfirmForm(), today=today, title=_("年审与退出"))


@bp.route("/reverification", methods=["POST"])
@allow(Role.bureau_officer)
def reverify_selected():
    form = ConfirmForm()
    ids = ids_from(request.form.getlist("ids"))
    if not form.validate_on_submit() or not ids:
        flash(_("请先勾选要办理年审的案件。"), "error")
        return redirect(url_for("bureau.reverification_list"))
    today = date.today()
    applications = db.session.scalars(
        reverification.due_query(today, city_code_of(current_user))
        .where(application_scope(current_user), Application.id.in_(ids)).order_by(Application.id)).all()
    counts = reverification.reverify_many(applications, today, current_user, commit=True)
    flash(_("年审完成：继续保障 %(renewed)s 户，进入退出缓冲期 %(exiting)s 户，已退出 %(exited)s 户，"
            "未办理 %(skipped)s 户。", **counts), "success")
    return redirect(url_for("bureau.reverification_list"))


@bp.route("/early-warning")
@allow(Role.bureau_officer)
def early_warning():
    today = date.today()
    city_code = city_code_of(current_user)
    pack = effective_pack(city_code)
    items = reverification.early_warning(city_code, today)
    for item in items:  # the day the daily guard starts the subsidy if the household is still waiting
        item["guard_on"] = commitment_guard.guard_day(item["application"], today)
    return render_template("bureau/early_warning.html", items=items, today=today, title=_("应保尽保预警"),
                           months=pack.value("public_rental.commitment_months", today),
                           days=pack.value("workflow.early_warning_days", today))


@bp.route("/publicity/close", methods=["POST"])
@allow(Role.bureau_officer)
def close_publicity():
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("页面已过期，请刷新后重试。"), "error")
        return redirect(url_for("bureau.dashboard"))
    counts = publicity_service.close_publicity(date.today(), city_code_of(current_user), current_user, commit=True)
    flash(_("公示期满转入轮候 %(moved)s 件；因有未处理异议暂缓 %(held)s 件。", **counts), "success")
    return redirect(url_for("bureau.dashboard"))
