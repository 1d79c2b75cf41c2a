"""The jobs of the day, in the order they run: cases leave publicity before the waiting list is used, and
re-verification runs before anything that depends on who is still eligible."""
from __future__ import annotations

from datetime import date
from typing import Optional

from . import publicity, reverification
from ..extensions import db
from .daily import daily_job


@daily_job("close_publicity")
def close_publicity(as_of: date, city_code: Optional[str]) -> dict:
    return publicity.close_publicity(as_of, city_code=city_code, commit=False)


@daily_job("reverify_due")
def reverify_due(as_of: date, city_code: Optional[str]) -> dict:
    return reverification.reverify_due(as_of, city_code=city_code)


@daily_job("purge_sessions")
def purge_sessions(as_of: date, city_code: Optional[str]) -> dict:
    """Sign-in rows past their absolute lifetime or revoked over a day ago (not per city: accounts are not)."""
    from .accounts import purge_expired_sessions

    return purge_expired_sessions()


@daily_job("seal_audit")
def seal_audit(as_of: date, city_code: Optional[str]) -> dict:
    """Seal what is not yet in the audit hash chains and log the chain heads (kept outside the database, the
    heads reveal a rewrite of a whole chain)."""
    import logging

    from . import audit_chain

    db.session.commit()  # a fresh transaction: on PostgreSQL the seal reads under READ COMMITTED
    counts = audit_chain.seal()
    heads = audit_chain.heads()
    logging.getLogger(__name__).info("audit chain heads on %s: %s", as_of.isoformat(), heads)
    return {**{f"sealed_{name}": n for name, n in counts.items()},
            **{f"head_{name}": f"{head['seq']}:{head['hash']}" for name, head in heads.items()}}
