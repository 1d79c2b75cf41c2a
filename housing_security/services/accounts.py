"""Accounts: creating users, checking passwords, and the server-side sign-in sessions behind logout."""
from __future__ import annotations

from typing import Optional

from flask import current_app, has_request_context, request
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Jurisdiction, LoginSession, Role, User
from ..models._types import utcnow
from ..models.people import ROLE_JURISDICTION_KIND
from . import audit

# A hash to compare against when the user does not exist, so timing does not reveal valid usernames.
_DUMMY_HASH = None


class AccountError(ValueError):
    def __init__(self, field: str, message_id: str):
        super().__init__(message_id)
        self.field = field
        self.message_id = message_id


def hash_password(password: str, method: Optional[str] = None) -> str:
    method = method or current_app.config["PASSWORD_HASH_METHOD"]
    return generate_password_hash(password, method=method)


def create_user(username: str, password: str, role: Role, display_name: str,
                jurisdiction: Optional[Jurisdiction] = None, actor: Optional[User] = None,
                password_hash: Optional[str] = None, **fields) -> User:
    username = username.strip()
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise AccountError("username", "username_taken")
    expected_kind = ROLE_JURISDICTION_KIND.get(role)
    if role.is_staff and jurisdiction is None:
        raise AccountError("jurisdiction", "jurisdiction_required")
    if expected_kind and jurisdiction is not None and jurisdiction.kind != expected_kind:
        raise AccountError("jurisdiction", "jurisdiction_wrong_kind")
    if role is Role.administrator and jurisdiction is not None and jurisdiction.kind not in ("province", "city"):
        raise AccountError("jurisdiction", "jurisdiction_wrong_kind")
    user = User(
        username=username,
        password_hash=password_hash or hash_password(password),
        role=role.value,
        display_name=display_name,
        jurisdiction=jurisdiction if role.is_staff else None,
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, actor=actor or user, role=role.value, username=username)
    return user


def authenticate(username: str, password: str) -> Optional[User]:
    """The user whose password matches, or None; disabled accounts never authenticate."""
    global _DUMMY_HASH
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password("not-a-real-password")
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


def open_session(user: User) -> LoginSession:
    login_session = LoginSession(
        user=user,
        remote_addr=request.remote_addr if has_request_context() else None,
        user_agent=(request.user_agent.string[:256] if has_request_context() else None),
    )
    db.session.add(login_session)
    audit.record("auth.login", user, actor=user)
    return login_session


def session_user(token: str) -> Optional[User]:
    """The signed-in user of every request: one query (the session row and its user together)."""
    return db.session.scalar(
        select(User).join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token == token, LoginSession.revoked_at.is_(None))
    )


def revoke_session(token: str, actor: Optional[User]) -> None:
    login_session = db.session.scalar(select(LoginSession).where(LoginSession.token == token))
    if login_session is not None and login_session.revoked_at is None:
        login_session.revoked_at = utcnow()
        audit.record("auth.logout", login_session.user, actor=actor)


def revoke_all_sessions(user: User, actor: Optional[User]) -> None:
    for login_session in db.session.scalars(
        select(LoginSession).where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
    ):
        login_session.revoked_at = utcnow()
    audit.record("auth.revoke_all", user, actor=actor)


def change_password(user: User, password: str, keep_token: Optional[str] = None) -> None:
    """New hash; every other sign-in of this user ends (a stolen session must not outlive the change)."""
    user.password_hash = hash_password(password)
    for login_session in db.session.scalars(
        select(LoginSession).where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None),
                                   LoginSession.token != (keep_token or ""))
    ):
        login_session.revoked_at = utcnow()
    audit.record("user.change_password", user, actor=user)


def set_active(user: User, active: bool, actor: User) -> None:
    user.active = active
    if not active:
        revoke_all_sessions(user, actor)
    audit.record("user.activate" if active else "user.disable", user, actor=actor)
