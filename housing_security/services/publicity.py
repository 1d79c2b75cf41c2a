"""Publicity (公示): objections lodged by anyone, their resolution by the street caseworker, and the
end of publicity, which moves a case onto the waiting list (轮候) and re-ranks the queue."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Optional

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..models import Application, Objection, Role, User
from . import audit, registry_checks, waitlist
from .review import REASON_MIN_LENGTH, ReviewError
from .transitions import TransitionError, move


def open_objections(application: Application) -> list[Objection]:
    return [o for o in application.objections if o.status == "open"]


def _same_text(text: str) -> str:
    return "".join(text.split())  # spacing and line breaks do not make an objection new


def lodge_objection(application: Application, content: str, name: str = "", contact: str = "",
                    today: Optional[date] = None, lodged_by: Optional[User] = None) -> Objection:
    """Anyone, signed in or not, may object to a case while it is in publicity. An objection repeating an open
    one word for word is merged into it (counted, not stored again), and a case takes at most
    OBJECTION_DAILY_CAP_PER_CASE new objections a day, so a flood cannot bury a case."""
    today = today or date.today()
    if application.status != "publicity" or (application.publicity_until and application.publicity_until < today):
        raise ReviewError(_l("该案件不在公示期内，无法提出异议。"))
    content = (content or "").strip()
    if len(content) < REASON_MIN_LENGTH:
        raise ReviewError(_l("请具体说明异议内容（至少 %(n)s 个字）。", n=REASON_MIN_LENGTH))
    for existing in db.session.scalars(select(Objection).where(Objection.application_id == application.id,
                                                               Objection.status == "open")):
        if _same_text(existing.content) == _same_text(content):
            existing.repeats = (existing.repeats or 0) + 1
            audit.record("objection.merge", existing, actor=lodged_by, application_id=application.id,
                         repeats=existing.repeats)
            return existing
    day_start = datetime.combine(today, time.min, tzinfo=UTC)
    lodged_today = db.session.scalar(select(func.count()).select_from(Objection).where(
        Objection.application_id == application.id, Objection.lodged_at >= day_start))
    if lodged_today >= int(current_app.config["OBJECTION_DAILY_CAP_PER_CASE"]):
        raise ReviewError(_l("该案件今日收到的异议已达上限，请明天再提交，或直接联系街道办事处。"))
    objection = Objection(application_id=application.id, content=content, lodged_by_name=(name or "").strip()[:64],
                          contact=(contact or "").strip()[:64], status="open",
                          lodged_by_id=getattr(lodged_by, "id", None))
    db.session.add(objection)
    db.session.flush()
    audit.record("objection.lodge", objection, actor=lodged_by, application_id=application.id,
                 reference=application.reference, named=bool(objection.lodged_by_name))
    return objection


def resolve_objections(application: Application, actor: User, upheld: bool, outcome: str) -> int:
    """One written outcome for every open objection of the case (e.g. the same complaint sent many times):
    the first is resolved as one would be alone (checks, audit, the case rejected if upheld), the others are
    closed with the same outcome."""
    open_ones = open_objections(application)
    if not open_ones:
        raise ReviewError(_l("该异议已处理。"))
    resolve_objection(open_ones[0], actor, upheld, outcome)
    for objection in open_ones[1:]:
        _close(objection, actor, "upheld" if upheld else "dismissed", outcome)
    return len(open_ones)


def _close(objection: Objection, actor: User, status: str, outcome: str) -> None:
    objection.status = status
    objection.outcome = (outcome or "").strip()
    objection.resolved_by_id = actor.id
    objection.resolved_at = datetime.now(UTC)
    audit.record(f"objection.{status}", objection, actor=actor, application_id=objection.application_id,
                 outcome=objection.outcome, batch=True)


def resolve_objection(objection: Objection, actor: User, upheld: bool, outcome: str) -> None:
    """The street caseworker records a written outcome; an upheld objection rejects the case."""
    if actor.role_enum is not Role.street_caseworker:
        raise ReviewError(_l("异议由申请所在街道的经办人核查处理。"))
    if objection.status != "open":
        raise ReviewError(_l("该异议已处理。"))
    outcome = (outcome or "").strip()
    if len(outcome) < REASON_MIN_LENGTH:
        raise ReviewError(_l("请写明核查结果（至少 %(n)s 个字）。", n=REASON_MIN_LENGTH))
    application = objection.application
    objection.status = "upheld" if upheld else "dismissed"
    objection.outcome = outcome
    objection.resolved_by_id = actor.id
    objection.resolved_at = datetime.now(UTC)
    audit.record(f"objection.{objection.status}", objection, actor=actor, application_id=application.id,
                 outcome=outcome)
    if upheld:
        if application.status != "publicity":
            raise TransitionError(application.status, "rejected")
        move(application, "rejected", actor, "objection_upheld", reason=outcome, objection_id=objection.id)
        application.review_due_on = None


def end_publicity(application: Application, actor: Optional[User], as_of: Optional[date] = None,
                  rerank: bool = True) -> None:
    """Publicity over with no open objection: the case joins the waiting list."""
    as_of = as_of or date.today()
    if application.status != "publicity":
        raise TransitionError(application.status, "waitlist")
    if application.publicity_until and application.publicity_until >= as_of:
        raise ReviewError(_l("公示期至 %(day)s 结束，期满后才能转入轮候。", day=application.publicity_until.isoformat()))
    if open_objections(application):
        raise ReviewError(_l("该案件还有未处理的异议，处理完毕后才能转入轮候。"))
    if registry_checks.open_tasks(application):
        raise ReviewError(_l("该案件还有影响资格的部门数据核查任务未处理，处理完毕后才能转入轮候。"))
    move(application, "waitlist", actor, "publicity_ended", publicity_until=_iso(application.publicity_until))
    application.waitlist_since = as_of
    if rerank:
        waitlist.rerank(application.city_code, application.programme, as_of)


def _iso(day: Optional[date]) -> Optional[str]:
    return day.isoformat() if day else None


def close_publicity(as_of: Optional[date] = None, city_code: Optional[str] = None, actor: Optional[User] = None,
                    commit: bool = True) -> dict:
    """For the daily job: every case whose publicity ended before `as_of` and has no open objection and no open
    blocking registry-check task (a mismatch that changes eligibility, plan §4(6)) goes to the waiting list; the
    queues touched are re-ranked. A held case stays in publicity until the caseworker resolves what holds it.
    Returns counts (moved, held by objections or registry-check tasks)."""
    as_of = as_of or date.today()
    query = select(Application).where(Application.status == "publicity", Application.publicity_until < as_of)
    if city_code:
        query = query.where(Application.city_code == city_code)
    moved, held, queues = 0, 0, set()
    for application in db.session.scalars(query.order_by(Application.id)).all():
        if open_objections(application) or registry_checks.open_tasks(application):
            held += 1
            continue
        end_publicity(application, actor, as_of, rerank=False)
        queues.add((application.city_code, application.programme))
        moved += 1
    for city, programme in sorted(queues):
        waitlist.rerank(city, programme, as_of)
    if commit:
        db.session.commit()
    return {"moved": moved, "held": held}
