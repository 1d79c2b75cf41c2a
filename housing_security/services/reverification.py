"""Re-verification (年审 / 动态核查) and exit (退出): yearly re-check of waiting, housed and subsidised
households; those no longer eligible enter the exit buffer (退出缓冲期) and leave when it ends.
Also the bureau's early warning for the six-month coverage commitment (plan §12.1)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, or_, select

from ..extensions import db
from ..models import Application, RentSubsidy, Tenancy, UnitStatus, User
from . import audit, eligibility, registry_checks, unit_status
from .calendar import add_months, end_of_month, workflow_value
from .parameters import effective_pack
from .review import ReviewError
from .transitions import move

REVERIFIED_STATUSES = ("housed", "waitlist", "subsidised")
NOT_COVERED_STATUSES = ("publicity", "waitlist", "offered", "suspended")


def _iso(day: Optional[date]) -> Optional[str]:
    return day.isoformat() if day else None


def _interval(application: Application, as_of: date) -> int:
    return int(workflow_value(application.city_code, "reverification_interval_months", as_of))


def due_query(as_of: date, city_code: Optional[str] = None):
    """Cases due for re-verification on `as_of`, and exiting cases whose buffer has run out."""
    cities = [city_code] if city_code else db.session.scalars(select(Application.city_code).distinct()).all()
    # Cases never re-verified fall due one interval after approval; the interval is each city's parameter.
    never_reverified = or_(false(), *(
        and_(Application.city_code == city,
             Application.approved_on <= add_months(as_of, -int(workflow_value(city, "reverification_interval_months",
                                                                              as_of))))
        for city in cities))
    due = or_(
        and_(Application.status.in_(REVERIFIED_STATUSES), or_(
            Application.next_reverification_on <= as_of,
            and_(Application.next_reverification_on.is_(None), never_reverified))),
        and_(Application.status == "exiting", Application.exit_buffer_until < as_of),
    )
    query = select(Application).where(due)
    if city_code:
        query = query.where(Application.city_code == city_code)
    return query


def reverify(application: Application, as_of: date, actor: Optional[User]) -> str:
    """Re-run the engine; returns the resulting status. Exiting cases past their buffer exit."""
    if application.status == "exiting":
        return complete_exit(application, as_of, actor)
    if application.status not in REVERIFIED_STATUSES:
        raise ReviewError(_l("只有轮候、已入住或领取租赁补贴的家庭需要年审。"))
    # Checked against the newest registry snapshots first (plan §4(6)); a mismatch that changes the decision
    # holds the renewal until the caseworker resolves it (the task is kept, so no exception here).
    registry_checks.check_application(application, "reverification", as_of, actor)
    if registry_checks.open_tasks(application):
        return "held"
    decision = eligibility.decide(application, as_of)
    failed = [r.code for r in decision.rules if not r.passed]
    if decision.eligible:
        next_on = add_months(as_of, _interval(application, as_of))
        move(application, application.status, actor, "reverified", notify=False, as_of=_iso(as_of),
             next_reverification_on=_iso(next_on), pack_hash=decision.pack_hash)
        application.next_reverification_on = next_on
        if application.status == "housed":  # renewal on re-verification (住建部令第11号 (2012): 续租)
            from .rent_roll import renew_if_due

            renew_if_due(application, as_of, actor)
        return application.status
    months = int(workflow_value(application.city_code, "exit_buffer_months", as_of))
    buffer_until = add_months(as_of, months)
    move(application, "exiting", actor, "reverification_failed", reason=", ".join(failed), as_of=_iso(as_of),
         failed_rules=failed, exit_buffer_until=_iso(buffer_until), pack_hash=decision.pack_hash)
    application.exit_buffer_until = buffer_until
    application.next_reverification_on = None
    for subsidy in _active_subsidies(application):
        # A change in income or household stops the subsidy from the next month (DOMAIN workflow).
        subsidy.end_on = end_of_month(as_of)
        subsidy.status = "stopped"
        audit.record("rent_subsidy.stop", subsidy, actor=actor, application_id=application.id,
                     end_on=subsidy.end_on)
    return "exiting"


def complete_exit(application: Application, as_of: date, actor: Optional[User]) -> str:
    if application.status != "exiting":
        raise ReviewError(_l("该案件不在退出缓冲期。"))
    if application.exit_buffer_until and application.exit_buffer_until >= as_of:
        raise ReviewError(_l("退出缓冲期至 %(day)s 结束。", day=application.exit_buffer_until.isoformat()))
    move(application, "exited", actor, "exit", as_of=_iso(as_of),
         exit_buffer_until=_iso(application.exit_buffer_until))
    for tenancy in db.session.scalars(select(Tenancy).where(Tenancy.application_id == application.id,
                                                            Tenancy.status == "active")):
        tenancy.status = "ended"
        if as_of > tenancy.start_on:
            tenancy.end_on = as_of
        if tenancy.unit is not None:
            unit_status.change_unit_status(tenancy.unit, UnitStatus.vacant, actor, on=as_of, tenancy=tenancy.id,
                                           cause="exit")
        audit.record("tenancy.end", tenancy, actor=actor, application_id=application.id, unit_id=tenancy.unit_id)
    for subsidy in db.session.scalars(select(RentSubsidy).where(RentSubsidy.application_id == application.id,
                                                                RentSubsidy.status.in_(("active", "stopped")))):
        subsidy.status = "ended"
        audit.record("rent_subsidy.end", subsidy, actor=actor, application_id=application.id, end_on=subsidy.end_on)
    return "exited"


def _active_subsidies(application: Application) -> Iterable[RentSubsidy]:
    return db.session.scalars(select(RentSubsidy).where(RentSubsidy.application_id == application.id,
                                                        RentSubsidy.status == "active")).all()


def reverify_many(applications: Iterable[Application], as_of: date, actor: Optional[User],
                  commit: bool = True) -> dict:
    """Bulk re-verification; each case is its own transaction so one refusal does not undo the others."""
    counts = {"renewed": 0, "exiting": 0, "exited": 0, "skipped": 0, "held": 0}
    for application in applications:
        try:
            result = reverify(application, as_of, actor)
        except ReviewError:
            counts["skipped"] += 1
            if commit:
                db.session.rollback()
            continue
        counts[result if result in ("exiting", "exited", "held") else "renewed"] += 1
        if commit:
            db.session.commit()
    return counts


def reverify_due(as_of: Optional[date] = None, city_code: Optional[str] = None, actor: Optional[User] = None,
                 commit: bool = True) -> dict:
    """For the CLI / daily job: re-verify every due case and complete every exit whose buffer ended."""
    as_of = as_of or date.today()
    applications = db.session.scalars(due_query(as_of, city_code).order_by(Application.id)).all()
    return reverify_many(applications, as_of, actor, commit=commit)


def early_warning(city_code: str, as_of: Optional[date] = None, within_days: Optional[int] = None) -> list[dict]:
    """Commitment households (plan §12.1) not yet housed or subsidised whose deadline falls within
    `within_days` (the city's `workflow.early_warning_days` by default) or has passed, soonest first."""
    as_of = as_of or date.today()
    if within_days is None:
        within_days = int(workflow_value(city_code, "early_warning_days", as_of))
    months = int(effective_pack(city_code).value("public_rental.commitment_months", as_of))
    horizon = as_of + timedelta(days=within_days)
    rows = db.session.scalars(select(Application).where(
        Application.city_code == city_code, Application.commitment.is_(True),
        Application.status.in_(NOT_COVERED_STATUSES), Application.approved_on.is_not(None),
        Application.approved_on <= add_months(horizon, -months),
    )).all()
    items = []
    for application in rows:
        deadline = add_months(application.approved_on, months)
        if deadline <= horizon:
            items.append({"application": application, "deadline": deadline, "days_left": (deadline - as_of).days})
    return sorted(items, key=lambda item: (item["deadline"], item["application"].id))
