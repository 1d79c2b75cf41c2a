"""The day's last jobs: sign-in rows that can never be used again go, then the audit hash chains are sealed over
everything the day's other jobs wrote (so the logged chain heads cover the whole day)."""
from __future__ import annotations

from datetime import date
from typing import Optional

from ..extensions import db
from .daily import daily_job


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
