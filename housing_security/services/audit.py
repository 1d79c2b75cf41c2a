"""Audit rows, added to the caller's transaction so that a change and its record land together."""
from __future__ import annotations

from typing import Any, Optional

from flask import has_request_context, request

from ..extensions import db
from ..models import AuditLog


def record(action: str, obj: Any = None, actor=None, **detail) -> AuditLog:
    object_type = getattr(obj, "__tablename__", "") if obj is not None else ""  # works through proxies too
    object_id: Optional[str] = None
    if obj is not None:
        db.session.flush([obj]) if getattr(obj, "id", None) is None else None
        object_id = str(getattr(obj, "id", "") or "")
    row = AuditLog(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail={key: _jsonable(value) for key, value in detail.items()},
        remote_addr=request.remote_addr if has_request_context() else None,
    )
    db.session.add(row)
    if has_request_context():
        from flask import g

        g.audit_unsealed = True  # sealed into the hash chain after the request (services/audit_chain.py)
    return row


def _jsonable(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)
