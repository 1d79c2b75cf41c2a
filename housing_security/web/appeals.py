"""The applicant's request for review (复核) of a rejection. Staff decide it on the case view."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..models import Role
from ..services import review
from ..services.transitions import TransitionError
from .access import allow, application_or_404
from .case_actions import refusal_message
from .case_forms import AppealRequestForm

bp = Blueprint("appeals", __name__, url_prefix="/me/applications")


@bp.route("/<int:application_id>/appeal", methods=["GET", "POST"])
@allow(Role.applicant)
def request_appeal(application_id: int):
    application = application_or_404(application_id)
    form = AppealRequestForm()
    if form.validate_on_submit():
        try:
            review.request_appeal(application, current_user, form.reason.data)
            db.session.commit()
        except (review.ReviewError, TransitionError) as error:
            db.session.rollback()
            flash(refusal_message(error), "error")
            return redirect(url_for("applicant.status", application_id=application.id))
        flash(_("复核申请已提交，将由原审核人以外的工作人员办理。"), "success")
        return redirect(url_for("applicant.status", application_id=application.id))
    rejection = review.rejection_event(application)
    return render_template("appeals/request.html", application=application, form=form, rejection=rejection,
                           title=_("申请复核 %(ref)s", ref=application.reference)), (400 if form.errors else 200)
