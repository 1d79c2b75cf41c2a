"""The audit log: one row per state change, written in the same transaction as the change."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import UTCDateTime, utcnow


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[Optional[str]] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[Optional[str]] = mapped_column(String(64))
    # The hash chain (services/audit_chain.py): position and sha256 over the previous row's hash and this row.
    chain_seq: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    chain_hash: Mapped[Optional[str]] = mapped_column(String(64))


@event.listens_for(AuditLog, "before_update")
@event.listens_for(AuditLog, "before_delete")
def _refuse_change(mapper, connection, target):
    raise RuntimeError("the audit log is append-only")
