"""The applicant's own pages: their applications and the status of each."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Application, Notification, Role
from .access import allow, application_or_404, application_scope

bp = Blueprint("applicant", __name__, url_prefix="/me")


@bp.route("/")
@allow(Role.applicant)
def home():
    applications = db.session.scalars(
        select(Application).where(application_scope(current_user)).order_by(Application.created_at.desc())
    ).all()
    notifications = db.session.scalars(
        select(Notification).where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc()).limit(10)
    ).all()
    return render_template("applicant/home.html", applications=applications, notifications=notifications,
                           title=_("我的申请"))


@bp.route("/applications/<int:application_id>")
@allow(Role.applicant)
def status(application_id: int):
    application = application_or_404(application_id)
    return render_template("applicant/status.html", application=application,
                           title=_("申请进度 %(ref)s", ref=application.reference))
