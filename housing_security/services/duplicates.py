"""Cross-programme duplicates: a member's ID number found in another active case or benefit."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import or_, select

from ..extensions import db
from ..models import ACTIVE_STATUSES, Application, Member, RentSubsidy, Tenancy


@dataclass
class Duplicate:
    member_name: str
    id_number: str
    other: Application
    reason: str            # "active_application" | "tenancy" | "rent_subsidy"
    visible: bool          # may the viewer open the other case?


def find_duplicates(application: Application, visible_scope=None) -> list[Duplicate]:
    """Other cases (any programme) sharing a member's ID number that are active or hold a benefit.

    `visible_scope` is a WHERE clause on Application (the viewer's scope); links are offered only inside it.
    """
    numbers = {m.id_number: m.name for m in application.household.members}
    if not numbers:
        return []
    has_tenancy = select(Tenancy.application_id).where(Tenancy.status == "active")
    has_subsidy = select(RentSubsidy.application_id).where(RentSubsidy.status == "active")
    rows = db.session.execute(
        select(Member.id_number, Application)
        .join(Application, Application.household_id == Member.household_id)
        .where(Member.id_number.in_(numbers), Application.id != application.id,
               or_(Application.status.in_(ACTIVE_STATUSES), Application.id.in_(has_tenancy),
                   Application.id.in_(has_subsidy)))
        .order_by(Application.id)
    ).all()
    visible_ids: set[int] = set()
    if rows and visible_scope is not None:
        ids = [other.id for _, other in rows]
        visible_ids = set(db.session.scalars(select(Application.id).where(Application.id.in_(ids), visible_scope)))
    tenancy_ids = set(db.session.scalars(has_tenancy))
    subsidy_ids = set(db.session.scalars(has_subsidy))
    found: list[Duplicate] = []
    for id_number, other in rows:
        reason = ("tenancy" if other.id in tenancy_ids else "rent_subsidy" if other.id in subsidy_ids
                  else "active_application")
        found.append(Duplicate(numbers[id_number], id_number, other, reason, other.id in visible_ids))
    return found


def other_benefit(application: Application) -> Optional[str]:
    """The programme of another benefit a member holds, for the engine's `no_other_benefit` rule."""
    for duplicate in find_duplicates(application):
        if duplicate.reason in ("tenancy", "rent_subsidy") or duplicate.other.status in (
                "housed", "subsidised", "offered", "exiting"):
            return duplicate.other.programme
    return None


def active_in_same_programme(application: Application) -> Optional[str]:
    """The name of a member who already belongs to another active case of the same programme, if any: a person
    may have one active application per programme, whichever household filed it (a second one would be
    reviewed, queued and offered twice)."""
    numbers = {m.id_number: m.name for m in application.household.members}
    if not numbers:
        return None
    clash = db.session.scalar(
        select(Member.id_number)
        .join(Application, Application.household_id == Member.household_id)
        .where(Member.id_number.in_(numbers), Application.id != application.id,
               Application.programme == application.programme, Application.status.in_(ACTIVE_STATUSES))
        .order_by(Application.id, Member.id).limit(1))
    return numbers[clash] if clash is not None else None
