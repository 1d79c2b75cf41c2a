"""The case state machine: which status may follow which, and the one function that moves a case.

Every move writes, in the caller's transaction, an append-only ApplicationEvent (who, when, from, to,
why), an audit row, and a notification to the household's owner. Nothing else changes `status`.
"""
from __future__ import annotations

from typing import Optional

from ..extensions import db
from ..models import Application, ApplicationEvent, Notification, User
from . import audit

ALLOWED = {
    "draft": {"street_review", "withdrawn"},
    "returned": {"street_review", "withdrawn", "rejected"},
    "street_review": {"returned", "district_review", "bureau_review", "rejected", "withdrawn"},
    "district_review": {"returned", "bureau_review", "rejected"},
    "bureau_review": {"returned", "publicity", "rejected"},
    "publicity": {"waitlist", "rejected"},
    "waitlist": {"waitlist", "offered", "subsidised", "suspended", "exiting", "withdrawn"},
    "subsidised": {"subsidised", "offered", "waitlist", "exiting", "withdrawn"},
    "offered": {"awaiting_contract", "waitlist", "subsidised", "suspended"},
    # 待签约: the offer is accepted; the contract is signed and the keys handed over (→ housed), or the household
    # does not sign and returns to the list.
    "awaiting_contract": {"housed", "waitlist", "withdrawn"},
    # housed → exited: the tenant leaves of their own will (move-out and inspection, services/rent_roll.py).
    "housed": {"exiting", "housed", "exited"},
    "rejected": {"appeal"},
    "appeal": {"street_review", "district_review", "bureau_review", "publicity", "rejected"},
    "suspended": {"waitlist", "exiting"},
    "exiting": {"exited", "housed"},
    "exited": set(),
    "withdrawn": set(),
}


class TransitionError(ValueError):
    """A move the state machine forbids; views answer it with a message, never a 500."""

    def __init__(self, from_status: str, to_status: str):
        super().__init__(f"{from_status} → {to_status} is not allowed")
        self.from_status = from_status
        self.to_status = to_status


def can_move(application: Application, to_status: str) -> bool:
    return to_status in ALLOWED.get(application.status, set())


def move(application: Application, to_status: str, actor: Optional[User], action: str, reason: str = "",
         notify: bool = True, **data) -> ApplicationEvent:
    from_status = application.status
    if not can_move(application, to_status):
        raise TransitionError(from_status, to_status)
    application.status = to_status
    event = ApplicationEvent(
        application=application, actor_id=getattr(actor, "id", None), action=action,
        from_status=from_status, to_status=to_status, reason=reason or "", data=data,
    )
    db.session.add(event)
    audit.record(f"application.{action}", application, actor=actor, from_status=from_status,
                 to_status=to_status, reason=reason, **data)
    owner_id = application.household.owner_id if application.household else None
    if notify and owner_id is not None and owner_id != getattr(actor, "id", None):
        db.session.add(Notification(user_id=owner_id, application_id=application.id, message_id="status_changed",
                                    params={"reference": application.reference, "status": to_status}))
    return event
