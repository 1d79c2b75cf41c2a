"""The waiting list (轮候): queue ranks computed by the city's ordering rule (plan §4(1); DOMAIN workflow)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import load_only

from .. import policy
from ..extensions import db
from ..models import Application
from .calendar import add_months
from .parameters import effective_pack

# Households still waiting for a unit: those on a rent subsidy keep their place in the queue.
WAITING_STATUSES = ("waitlist", "subsidised")


def commitment_deadline(application: Application) -> date | None:
    """The day by which a commitment household must have a unit or a rent subsidy (plan §12.1)."""
    if not application.commitment or application.approved_on is None:
        return None
    months = effective_pack(application.city_code).value("public_rental.commitment_months", application.approved_on)
    return add_months(application.approved_on, int(months))


def rerank(city_code: str, programme: str, as_of: date, seed: str | None = None) -> int:
    """Give every waiting case of one city and programme its queue rank; returns how many were ranked.

    Reads only what the ordering needs (the stored decisions are large JSON documents)."""
    waiting = (Application.city_code == city_code, Application.programme == programme,
               Application.status.in_(WAITING_STATUSES))
    rows = db.session.execute(select(Application.id, Application.approved_on,
                                     Application.decision["priority_groups"]).where(*waiting)).all()
    if not rows:
        return 0
    entries = [{"id": str(id_), "priority_groups": groups or [], "approved_on": approved_on}
               for id_, approved_on, groups in rows]
    pack = effective_pack(city_code)
    if seed is None and pack.value("ordering.method", as_of) == "lottery":
        # A lottery city ranks by its last public draw; cases that joined since follow until the next draw.
        from .lottery import drawn_order
        references = dict(db.session.execute(select(Application.id, Application.reference).where(*waiting)).all())
        by_reference = [{**e, "id": references[int(e["id"])]} for e in entries]
        drawn = dict(policy.drawn_lottery_ranks(by_reference, drawn_order(city_code, programme)))
        ranks = {str(id_): drawn[reference] for id_, reference in references.items()}
    else:
        ranks = dict(policy.queue_ranks(entries, pack, as_of, seed=seed))
    for application in db.session.scalars(select(Application).where(*waiting).options(
            load_only(Application.id, Application.queue_rank, Application.version_id))):
        application.queue_rank = ranks[str(application.id)]
    return len(rows)
