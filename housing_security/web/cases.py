"""Staff case lists and case views, each limited to the officer's own jurisdiction."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import Application, Household, Member
from .access import STAFF, allow, application_or_404, application_scope
from .labels import PROGRAMME_LABELS, STATUS_LABELS

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.route("/")
@allow(*STAFF)
def inbox():
    status = request.args.get("status", "")
    programme = request.args.get("programme", "")
    text = request.args.get("q", "").strip()[:64]
    page = request.args.get("page", 1, type=int) or 1
    query = select(Application).where(application_scope(current_user), Application.status != "draft")
    if status in STATUS_LABELS:
        query = query.where(Application.status == status)
    if programme in PROGRAMME_LABELS:
        query = query.where(Application.programme == programme)
    if text:
        like = f"%{text}%"
        query = query.where(or_(
            Application.reference.ilike(like),
            Application.household_id.in_(select(Member.household_id).where(
                or_(Member.name.ilike(like), Member.id_number == text)))))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page_size = current_app.config["PAGE_SIZE"]
    page = max(1, min(page, max(1, -(-total // page_size))))
    applications = db.session.scalars(
        query.order_by(Application.review_due_on.is_(None), Application.review_due_on, Application.id)
        .offset((page - 1) * page_size).limit(page_size)
    ).all()
    return render_template(
        "cases/inbox.html", applications=applications, total=total, page=page, page_size=page_size,
        filters={"status": status, "programme": programme, "q": text}, today=date.today(),
        title=_("案件"),
    )


@bp.route("/<int:application_id>")
@allow(*STAFF)
def detail(application_id: int):
    application = application_or_404(application_id)
    household: Household = application.household
    return render_template("cases/detail.html", application=application, household=household,
                           title=_("案件 %(ref)s", ref=application.reference))
