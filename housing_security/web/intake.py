"""Assisted intake: a street caseworker files an application for someone who comes to the window.

Same forms as the applicant's (see application_views); the household has no owner, or the account named
by its username together with the one-time consent code the applicant reads out (services/intake_consent.py),
and the case records the caseworker in `filed_by_id`. Only the caseworker's own street; an applicant's own
draft is never opened."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Application, Household, Role
from ..services import applications, intake_consent
from ..services.applications import ApplicationError
from . import application_forms as forms
from .access import allow, application_scope
from .application_views import register_editor, street_choices

bp = Blueprint("intake", __name__, url_prefix="/intake")
register_editor(bp, (Role.street_caseworker,), intake=True)


@bp.route("/")
@allow(Role.street_caseworker)
def index():
    drafts = db.session.scalars(select(Application).where(
        application_scope(current_user), Application.filed_by_id.is_not(None),
        Application.status.in_(applications.EDITABLE))
        .options(selectinload(Application.household).selectinload(Household.members))
        .order_by(Application.created_at.desc())).all()
    return render_template("intake/index.html", applications=drafts, title=_("窗口代办申请"))


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.street_caseworker)
def start():
    street = current_user.jurisdiction
    city = applications.city_of(street)
    form = forms.IntakeStartForm(data={"street_id": street.id})
    form.street_id.choices = street_choices(city.code, only=street)
    if form.validate_on_submit():
        owner = None
        if form.street_id.data != street.id:
            forms.apply_error(form, ApplicationError("street_id", "unknown_street"))
        elif form.username.data and (owner := intake_consent.redeem(
                form.username.data, form.consent_code.data or "", current_user)) is None:
            # An unknown username, no live code, a wrong one: one answer, so nothing is learnt about the account.
            db.session.commit()  # the count of wrong codes stays
            forms.apply_error(form, ApplicationError("username", "no_consent"))
        else:
            try:
                application, created = applications.start_draft(owner, form.programme.data, street, current_user,
                                                                 filed_by=current_user)
            except ApplicationError as error:
                db.session.rollback()
                forms.apply_error(form, error)
            else:
                db.session.commit()
                flash(_("已创建代办申请 %(ref)s。", ref=application.reference) if created
                      else _("该申请人已有同类申请草稿，继续填写。"), "success" if created else "info")
                return redirect(url_for("intake.tasks", application_id=application.id))
    return render_template("intake/start.html", form=form, title=_("代办新申请"))
