"""Submitting an application (once per submission token) and answering a request for more information."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Application, InfoRequest, User
from ..models._types import utcnow
from . import duplicates, eligibility, registry_checks, transitions
from .applications import ApplicationError, live_documents, precheck, ready_to_submit
from .calendar import review_due


@dataclass
class Submitted:
    application: Application
    repeated: bool  # the same form was posted again: nothing new happened


def submitted_with(token: str) -> Optional[Application]:
    return db.session.scalar(select(Application).where(Application.submission_token == token)) if token else None


def submit(application: Application, actor: User, token: str, acknowledged: bool, today: Optional[date] = None,
           now: Optional[datetime] = None) -> Submitted:
    """draft → street_review, once per submission token; an ineligible case needs `acknowledged`."""
    earlier = submitted_with(token)
    if earlier is not None:
        if earlier.id != application.id:
            raise ApplicationError("token", "token_reused")
        return Submitted(earlier, True)
    if application.status != "draft":
        raise ApplicationError("status", "not_draft")
    if not ready_to_submit(application):
        raise ApplicationError("status", "incomplete")
    member = duplicates.active_in_same_programme(application)
    if member is not None:
        raise ApplicationError("status", "already_active", name=member)
    today = today or date.today()
    decision = precheck(application, today)
    if decision is None:
        raise ApplicationError("status", "incomplete")
    if not decision.eligible and not acknowledged:
        raise ApplicationError("acknowledge", "acknowledge_required")
    registry_checks.take_talent_categories(application, today, actor)
    eligibility.decide(application, today)
    registry_checks.check_application(application, "submission", today, actor)
    application.submission_token = token
    application.submitted_at = now or utcnow()
    application.review_due_on = review_due(application.city_code, "street_review", today)
    for document in live_documents(application.household):
        document.application_id = application.id
    transitions.move(application, "street_review", actor, "submit",
                     filed_by=application.filed_by_id, eligible=decision.eligible,
                     acknowledged_ineligible=bool(acknowledged and not decision.eligible))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        again = submitted_with(token)
        if again is not None:
            return Submitted(again, True)
        raise
    return Submitted(application, False)


def open_info_requests(application: Application) -> list[InfoRequest]:
    return [r for r in application.info_requests if r.answered_at is None]


def resubmit(application: Application, answer: str, actor: User, today: Optional[date] = None) -> None:
    """returned → street_review with the applicant's answer stored on every open request."""
    if application.status != "returned":
        raise ApplicationError("status", "not_returned")
    answer = (answer or "").strip()
    if not answer:
        raise ApplicationError("answer", "answer_required")
    today = today or date.today()
    for request in open_info_requests(application):
        request.answer, request.answered_at = answer, utcnow()
    eligibility.decide(application, today)
    application.review_due_on = review_due(application.city_code, "street_review", today)
    for document in live_documents(application.household):
        document.application_id = application.id
    transitions.move(application, "street_review", actor, "resubmit", reason=answer)
