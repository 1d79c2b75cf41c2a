"""The bureau's contracts desk (待签约 → 已入住): households that accepted an offer, the contract they sign, the
hand-over of the keys, and a printable contract summary."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from ..extensions import db
from ..models import Application, Offer, Role, Tenancy
from ..services import contracts, prices
from ..services.contracts import ContractError
from .access import allow, application_or_404, application_scope, require
from .round_forms import _DateField

bp = Blueprint("tenancies", __name__, url_prefix="/bureau/contracts")

_REQUIRED = _l("此项为必填项。")


class ContractForm(FlaskForm):
    start_on = _DateField(_l("合同起始日期"), validators=[InputRequired(_REQUIRED)],
                          description=_l("合同期限按本市规定的年限自动计算。"))


class PurchaseForm(FlaskForm):
    work_started_on = _DateField(_l("本地全职工作起始日期"), validators=[InputRequired(_REQUIRED)],
                                 description=_l("产权型人才住房的转让限制年限自这一天起计算（规划 专栏1）。"))


class KeysForm(FlaskForm):
    keys_on = _DateField(_l("交钥匙日期"), validators=[InputRequired(_REQUIRED)])


class ReleaseForm(FlaskForm):
    reason = TextAreaField(_l("未签约的原因"), validators=[DataRequired(_REQUIRED), Length(min=4, max=2000,
                           message=_l("请填写 %(min)d 至 %(max)d 个字。"))])


class BuyBackForm(FlaskForm):
    transfer_on = _DateField(_l("转让日期"), validators=[InputRequired(_REQUIRED)],
                             description=_l("回购价格按转让时的成本价计算（规划 专栏1）。"))
    reason = TextAreaField(_l("回购原因"), validators=[DataRequired(_REQUIRED), Length(min=4, max=2000,
                           message=_l("请填写 %(min)d 至 %(max)d 个字。"))])
    confirm = BooleanField(_l("我已核对回购价格及其依据，确认登记回购。"),
                           validators=[DataRequired(_l("请勾选确认后再提交。"))])


CONTRACT_ERRORS = {
    "not_awaiting_contract": _l("该案件不在待签约状态。"),
    "contract_already_signed": _l("该案件已登记签约。"),
    "no_accepted_offer": _l("找不到该案件已接受的配租通知。"),
    "start_before_acceptance": _l("合同起始日期不能早于接受配租的日期。"),
    "start_out_of_range": _l("合同起始日期过晚，合同期将超出可记录的日期范围，请核对。"),
    "rent_above_ceiling": _l("该房源租金高于同地段市场租金对应的上限，请先调整租金。"),
    "property_home_is_sold": _l("产权型人才住房以购房合同出售，不签租赁合同。"),
    "not_signed": _l("合同尚未登记，或钥匙已交付。"),
    "keys_before_signing": _l("交钥匙日期不能早于签约日期。"),
    "reason_required": _l("请填写原因。"),
    "not_a_property_home": _l("该房源不是产权型人才住房。"),
    "work_start_in_future": _l("工作起始日期不能晚于今天。"),
    "cost_unknown": _l("该项目尚未登记成本价，无法计算售价。"),
    "not_shared_ownership": _l("该家庭未持有共有产权型人才住房，不能办理回购。"),
    "not_housed": _l("该家庭不在已入住状态，不能办理回购。"),
    "transfer_in_future": _l("转让日期不能晚于今天。"),
    "transfer_before_purchase": _l("转让日期不能早于购房（入住）日期。"),
}


def contract_error_text(error: ContractError) -> str:
    text = CONTRACT_ERRORS.get(error.code)
    return str(text) if text is not None else error.code


def _field_error(form: FlaskForm, error: ContractError) -> None:
    field = getattr(form, error.field, None)
    if field is not None:
        field.errors = list(field.errors or []) + [contract_error_text(error)]
    else:
        flash(contract_error_text(error), "error")


def _desk(forms: dict | None = None, status: int = 200):
    rows = db.session.scalars(select(Application).where(
        application_scope(current_user), Application.status == "awaiting_contract").order_by(Application.id)).all()
    items = []
    for application in rows:
        forms_of = (forms or {}).get(application.id, {})
        items.append({"application": application, "offer": contracts.accepted_offer(application),
                      "tenancy": contracts.signed_tenancy(application),
                      "contract_form": forms_of.get("contract") or ContractForm(prefix=f"c{application.id}"),
                      "purchase_form": forms_of.get("purchase") or PurchaseForm(prefix=f"p{application.id}"),
                      "keys_form": forms_of.get("keys") or KeysForm(prefix=f"k{application.id}"),
                      "release_form": forms_of.get("release") or ReleaseForm(prefix=f"r{application.id}")})
    return render_template("tenancies/desk.html", items=items, today=date.today(), title=_("待签约")), status


@bp.route("/")
@allow(Role.bureau_officer)
def desk():
    return _desk()


@bp.route("/<int:application_id>/sign", methods=["POST"])
@allow(Role.bureau_officer)
def sign(application_id: int):
    application = application_or_404(application_id)
    form = ContractForm(prefix=f"c{application.id}")
    if form.validate_on_submit():
        try:
            tenancy = contracts.record_contract(application, current_user, form.start_on.data)
        except ContractError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("已登记签约：合同 %(start)s 至 %(end)s，月租金 %(rent)s。", start=tenancy.start_on.isoformat(),
                    end=tenancy.end_on.isoformat(), rent=str(tenancy.rent_month)), "success")
            return redirect(url_for("tenancies.desk"))
    return _desk({application_id: {"contract": form}}, 400)


@bp.route("/<int:application_id>/purchase", methods=["POST"])
@allow(Role.bureau_officer)
def purchase(application_id: int):
    """The purchase contract of a talent property home at the plan's price."""
    application = application_or_404(application_id)
    form = PurchaseForm(prefix=f"p{application.id}")
    if form.validate_on_submit():
        try:
            tenancy = contracts.record_purchase(application, current_user, form.work_started_on.data)
        except ContractError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("已登记购房合同，售价 %(price)s。", price=tenancy.rent_trace["price"]), "success")
            return redirect(url_for("tenancies.desk"))
    return _desk({application_id: {"purchase": form}}, 400)


@bp.route("/<int:application_id>/keys", methods=["POST"])
@allow(Role.bureau_officer)
def keys(application_id: int):
    application = application_or_404(application_id)
    form = KeysForm(prefix=f"k{application.id}")
    tenancy = contracts.signed_tenancy(application)
    if form.validate_on_submit():
        if tenancy is None:
            _field_error(form, ContractError("tenancy", "not_signed"))
        else:
            try:
                contracts.hand_over_keys(tenancy, current_user, form.keys_on.data)
            except ContractError as error:
                db.session.rollback()
                _field_error(form, error)
            else:
                db.session.commit()
                flash(_("钥匙已交付，家庭已入住。"), "success")
                return redirect(url_for("tenancies.desk"))
    return _desk({application_id: {"keys": form}}, 400)


@bp.route("/<int:application_id>/release", methods=["POST"])
@allow(Role.bureau_officer)
def release(application_id: int):
    application = application_or_404(application_id)
    form = ReleaseForm(prefix=f"r{application.id}")
    if form.validate_on_submit():
        try:
            contracts.release(application, current_user, form.reason.data)
        except ContractError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("房源已退回房源池，家庭恢复轮候。"), "success")
            return redirect(url_for("tenancies.desk"))
    return _desk({application_id: {"release": form}}, 400)


@bp.route("/tenancy/<int:tenancy_id>")
@allow(Role.bureau_officer)
def summary(tenancy_id: int):
    """The contract summary, printable (print CSS)."""
    tenancy = db.session.get(Tenancy, tenancy_id)
    require(tenancy is not None)
    application = application_or_404(tenancy.application_id)
    offer = db.session.get(Offer, tenancy.offer_id) if tenancy.offer_id else None
    return render_template("tenancies/summary.html", tenancy=tenancy, application=application, offer=offer,
                           title=_("租赁合同摘要"))


def _buy_back_page(application: Application, form: BuyBackForm | None = None, status: int = 200):
    today = date.today()
    tenancy = prices.current_tenancy(application)
    resale = prices.resale_check(application, today) if application.status in ("housed", "exiting") else None
    can_buy_back = (resale is not None and resale.tenure == "shared_ownership" and application.status == "housed")
    return render_template("tenancies/buy_back.html", application=application, tenancy=tenancy, resale=resale,
                           can_buy_back=can_buy_back, event=contracts.buy_back_event(application),
                           form=form or BuyBackForm(), today=today, title=_("产权型人才住房：转让与回购")), status


@bp.route("/<int:application_id>/buy-back", methods=["GET", "POST"])
@allow(Role.bureau_officer)
def buy_back(application_id: int):
    """The purchase of a talent property home: may it be resold now (plan box 1, five years of full-time work),
    and the buy-back of a shared-ownership home at the cost price at transfer (plan box 1)."""
    application = application_or_404(application_id)
    form = BuyBackForm()
    if form.is_submitted():
        if form.validate():
            try:
                result = contracts.buy_back(application, current_user, form.transfer_on.data,
                                            reason=form.reason.data.strip())
            except ContractError as error:
                db.session.rollback()
                _field_error(form, error)
            else:
                db.session.commit()
                flash(_("已登记回购：按转让时的成本价 %(price)s 回购，房源已退回房源池。",
                        price=str(result["price"])), "success")
                return redirect(url_for("tenancies.buy_back", application_id=application.id))
        return _buy_back_page(application, form, 400)
    return _buy_back_page(application, form)
