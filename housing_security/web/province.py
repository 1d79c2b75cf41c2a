"""The province view: the cities side by side with the bureau's indicators, and units raised and supplied per
programme and year 2021–2025 against the plan's targets (plan §2(3)). Administrators see the cities inside their
own jurisdiction (the province administrator all of them, a city administrator their city)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import policy
from ..extensions import db
from ..models import Jurisdiction, Role
from ..services import indicators, reports
from .access import allow, jurisdictions_within
from .i18n import current_language
from .insight import province_charts

bp = Blueprint("province", __name__, url_prefix="/province")


def cities_in_scope() -> list[str]:
    """City codes (with a parameter pack) the administrator oversees, in the plan's order: every city for the
    province's administrator (cities not yet on the system show empty figures), otherwise the cities inside the
    administrator's jurisdiction."""
    jurisdiction = current_user.jurisdiction
    if jurisdiction is None:
        return []
    if jurisdiction.kind == "province":
        return list(policy.list_cities())
    found = set(db.session.scalars(select(Jurisdiction.code).where(
        Jurisdiction.kind == "city", Jurisdiction.id.in_(jurisdictions_within(jurisdiction)))))
    return [code for code in policy.list_cities() if code in found]


@bp.route("/")
@allow(Role.administrator)
def overview():
    today = date.today()
    cities = cities_in_scope()
    summary = indicators.city_summary(cities, today)
    names = reports.city_names(cities, current_language())
    return render_template("province/overview.html", summary=summary, names=names, today=today,
                           years=indicators.PLAN_YEARS, programmes=indicators.TARGET_PROGRAMMES,
                           charts=province_charts(summary, names), title=_("各市指标与规划目标"))
