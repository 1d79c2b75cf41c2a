"""Audit rows, added to the caller's transaction so that a change and its record land together."""
from __future__ import annotations

from typing import Any, Optional

from ..extensions import db
from ..models import AuditLog
from .use_case import ORIGIN

# Set on the session when a row is added; the web layer seals the session's rows into the hash chain after the
# request (services/audit_chain.py), the daily job seals whatever is left.
UNSEALED = "audit_unsealed"


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
        remote_addr=ORIGIN.get(),
    )
    db.session.add(row)
    db.session().info[UNSEALED] = True
    return row


def _jsonable(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)
