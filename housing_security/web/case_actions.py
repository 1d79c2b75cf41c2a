"""POST actions on a case: each validates a form, calls one service, commits and redirects back.

Bad input re-renders the case with field-level messages (400, nothing saved); an action the case's
state or the officer's role does not allow is a flash message (nothing saved), never a 500.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Member, Objection, Offer, RegistryCheck, Role
from ..services import offers as offers_service
from ..services import publicity as publicity_service
from ..services import registry_checks, reverification, review
from ..services.transitions import TransitionError
from . import case_forms as forms
from .access import STAFF, allow, application_or_404
from .cases import bp, render_detail
from .i18n import current_language
from .labels import STATUS_LABELS, label

DECLINE_REVIEW_ERRORS = {
    "not_declined": _l("该配租通知没有被拒绝，无需审核。"),
    "note_required": _l("请填写审核说明。"),
}


def refusal_message(error: Exception) -> str:
    if isinstance(error, offers_service.OfferError):
        return str(DECLINE_REVIEW_ERRORS.get(error.code, error.code))
    if isinstance(error, review.ReviewError):
        return str(error.message)
    if isinstance(error, TransitionError):
        return _("此案件当前状态为“%(status)s”，不能办理此操作。", status=label(STATUS_LABELS, error.from_status))
    raise error


def _back(application_id: int):
    return redirect(url_for("cases.detail", application_id=application_id))


def run_action(application_id: int, form, form_key: str, action: Callable, success: str):
    application = application_or_404(application_id)
    if not form.validate_on_submit():
        return render_detail(application, status=400, **{form_key: form})
    try:
        action(application, form)
        db.session.commit()
    except (review.ReviewError, TransitionError, offers_service.OfferError) as error:
        db.session.rollback()
        flash(refusal_message(error), "error")
        return _back(application_id)
    flash(success, "success")
    return _back(application_id)


@bp.route("/<int:application_id>/request-info", methods=["POST"])
@allow(*STAFF)
def request_info(application_id: int):
    return run_action(application_id, forms.InfoRequestForm(prefix="info"), "info",
                      lambda a, f: review.request_info(a, current_user, f.message.data),
                      _("已退回申请人补充材料。"))


@bp.route("/<int:application_id>/advance", methods=["POST"])
@allow(*STAFF)
def advance(application_id: int):
    return run_action(application_id, forms.AdvanceForm(prefix="advance"), "advance",
                      lambda a, f: review.advance(a, current_user, f.note.data or ""),
                      _("已办理，案件转入下一环节。"))


@bp.route("/<int:application_id>/reject", methods=["POST"])
@allow(*STAFF)
def reject(application_id: int):
    return run_action(application_id, forms.RejectForm(prefix="reject"), "reject",
                      lambda a, f: review.reject(a, current_user, f.reasons.data),
                      _("已作出不予通过的决定，理由已告知申请人。"))


@bp.route("/<int:application_id>/redecide", methods=["POST"])
@allow(*STAFF)
def redecide(application_id: int):
    return run_action(application_id, forms.ConfirmForm(), "confirm",
                      lambda a, f: review.redecide(a, current_user, date.today()),
                      _("已按今日政策参数重新核算。"))


@bp.route("/<int:application_id>/members/<int:member_id>/reveal", methods=["POST"])
@allow(*STAFF)
def reveal_id_number(application_id: int, member_id: int):
    """Shows one full ID number on this response only; the look-up is audited."""
    application = application_or_404(application_id)
    form = forms.ConfirmForm()
    member = db.session.get(Member, member_id)
    if member is None or member.household_id != application.household_id:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    number = review.reveal_id_number(application, member, current_user)
    db.session.commit()
    return render_detail(application, revealed={member.id: number})


@bp.route("/<int:application_id>/appeal-decision", methods=["POST"])
@allow(*STAFF)
def decide_appeal(application_id: int):
    return run_action(application_id, forms.AppealDecisionForm(prefix="appeal"), "appeal",
                      lambda a, f: review.decide_appeal(a, current_user, f.decision.data == "overturn",
                                                        f.reason.data),
                      _("复核决定已记录。"))


@bp.route("/<int:application_id>/objections/<int:objection_id>", methods=["POST"])
@allow(Role.street_caseworker)
def resolve_objection(application_id: int, objection_id: int):
    application = application_or_404(application_id)
    objection = db.session.scalar(select(Objection).where(Objection.id == objection_id,
                                                          Objection.application_id == application.id))
    if objection is None:
        abort(404)
    form = forms.ResolveObjectionForm(prefix=f"objection-{objection.id}")
    return run_action(application_id, form, f"objection_{objection.id}",
                      lambda a, f: publicity_service.resolve_objection(objection, current_user,
                                                                       f.decision.data == "upheld", f.outcome.data),
                      _("异议核查结果已记录。"))


@bp.route("/<int:application_id>/objections/resolve-all", methods=["POST"])
@allow(Role.street_caseworker)
def resolve_objections(application_id: int):
    """One written outcome for all open objections of the case."""
    form = forms.ResolveObjectionForm(prefix="objections-all")
    return run_action(application_id, form, "objections_all",
                      lambda a, f: publicity_service.resolve_objections(a, current_user,
                                                                        f.decision.data == "upheld", f.outcome.data),
                      _("全部待核查异议的核查结果已记录。"))


@bp.route("/<int:application_id>/end-publicity", methods=["POST"])
@allow(Role.bureau_officer)
def end_publicity(application_id: int):
    return run_action(application_id, forms.ConfirmForm(), "confirm",
                      lambda a, f: publicity_service.end_publicity(a, current_user, date.today()),
                      _("公示结束，案件已转入轮候。"))


@bp.route("/<int:application_id>/reverify", methods=["POST"])
@allow(Role.bureau_officer)
def reverify(application_id: int):
    return run_action(application_id, forms.ConfirmForm(), "confirm",
                      lambda a, f: reverification.reverify(a, date.today(), current_user),
                      _("年审已办理。"))


def _declined_offers(application) -> list[Offer]:
    return list(db.session.scalars(select(Offer).where(Offer.application_id == application.id,
                                                       Offer.status == "declined").order_by(Offer.id)))


@bp.route("/<int:application_id>/offers/<int:offer_id>/decline-review", methods=["POST"])
@allow(Role.street_caseworker)
def review_decline(application_id: int, offer_id: int):
    """The caseworker of the case's street marks a declined offer justified (not counted) or not, with a note."""
    application = application_or_404(application_id)
    offer = db.session.scalar(select(Offer).where(Offer.id == offer_id, Offer.application_id == application.id,
                                                  Offer.status == "declined"))
    if offer is None:
        abort(404)
    form = forms.DeclineReviewForm(prefix=f"decline-{offer.id}")
    return run_action(application_id, form, f"decline_{offer.id}",
                      lambda a, f: offers_service.review_decline(offer, current_user, f.decision.data == "justified",
                                                                 f.note.data),
                      _("拒绝配租的审核结论已记录。"))


@bp.context_processor
def decline_reviews():
    """`decline_rows(application, forms)` for the case page: every declined offer, the reason the household gave,
    the listed justified reason it ticked, whether it counts, and (for the street caseworker) the review form."""

    def decline_rows(application, forms_: dict) -> list[dict]:
        lang = "en" if current_language().startswith("en") else "zh"
        may_review = current_user.role_enum is Role.street_caseworker
        rows = []
        for offer in _declined_offers(application):
            claimed = offers_service.claimed_reason(offer)
            reviews = [e for e in application.events
                       if e.action == "decline_reviewed" and (e.data or {}).get("offer") == offer.id]
            form = forms_.get(f"decline_{offer.id}") if may_review else None
            if may_review and form is None:
                form = forms.DeclineReviewForm(prefix=f"decline-{offer.id}", formdata=None)
            rows.append({"offer": offer, "claimed": claimed,
                         "claimed_label": offers_service.reason_label(application.city_code, claimed, lang)
                         if claimed else None,
                         "counts": offers_service.counts(offer), "justified": offer.decline_justified,
                         "reviews": reviews, "form": form})
        return rows

    return {"decline_rows": decline_rows}


# ---- registry cross-checks (数据共享核查, plan §4(6)) ---------------------------------------------------

@bp.route("/<int:application_id>/registry-check", methods=["POST"])
@allow(*STAFF)
def registry_check(application_id: int):
    return run_action(application_id, forms.ConfirmForm(), "confirm",
                      lambda a, f: registry_checks.check_application(a, "manual", date.today(), current_user),
                      _("已按最新的部门数据核查。"))


@bp.route("/<int:application_id>/registry-checks/<int:check_id>", methods=["POST"])
@allow(*STAFF)
def resolve_registry_check(application_id: int, check_id: int):
    application = application_or_404(application_id)
    check = db.session.scalar(select(RegistryCheck).where(RegistryCheck.id == check_id,
                                                          RegistryCheck.application_id == application.id))
    if check is None:
        abort(404)
    form = forms.RegistryResolutionForm(prefix=f"registry-{check.id}")
    return run_action(application_id, form, f"registry_{check.id}",
                      lambda a, f: registry_checks.resolve(check, current_user, f.resolution.data, f.reason.data),
                      _("核查任务已处理。"))
