"""Review use cases for staff: request information, recommend or approve, reject, re-run the engine,
reveal an ID number, and the applicant's request for review (复核) of a rejection and its decision.

Each function is one use case: it checks who may act, changes the case only through transitions.move
(event + audit + notification), and leaves the commit to the caller (the view or the CLI).
"""
from __future__ import annotations

from datetime import date
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Application, ApplicationEvent, InfoRequest, Member, Notification, Role, User
from . import audit, eligibility
from .calendar import review_due, workflow_value
from .transitions import TransitionError, move

REASON_MIN_LENGTH = 10
# A request for information or for review must at least name something (a document, a fact).
REQUEST_MIN_LENGTH = 4

# Which role acts at which review stage.
STAGE_ROLES = {
    "street_review": Role.street_caseworker,
    "district_review": Role.district_reviewer,
    "bureau_review": Role.bureau_officer,
}
# The stage a rejection is attributed to, by the status the case was rejected from.
REJECTED_AT = {
    "street_review": "street_review", "returned": "street_review", "district_review": "district_review",
    "bureau_review": "bureau_review", "publicity": "publicity",
}
STAGE_OWNER = {**STAGE_ROLES, "publicity": Role.street_caseworker}


class ReviewError(ValueError):
    """A refusal the officer should read (wrong stage for the role, same officer on an appeal, …)."""

    def __init__(self, message):
        super().__init__(message)  # kept lazy: rendered in the reader's language when shown
        self.message = message


def _today(today: Optional[date]) -> date:
    return today or date.today()


def require_stage(application: Application, actor: User) -> str:
    stage = application.status
    role = STAGE_ROLES.get(stage)
    if role is None:
        raise ReviewError(_l("此案件当前不在审核环节，无法办理此操作。"))
    if actor.role_enum is not role:
        raise ReviewError(_l("此案件当前不在您的审核环节。"))
    return stage


def _enter_stage(application: Application, stage: str, today: date) -> None:
    application.review_due_on = review_due(application.city_code, stage, today)


def request_info(application: Application, actor: User, message: str, today: Optional[date] = None) -> InfoRequest:
    """Return the case to the applicant with the exact list of what is missing (最多跑一次)."""
    stage = require_stage(application, actor)
    message = (message or "").strip()
    if len(message) < REQUEST_MIN_LENGTH:
        raise ReviewError(_l("请写明需要补充的材料。"))
    move(application, "returned", actor, "request_info", reason=message, stage=stage)
    request = InfoRequest(application_id=application.id, requested_by_id=actor.id, message=message)
    db.session.add(request)
    application.review_due_on = None
    owner_id = application.household.owner_id
    if owner_id is not None:
        db.session.add(Notification(user_id=owner_id, application_id=application.id, message_id="info_requested",
                                    params={"reference": application.reference, "message": message}))
    return request


def next_stage(application: Application, as_of: date) -> str:
    stage = application.status
    if stage == "street_review":
        enabled = workflow_value(application.city_code, "district_review_enabled", as_of)
        return "district_review" if enabled else "bureau_review"
    if stage == "district_review":
        return "bureau_review"
    if stage == "bureau_review":
        return "publicity"
    raise TransitionError(stage, "?")


def advance(application: Application, actor: User, note: str = "", today: Optional[date] = None) -> str:
    """Street and district recommend approval; the bureau approves, which starts publicity (公示)."""
    from . import registry_checks

    today = _today(today)
    stage = require_stage(application, actor)
    target = next_stage(application, today)
    # A mismatch with another department's registry that changes the decision blocks approval (plan §4(6)).
    registry_checks.require_no_open_tasks(application)
    facts = {"stage": stage, "engine_eligible": application.eligible, "pack_hash": application.pack_hash}
    if target == "publicity":
        start_publicity(application, actor, today, action="approve", reason=note, **facts)
    else:
        move(application, target, actor, f"{stage.split('_')[0]}_recommend", reason=note, **facts)
        _enter_stage(application, target, today)
        if target == "bureau_review":  # checked again before the bureau approves
            registry_checks.check_application(application, "approval", today, actor)
    return target


def start_publicity(application: Application, actor: User, today: date, action: str, reason: str = "", **facts):
    days = int(workflow_value(application.city_code, "publicity_days", today))
    move(application, "publicity", actor, action, reason=reason, publicity_days=days, **facts)
    application.approved_on = today
    application.publicity_until = date.fromordinal(today.toordinal() + days)
    application.review_due_on = None


def _check_reasons(reasons: str) -> str:
    reasons = (reasons or "").strip()
    if len(reasons) < REASON_MIN_LENGTH:
        raise ReviewError(_l("请写明不予通过的理由（至少 %(n)s 个字）。", n=REASON_MIN_LENGTH))
    return reasons


def reject(application: Application, actor: User, reasons: str, today: Optional[date] = None) -> None:
    """Recommend rejection (street, district) or reject (bureau), always with written reasons."""
    stage = require_stage(application, actor)
    reasons = _check_reasons(reasons)
    move(application, "rejected", actor, "reject", reason=reasons, stage=stage)
    application.review_due_on = None


def redecide(application: Application, actor: User, as_of: Optional[date] = None):
    """Re-run the eligibility engine as of today and keep the new decision on the case (audited)."""
    as_of = _today(as_of)
    before = application.eligible
    decision = eligibility.decide(application, as_of)
    audit.record("application.redecide", application, actor=actor, as_of=as_of, eligible_before=before,
                 eligible=decision.eligible, pack_hash=decision.pack_hash)
    return decision


def reveal_id_number(application: Application, member: Member, actor: User) -> str:
    """Show one member's full ID number to an officer; the look-up itself is audited."""
    if member.household_id != application.household_id:
        raise ReviewError(_l("该成员不属于此案件。"))
    audit.record("member.reveal_id_number", member, actor=actor, application_id=application.id,
                 reference=application.reference)
    return member.id_number


# ---- review of a rejection (复核) ----------------------------------------------------------------

def rejection_event(application: Application) -> Optional[ApplicationEvent]:
    return db.session.scalar(
        select(ApplicationEvent).where(ApplicationEvent.application_id == application.id,
                                       ApplicationEvent.to_status == "rejected")
        .order_by(ApplicationEvent.id.desc()).limit(1))


def request_appeal(application: Application, applicant: User, reason: str, today: Optional[date] = None) -> None:
    """The applicant asks for the rejection to be reviewed by another officer."""
    today = _today(today)
    reason = (reason or "").strip()
    if len(reason) < REQUEST_MIN_LENGTH:
        raise ReviewError(_l("请写明申请复核的理由。"))
    if application.status != "rejected":
        raise TransitionError(application.status, "appeal")
    if appeal_decided(application):
        raise ReviewError(_l("复核已办结，不能再次申请复核。"))
    rejected = rejection_event(application)
    move(application, "appeal", applicant, "request_appeal", reason=reason,
         rejected_by_id=getattr(rejected, "actor_id", None),
         rejected_at_stage=REJECTED_AT.get(getattr(rejected, "from_status", None) or "", "street_review"))
    application.review_due_on = review_due(application.city_code, "appeal", today)


def appeal_decided(application: Application) -> bool:
    """A rejection is reviewed once: after the review upheld it, the case stays rejected."""
    rejected = rejection_event(application)
    return rejected is not None and rejected.action == "appeal_uphold_rejection"


def appeal_stage(application: Application) -> str:
    rejected = rejection_event(application)
    return REJECTED_AT.get(getattr(rejected, "from_status", None) or "", "street_review")


def may_decide_appeal(application: Application, actor: User) -> bool:
    """The role of the stage that rejected, or the bureau; never the officer who made the rejection."""
    owner = STAGE_OWNER.get(appeal_stage(application))
    rejected = rejection_event(application)
    if rejected is not None and rejected.actor_id == actor.id:
        return False
    return actor.role_enum in (owner, Role.bureau_officer)


def decide_appeal(application: Application, actor: User, overturn: bool, reason: str,
                  today: Optional[date] = None) -> str:
    """Uphold the rejection, or overturn it: back to the stage it was rejected at (the bureau's overturn
    approves, which starts publicity). Never decided by the officer who rejected."""
    today = _today(today)
    if application.status != "appeal":
        raise TransitionError(application.status, "rejected")
    reason = _check_reasons(reason)
    rejected = rejection_event(application)
    if rejected is not None and rejected.actor_id == actor.id:
        raise ReviewError(_l("复核须由作出不予通过决定以外的工作人员办理。"))
    if not may_decide_appeal(application, actor):
        raise ReviewError(_l("此复核不在您的办理范围内。"))
    stage = appeal_stage(application)
    facts = {"rejected_by_id": getattr(rejected, "actor_id", None), "rejected_at_stage": stage}
    if not overturn:
        move(application, "rejected", actor, "appeal_uphold_rejection", reason=reason, **facts)
        application.review_due_on = None
        return "rejected"
    if actor.role_enum is Role.bureau_officer or stage == "publicity":
        start_publicity(application, actor, today, action="appeal_overturn", reason=reason, **facts)
        return "publicity"
    move(application, stage, actor, "appeal_overturn", reason=reason, **facts)
    _enter_stage(application, stage, today)
    return stage
