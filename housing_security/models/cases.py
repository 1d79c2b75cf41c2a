"""Applications and their history: one case per household and programme, with every step recorded."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, utcnow

PROGRAMMES = ("public_rental", "subsidized_rental", "talent", "shared_ownership")


class ApplicationStatus(str, enum.Enum):
    draft = "draft"
    returned = "returned"              # more information requested from the applicant
    street_review = "street_review"
    district_review = "district_review"
    bureau_review = "bureau_review"
    publicity = "publicity"            # 公示
    waitlist = "waitlist"              # 轮候
    offered = "offered"
    awaiting_contract = "awaiting_contract"  # 待签约: offer accepted, contract and keys to come
    housed = "housed"
    subsidised = "subsidised"          # covered by a rent subsidy while waiting
    rejected = "rejected"
    appeal = "appeal"                  # 复核 requested
    suspended = "suspended"
    exiting = "exiting"                # 退出缓冲期
    exited = "exited"
    withdrawn = "withdrawn"


# Statuses in which a household holds or is pursuing a benefit (used for duplicate checks).
ACTIVE_STATUSES = tuple(
    s.value for s in ApplicationStatus
    if s not in (ApplicationStatus.draft, ApplicationStatus.rejected, ApplicationStatus.exited,
                 ApplicationStatus.withdrawn)
)
_STATUS_LIST = ", ".join(f"'{s.value}'" for s in ApplicationStatus)
_PROGRAMME_LIST = ", ".join(f"'{p}'" for p in PROGRAMMES)


class Application(db.Model):
    __tablename__ = "application"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUS_LIST})", name="status"),
        CheckConstraint(f"programme IN ({_PROGRAMME_LIST})", name="programme"),
        CheckConstraint("declines >= 0", name="declines_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("jurisdiction.id"), index=True)
    city_code: Mapped[str] = mapped_column(String(32), index=True)
    programme: Mapped[str] = mapped_column(String(32), index=True)
    tenure: Mapped[Optional[str]] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32), index=True, default=ApplicationStatus.draft.value)
    filed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    submission_token: Mapped[Optional[str]] = mapped_column(String(64), unique=True)

    preferences: Mapped[list] = mapped_column(JSON, default=list)   # district codes, first choice first
    accept_any_district: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_low_floor: Mapped[bool] = mapped_column(Boolean, default=False)
    prefers_dormitory: Mapped[bool] = mapped_column(Boolean, default=False)

    # The last decision of the eligibility engine and the hash of the parameter pack behind it.
    decision: Mapped[Optional[dict]] = mapped_column(JSON)
    pack_hash: Mapped[Optional[str]] = mapped_column(String(64))
    eligible: Mapped[Optional[bool]] = mapped_column(Boolean)
    priority_group: Mapped[Optional[str]] = mapped_column(String(32))
    commitment: Mapped[bool] = mapped_column(Boolean, default=False)

    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    review_due_on: Mapped[Optional[date]] = mapped_column(Date)
    approved_on: Mapped[Optional[date]] = mapped_column(Date, index=True)
    publicity_until: Mapped[Optional[date]] = mapped_column(Date)
    waitlist_since: Mapped[Optional[date]] = mapped_column(Date)
    queue_rank: Mapped[Optional[int]] = mapped_column(Integer)
    declines: Mapped[int] = mapped_column(Integer, default=0)
    next_reverification_on: Mapped[Optional[date]] = mapped_column(Date)
    exit_buffer_until: Mapped[Optional[date]] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: two officers acting on one case cannot both win.
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version_id}

    household = relationship("Household")
    street = relationship("Jurisdiction")
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id", viewonly=True
    )
    objections: Mapped[list[Objection]] = relationship(back_populates="application", order_by="Objection.id")
    info_requests: Mapped[list[InfoRequest]] = relationship(order_by="InfoRequest.id")

    @property
    def status_enum(self) -> ApplicationStatus:
        return ApplicationStatus(self.status)


class ApplicationEvent(db.Model):
    """One transition of a case. Rows are never changed or deleted (see the listeners below)."""

    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(48))
    from_status: Mapped[Optional[str]] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # The hash chain (services/audit_chain.py): position and sha256 over the previous row's hash and this row.
    chain_seq: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    chain_hash: Mapped[Optional[str]] = mapped_column(String(64))

    application: Mapped[Application] = relationship(back_populates="events")
    actor = relationship("User")


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(ApplicationEvent, "before_update")
def _refuse_event_update(mapper, connection, target):
    raise AppendOnlyError("application events are append-only")


@event.listens_for(ApplicationEvent, "before_delete")
def _refuse_event_delete(mapper, connection, target):
    raise AppendOnlyError("application events are append-only")


class InfoRequest(db.Model):
    """A caseworker's request for more information: says exactly what is missing (最多跑一次)."""

    __tablename__ = "info_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message: Mapped[str] = mapped_column(Text)
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    answer: Mapped[Optional[str]] = mapped_column(Text)


class Objection(db.Model):
    """An objection lodged by anyone during publicity (公示); it blocks the waiting list until resolved."""

    __tablename__ = "objection"
    __table_args__ = (CheckConstraint("status IN ('open', 'upheld', 'dismissed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    lodged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lodged_by_name: Mapped[str] = mapped_column(String(64), default="")
    contact: Mapped[str] = mapped_column(String(64), default="")
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    outcome: Mapped[Optional[str]] = mapped_column(Text)
    resolved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    resolved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # The account that lodged it, when signed in; how many identical objections were merged into this one.
    lodged_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    repeats: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    application: Mapped[Application] = relationship(back_populates="objections")
