"""Users, their roles, and the jurisdictions (city → district → street office) staff are bound to."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, utcnow


class Role(str, enum.Enum):
    applicant = "applicant"
    street_caseworker = "street_caseworker"
    district_reviewer = "district_reviewer"
    bureau_officer = "bureau_officer"
    administrator = "administrator"

    @property
    def is_staff(self) -> bool:
        return self is not Role.applicant


ROLE_JURISDICTION_KIND = {
    Role.street_caseworker: "street",
    Role.district_reviewer: "district",
    Role.bureau_officer: "city",
}


class Jurisdiction(db.Model):
    __tablename__ = "jurisdiction"
    __table_args__ = (
        CheckConstraint("kind IN ('province', 'city', 'district', 'street')", name="kind"),
        UniqueConstraint("kind", "code", name="uq_jurisdiction_kind_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("jurisdiction.id"), index=True)
    # Where applicants go and whom they call: shown on the applicant's status page (street offices).
    office_address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    office_phone: Mapped[str] = mapped_column(String(32), default="", server_default="")

    parent: Mapped[Optional[Jurisdiction]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Jurisdiction]] = relationship(back_populates="parent")

    def lineage(self) -> list[Jurisdiction]:
        """This jurisdiction and every one above it, nearest first."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def contains(self, other: Optional[Jurisdiction]) -> bool:
        return other is not None and any(node.id == self.id for node in other.lineage())

    def ancestor(self, kind: str) -> Optional[Jurisdiction]:
        return next((node for node in self.lineage() if node.kind == kind), None)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_zh

    def __repr__(self) -> str:
        return f"<Jurisdiction {self.kind}:{self.code}>"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "role IN ('applicant', 'street_caseworker', 'district_reviewer', 'bureau_officer', 'administrator')",
            name="role",
        ),
        CheckConstraint("role = 'applicant' OR jurisdiction_id IS NOT NULL", name="staff_jurisdiction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32), index=True)
    jurisdiction_id: Mapped[Optional[int]] = mapped_column(ForeignKey("jurisdiction.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    phone: Mapped[Optional[str]] = mapped_column(String(32))
    email: Mapped[Optional[str]] = mapped_column(String(128))
    locale: Mapped[Optional[str]] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    jurisdiction: Mapped[Optional[Jurisdiction]] = relationship()

    # The token of the LoginSession this request runs under; Flask-Login keeps it in the cookie.
    session_token = None

    def get_id(self) -> Optional[str]:
        return self.session_token

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users at sign-in and on every request.
        return bool(self.active)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginSession(db.Model):
    """A server-side record of each sign-in, so that signing out revokes the cookie for good.

    Flask's cookie session is signed, not stored: a copy taken before logout would keep
    working. The cookie carries only this row's random token, and a revoked row ends it.
    """

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_urlsafe(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    remote_addr: Mapped[Optional[str]] = mapped_column(String(64))
    user_agent: Mapped[Optional[str]] = mapped_column(String(256))

    user: Mapped[User] = relationship()


class Notification(db.Model):
    """An in-app message; the text is a translatable message id plus parameters, rendered per reader."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message_id: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    application_id: Mapped[Optional[int]] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
