"""The public publicity (公示) page: approved cases, with names and ID numbers masked."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Application
from .access import public

bp = Blueprint("publicity", __name__, url_prefix="/publicity")


@bp.route("/")
@public
def index():
    city = request.args.get("city", "taiyuan")[:32]
    applications = db.session.scalars(
        select(Application).where(Application.status == "publicity", Application.city_code == city)
        .order_by(Application.publicity_until, Application.reference)
    ).all()
    return render_template("publicity/index.html", applications=applications, today=date.today(),
                           city=city, title=_("公示"))
