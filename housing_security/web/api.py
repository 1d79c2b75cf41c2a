"""The read-only JSON API for the provincial platform and the 政务服务 app (plan §4(6): 加强部门之间互联互通).

Every endpoint but the OpenAPI document needs `Authorization: Bearer <token>` of an active client; the client's
city bounds everything it can see, its scopes bound what it may ask. Anything outside them answers 404 (a case
of another city, a reference with a different ID number) or 403 (a scope the client lacks). Requests are rate
limited per client (`API_RATE_LIMIT`). The applicant's ID number travels in the POST body only, never in a URL.
The routes are `@public` for the session-based access rules; the token check is the view's first step.
"""
from __future__ import annotations

import functools
from datetime import date, timedelta

from flask import Blueprint, abort, current_app, g, jsonify, request
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import begin_write, csrf, db, limiter
from ..models import ApiClient, Application, Household
from ..models._types import utcnow
from ..policy.idnumber import normalise_id_number
from ..services import api_clients, audit
from .access import public
from .api_openapi import openapi_document
from .i18n import mask_name
from .labels import PROGRAMME_LABELS, STATUS_LABELS

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

PUBLICITY_PAGE_SIZE = 100
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _error(status: int, code: str):
    return jsonify({"error": code, "status": status}), status


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else ""


def _rate_key() -> str:
    token = _bearer()
    return "api:" + (api_clients.token_hash(token)[:32] if token else (request.remote_addr or "?"))


def _rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "120 per minute")


def api_view(scope: str):
    """Token check (401), scope check (403), rate limit (429), then the view with g.api_client."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            client = api_clients.authenticate(_bearer())
            if client is None:
                return _error(401, "invalid_token")
            if scope not in (client.scopes or []):
                return _error(403, "scope_missing")
            if client.last_used_at is None or utcnow() - client.last_used_at > LAST_USED_RESOLUTION:
                client_id = client.id
                begin_write()
                client = db.session.get(ApiClient, client_id)
                client.last_used_at = utcnow()
                db.session.commit()
            g.api_client = client
            return view(*args, **kwargs)

        return public(limiter.limit(_rate_limit, key_func=_rate_key)(wrapper))

    return decorate


def _labels(table: dict, code: str) -> dict:
    out = {}
    for lang in ("zh", "en"):
        with force_locale(lang):
            out[lang] = str(table.get(code, code))
    return out


def _iso(day) -> str | None:
    return day.isoformat() if day else None


@bp.route("/openapi.json")
@public
def openapi():
    return jsonify(openapi_document())


@bp.route("/case-status", methods=["POST"])
@api_view("case_status")
def case_status():
    """What the applicant's own status page shows, for a reference plus the main applicant's ID number."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("reference"), str) \
            or not isinstance(body.get("id_number"), str):
        return _error(400, "reference_and_id_number_required")
    reference = body["reference"].strip()[:32]
    id_number = normalise_id_number(body["id_number"].strip()[:32])
    application = db.session.scalar(
        select(Application).where(Application.reference == reference, Application.status != "draft",
                                  Application.city_code == g.api_client.city_code)
        .options(selectinload(Application.household).selectinload(Household.members)))
    main = application.household.main_applicant if application is not None else None
    if main is None or main.id_number != id_number:
        abort(404)
    audit.record("api.case_status", application, actor=None, client_id=g.api_client.id, reference=reference)
    db.session.commit()
    return jsonify({
        "reference": application.reference,
        "programme": application.programme,
        "programme_label": _labels(PROGRAMME_LABELS, application.programme),
        "status": application.status,
        "status_label": _labels(STATUS_LABELS, application.status),
        "submitted_on": _iso(application.submitted_at.date() if application.submitted_at else None),
        "review_due_on": _iso(application.review_due_on),
        "publicity_until": _iso(application.publicity_until),
        "waitlist_since": _iso(application.waitlist_since),
        "queue_rank": application.queue_rank,
        "next_reverification_on": _iso(application.next_reverification_on),
        "exit_buffer_until": _iso(application.exit_buffer_until),
        "history": [{"status": e.to_status, "on": e.at.date().isoformat()} for e in application.events],
    })


@bp.route("/indicators")
@api_view("indicators")
def indicators():
    """The city's figures of the plan: allocation rate per programme (plan §4(1)) and cases by status."""
    from .bureau import allocation_rates

    city = g.api_client.city_code
    by_status = dict(db.session.execute(
        select(Application.status, func.count()).where(Application.city_code == city,
                                                       Application.status != "draft")
        .group_by(Application.status)).all())
    rates = [{"programme": r["programme"], "units": r["total"], "allocated": r["allocated"],
              "rate": None if r["rate"] is None else round(r["rate"], 4),
              "target": None if r["target"] is None else float(r["target"])} for r in allocation_rates(city)]
    return jsonify({"city": city, "as_of": date.today().isoformat(), "allocation_rates": rates,
                    "cases_by_status": {k: int(v) for k, v in sorted(by_status.items())}})


@bp.route("/publicity")
@api_view("publicity")
def publicity():
    """The public 公示 list of the client's city, as the public page shows it (names masked)."""
    city = g.api_client.city_code
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        return _error(400, "bad_page")
    query = select(Application).where(Application.status == "publicity", Application.city_code == city)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.options(selectinload(Application.household).selectinload(Household.members),
                      joinedload(Application.street))
        .order_by(Application.publicity_until, Application.reference)
        .offset((page - 1) * PUBLICITY_PAGE_SIZE).limit(PUBLICITY_PAGE_SIZE)).all()
    items = []
    for a in rows:
        main = a.household.main_applicant
        items.append({"reference": a.reference, "applicant": mask_name(main.name) if main else "",
                      "household_size": len(a.household.members), "programme": a.programme,
                      "street": {"zh": a.street.name_zh, "en": a.street.name_en},
                      "approved_on": _iso(a.approved_on), "publicity_until": _iso(a.publicity_until)})
    return jsonify({"city": city, "page": page, "page_size": PUBLICITY_PAGE_SIZE, "total": int(total or 0),
                    "items": items})
