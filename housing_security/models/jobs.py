"""Background jobs (a round's run or publication, the daily jobs, imports, big exports): the row is the job's state,
so every web worker shows the same progress and a restart of any process loses nothing.

The queue itself (Huey) only carries the job's id; what the job is, how far it got and how it ended live here.
`lock` holds a key such as "round:12" while the job is queued or running and is emptied when it ends: the unique
constraint makes "one job at a time per subject" hold across processes and databases.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import UTCDateTime, utcnow

JOB_STATES = ("queued", "running", "succeeded", "failed")


class Job(db.Model):
    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'succeeded', 'failed')", name="state"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent"),
        Index("ix_job_subject", "subject", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[Optional[str]] = mapped_column(String(80))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    lock: Mapped[Optional[str]] = mapped_column(String(120), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    stage: Mapped[Optional[str]] = mapped_column(String(40))
    percent: Mapped[int] = mapped_column(Integer, default=0)
    heartbeat: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    outcome: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    error: Mapped[Optional[str]] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[Optional[str]] = mapped_column(String(80))
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")
