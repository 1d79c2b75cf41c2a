"""Idempotency keys on create forms (new round, upload, objection), like the submission token: the form carries a
random key; the first post claims it in the same transaction as what it creates, and any later or concurrent
post with the same key is sent (303) where the first one went instead of creating again."""
from __future__ import annotations

import re
import secrets
from functools import wraps

from flask import g, redirect, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import IdempotencyKey

FIELD = "idempotency_key"
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_key() -> str:
    return secrets.token_urlsafe(24)


def _key() -> str | None:
    key = request.form.get(FIELD, "") if request.method == "POST" else ""
    return key if _KEY.fullmatch(key) else None


def _replay(key: str, fallback: str):
    row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == key))
    if row is None:
        return None
    return redirect(row.result_url or url_for(fallback), 303)


def claim() -> None:
    """Called by the view inside the transaction that creates: the key is taken with the new row or not at all."""
    key = g.get("idempotency_key")
    if key:
        db.session.add(IdempotencyKey(key=key, endpoint=(request.endpoint or "")[:64]))
        db.session.flush()
        g.idempotency_claimed = True


def idempotent(fallback_endpoint: str):
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            key = _key()
            if key is None:
                return view(*args, **kwargs)
            done = _replay(key, fallback_endpoint)
            if done is not None:
                return done
            g.idempotency_key = key
            try:
                response = view(*args, **kwargs)
            except IntegrityError:  # PostgreSQL: a concurrent post with the same key committed first
                db.session.rollback()
                done = _replay(key, fallback_endpoint)
                if done is not None:
                    return done
                raise
            if g.get("idempotency_claimed") and getattr(response, "status_code", 200) in (301, 302, 303):
                db.session.execute(IdempotencyKey.__table__.update().where(IdempotencyKey.key == key)
                                   .values(result_url=response.headers.get("Location", "")[:256]))
                db.session.commit()
            return response
        return wrapper
    return decorate


def init_app(app) -> None:
    app.jinja_env.globals["idempotency_key"] = new_key
