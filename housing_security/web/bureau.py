"""The housing bureau's dashboard and unit inventory for its city."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from ..models import Application, Building, Project, Role, Unit
from .access import allow, application_scope, city_code_of
from .labels import PROGRAMME_LABELS, UNIT_STATUS_LABELS

bp = Blueprint("bureau", __name__, url_prefix="/bureau")


def allocation_rates(city_code: str) -> list[dict]:
    """Plan §1(1), §4(1): allocated ÷ completed government-invested units, per programme."""
    rows = db.session.execute(
        select(Unit.programme, Unit.status, func.count())
        .join(Building).join(Project)
        .where(Project.city_code == city_code, Project.government_invested.is_(True))
        .group_by(Unit.programme, Unit.status)
    ).all()
    table: dict[str, dict] = {}
    for programme, status, count in rows:
        entry = table.setdefault(programme, {"programme": programme, "total": 0, "allocated": 0})
        entry["total"] += count
        if status in ("occupied", "offered"):
            entry["allocated"] += count
    for entry in table.values():
        entry["rate"] = entry["allocated"] / entry["total"] if entry["total"] else None
    return sorted(table.values(), key=lambda e: e["programme"])


@bp.route("/")
@allow(Role.bureau_officer)
def dashboard():
    scope = application_scope(current_user)
    by_status = dict(db.session.execute(
        select(Application.status, func.count()).where(scope).group_by(Application.status)).all())
    city_code = city_code_of(current_user)
    return render_template(
        "bureau/dashboard.html", by_status=by_status, rates=allocation_rates(city_code),
        title=_("概览"), today=date.today(),
    )


@bp.route("/units")
@allow(Role.bureau_officer)
def units():
    city_code = city_code_of(current_user)
    status = request.args.get("status", "")
    programme = request.args.get("programme", "")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    query = select(Unit).join(Building).join(Project).where(Project.city_code == city_code)
    if status in UNIT_STATUS_LABELS:
        query = query.where(Unit.status == status)
    if programme in PROGRAMME_LABELS:
        query = query.where(Unit.programme == programme)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page_size = current_app.config["PAGE_SIZE"]
    units = db.session.scalars(
        query.order_by(Project.code, Building.name, Unit.number).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return render_template("bureau/units.html", units=units, total=total, page=page, page_size=page_size,
                           filters={"status": status, "programme": programme}, title=_("房源"))
