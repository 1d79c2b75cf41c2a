"""Clients of the read-only API (/api/v1): created and revoked by an administrator, each with one city and a
set of scopes. The token is shown once at creation; only its SHA-256 is stored."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import API_SCOPES, ApiClient, User
from ..models._types import utcnow
from . import audit

TOKEN_PREFIX = "hsapi_"


class ApiClientError(ValueError):
    def __init__(self, field: str, message):
        super().__init__(str(field))
        self.field, self.message = field, message


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_client(name: str, city_code: str, scopes: Iterable[str], actor: User) -> tuple[ApiClient, str]:
    """Returns the client and its token; the token is not kept anywhere and cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise ApiClientError("name", _l("请填写客户端名称"))
    scopes = sorted(set(scopes))
    if not scopes or any(s not in API_SCOPES for s in scopes):
        raise ApiClientError("scopes", _l("请至少选择一项权限"))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient(name=name[:64], city_code=city_code, scopes=scopes, token_hash=token_hash(token),
                       token_prefix=token[:12], created_by_id=actor.id)
    db.session.add(client)
    audit.record("api_client.create", client, actor=actor, name=client.name, city_code=city_code, scopes=scopes)
    return client, token


def revoke(client: ApiClient, actor: User) -> None:
    if client.revoked_at is not None:
        return
    client.revoked_at, client.revoked_by_id = utcnow(), actor.id
    audit.record("api_client.revoke", client, actor=actor, name=client.name, city_code=client.city_code)


def authenticate(token: Optional[str]) -> Optional[ApiClient]:
    """The active client holding this token, or None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 128:
        return None
    client = db.session.scalar(select(ApiClient).where(ApiClient.token_hash == token_hash(token)))
    if client is None or client.revoked_at is not None:
        return None
    return client
