"""The applicant's own pages: start or resume an application, its status, offers, notifications, proofs."""
from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..extensions import begin_write, db
from ..models import (
    Application,
    Document,
    Household,
    Notification,
    Offer,
    RentSubsidy,
    Role,
)
from ..models._types import utcnow
from ..policy import documents as policy_documents
from ..services import (
    applications,
    contracts,
    documents,
    offers,
    prices,
    progress,
    registry_checks,
    review,
    submission,
    waitlist,
)
from ..services.applications import ApplicationError
from ..services.calendar import workflow_value
from ..services.offers import OfferError
from . import application_forms as forms
from .access import (
    STAFF,
    allow,
    application_or_404,
    application_scope,
    household_scope,
    require,
)
from .application_views import register_editor, street_choices
from .i18n import current_language

bp = Blueprint("applicant", __name__, url_prefix="/me")
register_editor(bp, (Role.applicant,))

DECLINE_ERRORS = {
    "unknown_justified_reason": _l("请从所列正当理由中选择，或选择“不属于所列正当理由”"),
}


def _reason_choices(city_code: str, today: date) -> list[tuple[str, str]]:
    lang = "en" if current_language().startswith("en") else "zh"
    return [(r["code"], str(r.get(lang) or r.get("zh") or r["code"]))
            for r in offers.justified_reasons(city_code, today)]


def _decline_error(error: OfferError) -> str:
    text = DECLINE_ERRORS.get(error.code)
    return str(text) if text is not None else forms.error_text(error)


@bp.route("/")
@allow(Role.applicant)
def home():
    applications_ = db.session.scalars(
        select(Application).where(application_scope(current_user)).order_by(Application.created_at.desc())
    ).all()
    notifications = db.session.scalars(
        select(Notification).where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc()).limit(10)
    ).all()
    return render_template("applicant/home.html", applications=applications_, notifications=notifications,
                           title=_("我的申请"))


@bp.route("/consent-code", methods=["POST"])
@allow(Role.applicant)
def consent_code():
    """A one-time code to read out at a street office's window, so that a caseworker may file into this account."""
    from flask_wtf import FlaskForm

    from ..services import intake_consent

    if not FlaskForm().validate_on_submit():
        abort(400)
    code = intake_consent.issue(current_user._get_current_object())
    minutes = current_app.config["INTAKE_CONSENT_MINUTES"]
    db.session.commit()
    return render_template("applicant/consent_code.html", code=code, minutes=minutes, title=_("代办同意码"))


@bp.route("/apply", methods=["GET", "POST"])
@allow(Role.applicant)
def start():
    """Choose the programme and the street office; a draft of the same programme is resumed."""
    form = forms.StartForm()
    city = current_app.config["DEFAULT_CITY"]
    form.street_id.choices = street_choices(city)
    if form.validate_on_submit():
        street = applications.street_in_city(form.street_id.data, city)
        if street is None:
            forms.apply_error(form, ApplicationError("street_id", "unknown_street"))
        else:
            application, created = applications.start_draft(current_user, form.programme.data, street,
                                                             current_user)
            db.session.commit()
            flash(_("已创建申请草稿 %(ref)s。", ref=application.reference) if created
                  else _("您已有一份该类别的申请草稿，请继续填写。"), "success" if created else "info")
            return redirect(url_for("applicant.tasks", application_id=application.id))
    today = date.today()
    rules = applications.document_rules(city, today)
    notice = [(code, text, policy_documents.rules_for(rules, code)) for code, text in form.programme.choices]
    return render_template("applicant/start.html", form=form, notice=notice,
                           upload_max_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
                           title=_("开始申请"))


@bp.route("/applications/<int:application_id>")
@allow(Role.applicant)
def status(application_id: int):
    application = application_or_404(application_id)
    today = date.today()
    standing = offers.standing(application, today)
    pending = offers.pending_offers(application)
    subsidy = db.session.scalar(select(RentSubsidy).where(
        RentSubsidy.application_id == application.id, RentSubsidy.status == "active").order_by(RentSubsidy.id.desc()))
    notifications = db.session.scalars(select(Notification).where(
        Notification.user_id == current_user.id, Notification.application_id == application.id)
        .order_by(Notification.created_at.desc())).all()
    unread = [n for n in notifications if n.read_at is None]
    price_facts = {offer.id: prices.unit_price_facts(offer.unit, today) for offer in pending}
    resale = prices.resale_check(application, today) if application.status in ("housed", "exiting") else None
    accepted = contracts.accepted_offer(application) if application.status == "awaiting_contract" else None
    signed = contracts.signed_tenancy(application) if application.status == "awaiting_contract" else None
    page = render_template(
        "applicant/status.html", application=application, standing=standing, offers=pending, subsidy=subsidy,
        notifications=notifications, unread_ids={n.id for n in unread}, today=today,
        price_facts=price_facts, resale=resale, accepted=accepted, signed=signed,
        buy_back=contracts.buy_back_event(application) if application.programme == "talent" else None,
        decline_form=forms.DeclineForm(), confirm_form=forms.ConfirmForm(),
        info_requests=submission.open_info_requests(application),
        decline_limit=workflow_value(application.city_code, "decline_limit", today),
        justified_reasons=_reason_choices(application.city_code, today),
        commitment_deadline=waitlist.commitment_deadline(application),
        appeal_decided=application.status == "rejected" and review.appeal_decided(application),
        registry_findings=registry_checks.confirmed_findings(application),
        steps=progress.steps(application, today, standing.estimated_months),
        office=application.street,
        title=_("申请进度 %(ref)s", ref=application.reference))
    if unread:  # seen now: shown in bold this once, read from here on
        begin_write()
        for notification in unread:
            notification.read_at = utcnow()
        db.session.commit()
    return page


@bp.route("/applications/<int:application_id>/submitted")
@allow(Role.applicant)
def submitted(application_id: int):
    """The application as submitted, read-only, with a printable receipt (回执)."""
    application = application_or_404(application_id)
    require(application.submitted_at is not None)
    return render_template("applicant/submitted.html", application=application, office=application.street,
                           bp="applicant", readonly=True,
                           title=_("申请回执 %(ref)s", ref=application.reference))


def _offer_or_404(offer_id: int) -> Offer:
    offer = db.session.get(Offer, offer_id)
    require(offer is not None)
    application_or_404(offer.application_id)
    return offer


@bp.route("/offers/<int:offer_id>/accept", methods=["GET", "POST"])
@allow(Role.applicant)
def accept_offer(offer_id: int):
    """GET asks for confirmation (what accepting means: an appointment to sign, then the keys); POST accepts."""
    offer = _offer_or_404(offer_id)
    form = forms.ConfirmForm()
    if request.method == "GET":
        if offer.status != "pending":
            flash(forms.error_text(OfferError("offer", "already_answered")), "error")
            return redirect(url_for("applicant.status", application_id=offer.application_id))
        today = date.today()
        return render_template(
            "applicant/accept_offer.html", offer=offer, form=form, today=today,
            appointment_days=workflow_value(offer.application.city_code, "contract_appointment_days", today),
            contract_years=workflow_value(offer.application.city_code, "contract_years", today),
            title=_("确认接受配租"))
    if form.validate_on_submit():
        try:
            offers.accept(offer, current_user)
        except OfferError as error:
            db.session.rollback()
            flash(forms.error_text(error), "error")
        else:
            db.session.commit()
            flash(_("您已接受配租。请于 %(d)s 携带身份证件到住房保障部门签订租赁合同。",
                    d=offer.appointment_on.isoformat()), "success")
    return redirect(url_for("applicant.status", application_id=offer.application_id))


@bp.route("/offers/<int:offer_id>/notice")
@allow(Role.applicant)
def offer_notice(offer_id: int):
    """The printable offer notice (配租通知书)."""
    offer = _offer_or_404(offer_id)
    today = date.today()
    return render_template("applicant/offer_notice.html", offer=offer, application=offer.application,
                           facts=prices.unit_price_facts(offer.unit, today), today=today, title=_("配租通知书"))


@bp.route("/offers/<int:offer_id>/decline", methods=["POST"])
@allow(Role.applicant)
def decline_offer(offer_id: int):
    offer = _offer_or_404(offer_id)
    form = forms.DeclineForm()
    if not form.validate_on_submit():
        for message in form.reason.errors:
            flash(message, "error")
        return redirect(url_for("applicant.status", application_id=offer.application_id))
    # Optional: one of the city's listed justified reasons (workflow.justified_decline_reasons); empty = none.
    claimed = (request.form.get("justified_reason") or "").strip()
    try:
        suspended = offers.decline(offer, current_user, form.reason.data, claimed=claimed or None)
    except OfferError as error:
        db.session.rollback()
        flash(_decline_error(error), "error")
    else:
        db.session.commit()
        if claimed:
            flash(_("已拒绝配租，您将继续轮候。您选择了正当理由，街道办事处核实后，本次拒绝不计入拒绝次数。"),
                  "success")
        else:
            flash(_("已拒绝配租。按本市规定，拒绝次数已达上限，您的申请被暂停。") if suspended
                  else _("已拒绝配租，您将继续轮候。"), "warning" if suspended else "success")
    return redirect(url_for("applicant.status", application_id=offer.application_id))


@bp.route("/documents/<int:document_id>")
@allow(Role.applicant, *STAFF)
def document(document_id: int):
    """The proof as uploaded, with its original (possibly Chinese) name: owner and staff in jurisdiction."""
    found = db.session.scalar(select(Document).join(Household, Document.household_id == Household.id).where(
        Document.id == document_id, household_scope(current_user)))
    require(found is not None)
    path = documents.path_of(found)
    require(path.is_file())
    return send_file(path, mimetype=found.content_type, as_attachment=True, download_name=found.original_name,
                     max_age=0)
