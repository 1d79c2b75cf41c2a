"""Snapshots of other departments' registries (数据共享核查, plan §4(6) 加强部门之间互联互通) and the result of
checking each member of a case against the newest snapshot of each kind.

A snapshot and its records are immutable once imported (kept with source, date and SHA-256); the next
snapshot of the same kind for the same city supersedes it. ID numbers are stored because matching needs
them; they are never shown unmasked.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, utcnow

# assistance: 民政 低保/低收入/特困 roster; property: 不动产登记 extract; social_insurance: 人社/社保 records;
# hukou: 公安 household-registration extract; talent: 人才办 certified-talent list.
REGISTRY_KINDS = ("assistance", "property", "social_insurance", "hukou", "talent")
CHECK_OUTCOMES = ("match", "mismatch", "not_found", "no_snapshot")
CHECK_OCCASIONS = ("submission", "approval", "reverification", "batch", "manual")
RESOLUTIONS = ("registry_confirmed", "declaration_upheld")

_KIND_LIST = ", ".join(f"'{k}'" for k in REGISTRY_KINDS)


class RegistrySnapshot(db.Model):
    __tablename__ = "registry_snapshot"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KIND_LIST})", name="kind"),
        UniqueConstraint("city_code", "kind", "sha256", name="uq_registry_snapshot_city_kind_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_code: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    source: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[date] = mapped_column(Date)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    imported_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    imported_by = relationship("User")


class RegistryRecord(db.Model):
    """One person's row in a snapshot; `data` holds the kind's fields (see services/registry.py LAYOUTS)."""

    __tablename__ = "registry_record"
    __table_args__ = (UniqueConstraint("snapshot_id", "id_number", name="uq_registry_record_snapshot_id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("registry_snapshot.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class SnapshotImmutableError(RuntimeError):
    pass


@event.listens_for(RegistrySnapshot, "before_update")
@event.listens_for(RegistrySnapshot, "before_delete")
@event.listens_for(RegistryRecord, "before_update")
@event.listens_for(RegistryRecord, "before_delete")
def _refuse_change(mapper, connection, target):
    raise SnapshotImmutableError("registry snapshots are immutable once imported")


class RegistryCheck(db.Model):
    """The latest check of one member of a case against one kind of registry.

    A mismatch that changes the engine's decision is `blocking`: a task for the caseworker that blocks
    approval until resolved with a written reason."""

    __tablename__ = "registry_check"
    __table_args__ = (
        UniqueConstraint("application_id", "member_id", "kind", name="uq_registry_check_application_member_kind"),
        CheckConstraint(f"kind IN ({_KIND_LIST})", name="kind"),
        CheckConstraint("outcome IN ('match', 'mismatch', 'not_found', 'no_snapshot')", name="outcome"),
        CheckConstraint("resolution IS NULL OR resolution IN ('registry_confirmed', 'declaration_upheld')",
                        name="resolution"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    snapshot_id: Mapped[Optional[int]] = mapped_column(ForeignKey("registry_snapshot.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    previous_outcome: Mapped[Optional[str]] = mapped_column(String(16))
    declared: Mapped[dict] = mapped_column(JSON, default=dict)
    registry: Mapped[dict] = mapped_column(JSON, default=dict)
    occasion: Mapped[str] = mapped_column(String(16))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    blocking: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution: Mapped[Optional[str]] = mapped_column(String(24))
    resolution_reason: Mapped[Optional[str]] = mapped_column(Text)
    resolved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    resolved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    application = relationship("Application")
    member = relationship("Member")
    snapshot: Mapped[Optional[RegistrySnapshot]] = relationship()
    resolved_by = relationship("User")

    @property
    def open_task(self) -> bool:
        return self.blocking and self.resolved_at is None
