"""The public publicity (公示) page: approved cases, with names and ID numbers masked, and the
objection form anyone may use (no sign-in; rate-limited)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db, limiter
from ..models import Application, Household
from ..services import publicity as publicity_service
from ..services.review import ReviewError
from .access import public
from .case_forms import ObjectionForm
from .idempotency import claim, idempotent
from .paging import paginate

bp = Blueprint("publicity", __name__, url_prefix="/publicity")


@bp.route("/")
@public
def index():
    city = request.args.get("city", "taiyuan")[:32]
    query = (
        select(Application).where(Application.status == "publicity", Application.city_code == city)
        .options(selectinload(Application.household).selectinload(Household.members),
                 joinedload(Application.street))
        .order_by(Application.publicity_until, Application.reference)
    )
    applications, total, page, page_size = paginate(query)
    return render_template("publicity/index.html", applications=applications, today=date.today(),
                           city=city, total=total, page=page, page_size=page_size, title=_("公示"))


def _in_publicity(reference: str) -> Application:
    application = db.session.scalar(select(Application).where(Application.reference == reference[:32],
                                                              Application.status == "publicity"))
    if application is None:
        abort(404)  # only cases in publicity are public
    return application


@bp.route("/<reference>/objection", methods=["GET", "POST"])
@public
@limiter.limit("5 per hour", methods=["POST"])
@idempotent("publicity.index")
def objection(reference: str):
    application = _in_publicity(reference)
    form = ObjectionForm()
    if form.validate_on_submit():
        try:
            claim()
            publicity_service.lodge_objection(application, form.content.data, form.name.data or "",
                                              form.contact.data or "",
                                              lodged_by=current_user if current_user.is_authenticated else None)
            db.session.commit()
        except ReviewError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for("publicity.index", city=application.city_code))
        flash(_("异议已收到，街道经办人将核查处理。感谢您的监督。"), "success")
        return redirect(url_for("publicity.index", city=application.city_code))
    return render_template("publicity/objection.html", application=application, form=form,
                           title=_("对公示提出异议")), (400 if form.errors else 200)
