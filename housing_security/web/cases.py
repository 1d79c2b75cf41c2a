"""Staff case lists and case views, each limited to the officer's own jurisdiction.

The inbox is a dense, filterable, sortable table with counts per status, review deadlines in working
days, open objections as tasks, and a CSV export of exactly the filtered rows. POST actions on a case
live in case_actions.py; this module renders.
"""
from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from .. import policy
from ..extensions import begin_write, db
from ..models import Application, Household, Member, Objection, RegistryCheck, Role
from ..services import audit, registry_checks
from ..services.calendar import WorkingCalendar
from ..services.duplicates import find_duplicates
from ..services.reverification import REVERIFIED_STATUSES
from ..services.review import STAGE_ROLES, may_decide_appeal
from . import case_forms as forms
from .access import STAFF, allow, application_or_404, application_scope, city_code_of
from .exports import csv_response
from .i18n import current_language, mask_id
from .labels import PROGRAMME_LABELS, STATUS_LABELS, label
from .paging import paginate

bp = Blueprint("cases", __name__, url_prefix="/cases")

REVIEW_STATUSES = ("street_review", "district_review", "bureau_review", "appeal")
SORTS = {
    "due": (Application.review_due_on.is_(None), Application.review_due_on),
    "reference": (Application.reference,),
    "status": (Application.status,),
    "submitted": (Application.submitted_at,),
}
# What every row of the inbox and its export shows (main applicant, street), read with the rows.
ROW_LOADS = (selectinload(Application.household).selectinload(Household.members), joinedload(Application.street))


ID_NUMBER_LIKE = re.compile(r"\d{15}|\d{17}[\dXx]")
ID_SEARCH_KEY = "inbox_id_search"


def _filters(source=None) -> dict:
    """The inbox filters from the query string. A search for an ID number never travels in a URL (URLs end up
    in access logs and browser history): the search form posts it, it is kept in the signed session, and the
    URL only says `idq=1`."""
    args = request.args if source is None else source
    q = args.get("q", "").strip()[:64]
    if source is None and args.get("idq") == "1":
        q = session.get(ID_SEARCH_KEY, "")
    sort = args.get("sort", "due")
    return {
        "status": args.get("status", ""),
        "programme": args.get("programme", ""),
        "q": q,
        "due": args.get("due", ""),
        "objections": args.get("objections", ""),
        "sort": sort if sort in SORTS else "due",
        "dir": "desc" if args.get("dir") == "desc" else "asc",
    }


def link_filters(filters: dict) -> dict:
    """The filters as they may appear in a link: an ID number is replaced by `idq=1`."""
    links = {key: value for key, value in filters.items() if value}
    if ID_NUMBER_LIKE.fullmatch(filters.get("q") or ""):
        links.pop("q")
        links["idq"] = "1"
    return links


def audit_filters(filters: dict) -> dict:
    return {**filters, "q": mask_id(filters["q"])} if ID_NUMBER_LIKE.fullmatch(filters.get("q") or "") else filters


def _open_objection_ids():
    return select(Objection.application_id).where(Objection.status == "open")


def filtered_query(filters: dict, today: date):
    query = select(Application).where(application_scope(current_user), Application.status != "draft")
    if filters["status"] in STATUS_LABELS:
        query = query.where(Application.status == filters["status"])
    if filters["programme"] in PROGRAMME_LABELS:
        query = query.where(Application.programme == filters["programme"])
    if filters["q"]:
        text, like = filters["q"], f"%{filters['q']}%"
        query = query.where(or_(
            Application.reference.ilike(like),
            Application.household_id.in_(select(Member.household_id).where(
                or_(Member.name.ilike(like), Member.id_number == text)))))
    if filters["due"] in ("overdue", "soon"):
        query = query.where(Application.status.in_(REVIEW_STATUSES), Application.review_due_on.is_not(None))
        limit = today if filters["due"] == "overdue" else date.fromordinal(today.toordinal() + 3)
        query = query.where(Application.review_due_on < limit) if filters["due"] == "overdue" else \
            query.where(Application.review_due_on >= today, Application.review_due_on <= limit)
    if filters["objections"] == "open":
        query = query.where(Application.id.in_(_open_objection_ids()))
    order = SORTS[filters["sort"]]
    if filters["dir"] == "desc":
        order = tuple(column.desc() for column in order)
    return query.order_by(*order, Application.id)


def sla_days(applications, today: date) -> dict[int, int]:
    """Working days left of each case's review period (negative: overdue)."""
    calendars: dict[str, WorkingCalendar] = {}
    left = {}
    for a in applications:
        if a.review_due_on and a.status in REVIEW_STATUSES:
            if a.city_code not in calendars:
                calendars[a.city_code] = WorkingCalendar.for_city(a.city_code, today)
            calendar = calendars[a.city_code]
            left[a.id] = calendar.working_days_between(today, a.review_due_on)
    return left


def objection_counts(ids) -> dict[int, int]:
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Objection.application_id, func.count()).where(Objection.status == "open",
                                                             Objection.application_id.in_(ids))
        .group_by(Objection.application_id)).all())


@bp.route("/", methods=["GET", "POST"])
@allow(*STAFF)
def inbox():
    if request.method == "POST":  # the filter form posts (CSRF-checked), then the page is fetched again
        filters = _filters(request.form)
        if ID_NUMBER_LIKE.fullmatch(filters["q"]):
            session[ID_SEARCH_KEY] = filters["q"]
        return redirect(url_for("cases.inbox", **link_filters(filters)), 303)
    filters, today = _filters(), date.today()
    query = filtered_query(filters, today).options(*ROW_LOADS)
    applications, total, page, page_size = paginate(query)
    scope = application_scope(current_user)
    counts = dict(db.session.execute(
        select(Application.status, func.count()).where(scope, Application.status != "draft")
        .group_by(Application.status)).all())
    overdue = db.session.scalar(select(func.count()).select_from(Application).where(
        scope, Application.status.in_(REVIEW_STATUSES), Application.review_due_on < today))
    open_objections = db.session.scalars(
        select(Objection).join(Application).where(scope, Objection.status == "open").order_by(Objection.id)).all()
    registry_tasks = db.session.scalars(
        select(RegistryCheck).join(Application).where(scope, RegistryCheck.blocking.is_(True),
                                                      RegistryCheck.resolved_at.is_(None))
        .options(joinedload(RegistryCheck.application)).order_by(RegistryCheck.id).limit(200)).all()
    return render_template(
        "cases/inbox.html", applications=applications, total=total, page=page, page_size=page_size,
        registry_tasks=registry_tasks, registry_kind_label=registry_checks.kind_label,
        filters=filters, links=link_filters(filters), today=today, counts=counts, overdue=overdue,
        open_objections=open_objections,
        sla=sla_days(applications, today), objections=objection_counts([a.id for a in applications]),
        my_stage=[s for s, role in STAGE_ROLES.items() if role is current_user.role_enum],
        title=_("案件"),
    )


CSV_HEADER = (_l("编号"), _l("申请人"), _l("身份证号"), _l("保障类别"), _l("街道"), _l("状态"), _l("提交日期"),
              _l("审核期限"), _l("剩余工作日"), _l("未处理异议"))


@bp.route("/export.csv")
@allow(*STAFF)
def export_csv():
    """The filtered table (all pages) as CSV; ID numbers masked; the export itself is audited."""
    filters, today = _filters(), date.today()
    applications = db.session.scalars(filtered_query(filters, today).options(*ROW_LOADS)).all()
    sla = sla_days(applications, today)
    objections = objection_counts([a.id for a in applications])
    lang = current_language()
    rows = []
    for a in applications:
        main = a.household.main_applicant
        rows.append([
            a.reference, main.name if main else "", mask_id(main.id_number) if main else "",
            label(PROGRAMME_LABELS, a.programme), a.street.name(lang), label(STATUS_LABELS, a.status),
            a.submitted_at.date().isoformat() if a.submitted_at else "",
            a.review_due_on.isoformat() if a.review_due_on else "", sla.get(a.id, ""), objections.get(a.id, 0),
        ])
    begin_write()
    audit.record("cases.export", None, actor=current_user, filters=audit_filters(filters), rows=len(applications))
    db.session.commit()
    return csv_response([str(h) for h in CSV_HEADER], rows, f"cases-{today.isoformat()}.csv")


def decision_rows(application: Application) -> list[dict]:
    """The engine's stored decision, rule by rule, rendered in the reader's language."""
    lang = "en" if current_language() == "en" else "zh"
    rows = []
    for rule in (application.decision or {}).get("rules", []):
        shaped = SimpleNamespace(
            code=rule.get("code"), inputs=rule.get("inputs") or {}, message_id=rule.get("message_id"),
            parameters=[SimpleNamespace(name=p.get("name", ""), value=p.get("value"))
                        for p in rule.get("parameters") or []])
        try:
            text = policy.render_rule(shaped, lang)
        except Exception:  # an old decision whose message no longer renders still shows its code
            text = rule.get("message_id") or rule.get("code")
        rows.append({"code": rule.get("code"), "passed": rule.get("passed"), "text": text,
                     "citation": rule.get("citation", "")})
    return rows


def available_actions(application: Application) -> dict:
    role, status = current_user.role_enum, application.status
    return {
        "stage": STAGE_ROLES.get(status) is role,
        "appeal": status == "appeal" and may_decide_appeal(application, current_user),
        "objections": role is Role.street_caseworker and status == "publicity",
        "end_publicity": role is Role.bureau_officer and status == "publicity",
        "reverify": role is Role.bureau_officer and status in (*REVERIFIED_STATUSES, "exiting"),
    }


def render_detail(application: Application, status: int = 200, revealed: dict | None = None, **form_overrides):
    household: Household = application.household
    forms_ = {
        "info": forms.InfoRequestForm(prefix="info", formdata=None),
        "advance": forms.AdvanceForm(prefix="advance", formdata=None),
        "reject": forms.RejectForm(prefix="reject", formdata=None),
        "appeal": forms.AppealDecisionForm(prefix="appeal", formdata=None),
        "confirm": forms.ConfirmForm(formdata=None),
    }
    forms_.update(form_overrides)
    objection_forms = {o.id: form_overrides.get(f"objection_{o.id}")
                       or forms.ResolveObjectionForm(prefix=f"objection-{o.id}", formdata=None)
                       for o in application.objections if o.status == "open"}
    checks = registry_checks.checks_of(application)
    registry_forms = {c.id: form_overrides.get(f"registry_{c.id}")
                      or forms.RegistryResolutionForm(prefix=f"registry-{c.id}", formdata=None)
                      for c in checks if c.open_task}
    return render_template(
        "cases/detail.html", application=application, household=household, rules=decision_rows(application),
        duplicates=find_duplicates(application, application_scope(current_user)), forms=forms_,
        objection_forms=objection_forms, actions=available_actions(application), revealed=revealed or {},
        registry=registry_view(application, checks), registry_forms=registry_forms,
        objections_all_form=form_overrides.get("objections_all")
        or forms.ResolveObjectionForm(prefix="objections-all", formdata=None),
        documents=[d for d in household.documents if not d.superseded], download_endpoint="applicant.document",
        today=date.today(), city=city_code_of(current_user),
        title=_("案件 %(ref)s", ref=application.reference),
    ), status


def registry_view(application: Application, checks) -> dict:
    """The registry checks of a case, grouped by member, each with both sides described in the reader's language."""
    members = {m.id: m for m in application.household.members}
    rows = [{"check": c, "member": members.get(c.member_id), "kind": registry_checks.kind_label(c.kind),
             "declared": registry_checks.describe(c.kind, c.declared),
             "registry": registry_checks.describe(c.kind, c.registry) if c.outcome in ("match", "mismatch") else "—",
             "outcome": str(registry_checks.OUTCOME_LABELS[c.outcome]),
             "resolution": str(registry_checks.RESOLUTION_LABELS.get(c.resolution, ""))}
            for c in checks]
    return {"rows": rows, "open": sum(1 for c in checks if c.open_task),
            "mismatches": sum(1 for c in checks if c.outcome == "mismatch")}


@bp.route("/<int:application_id>")
@allow(*STAFF)
def detail(application_id: int):
    return render_detail(application_or_404(application_id))


from . import (  # noqa: E402  (the actions module registers its routes on this blueprint)
    case_actions,  # noqa: F401
)
