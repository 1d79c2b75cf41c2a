"""A tamper-evident audit: the audit log and the case events each form a hash chain.

Rows are written as before, in the transaction of their change; a *seal* then gives every new row, in id order,
the next position in its table's chain (`chain_seq`) and `chain_hash` = sha256(previous row's chain_hash + the
row's canonical content). Sealing runs after each request that wrote audit rows and in the daily job (which also
logs the chain heads, so a rewrite of a whole chain is detectable against an older log). The database refuses
UPDATE and DELETE on both tables (triggers, migration 0007) except the one-time sealing of the chain columns.

`verify()` recomputes every chain and names the first broken row (`housing-security audit-verify`).
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import select, text, update

from ..extensions import db
from ..models import ApplicationEvent, AuditLog

log = logging.getLogger(__name__)
GENESIS = "0" * 64
CHAINED = {"audit_log": AuditLog.__table__, "application_event": ApplicationEvent.__table__}
_CHAIN_COLUMNS = ("chain_seq", "chain_hash")


def _content(table, row) -> str:
    values = {}
    for column in table.columns:
        if column.name in _CHAIN_COLUMNS:
            continue
        value = row._mapping[column.name]
        if isinstance(value, datetime):
            value = value.isoformat(timespec="microseconds")
        values[column.name] = value
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def digest(previous: str, table, row) -> str:
    return hashlib.sha256((previous + "\n" + _content(table, row)).encode("utf-8")).hexdigest()


def _lock_for_sealing() -> None:
    """One sealer at a time: SQLite's write lock (taken at BEGIN), PostgreSQL's transaction advisory lock under
    READ COMMITTED (so that the rows committed by the previous sealer are seen)."""
    if db.engine.dialect.name == "postgresql":
        if not db.session().in_transaction():
            db.session.connection(execution_options={"isolation_level": "READ COMMITTED"})
        db.session.execute(text("SELECT pg_advisory_xact_lock(72110011)"))


def head(table) -> tuple[int, str]:
    row = db.session.execute(select(table.c.chain_seq, table.c.chain_hash).where(table.c.chain_seq.is_not(None))
                             .order_by(table.c.chain_seq.desc()).limit(1)).first()
    return (row.chain_seq, row.chain_hash) if row else (0, GENESIS)


def seal() -> dict:
    """Chain every unsealed row (the caller's transaction must be fresh; the caller commits)."""
    _lock_for_sealing()
    counts = {}
    for name, table in CHAINED.items():
        seq, previous = head(table)
        sealed = 0
        for row in db.session.execute(select(table).where(table.c.chain_hash.is_(None)).order_by(table.c.id)):
            seq += 1
            previous = digest(previous, table, row)
            db.session.execute(update(table).where(table.c.id == row.id).values(chain_seq=seq, chain_hash=previous))
            sealed += 1
        counts[name] = sealed
    return counts


def heads() -> dict[str, dict]:
    return {name: dict(zip(("seq", "hash"), head(table))) for name, table in CHAINED.items()}


@dataclass
class Break:
    table: str
    row_id: int
    seq: Optional[int]
    reason: str

    def __str__(self) -> str:
        return f"{self.table} row id={self.row_id} (chain position {self.seq}): {self.reason}"


def verify() -> tuple[list[Break], dict]:
    """The first broken row of each chain (if any) and, per table, the count of rows checked and unsealed."""
    breaks, summary = [], {}
    for name, table in CHAINED.items():
        previous, expected_seq, checked = GENESIS, 1, 0
        rows = db.session.execute(select(table).where(table.c.chain_seq.is_not(None)).order_by(table.c.chain_seq))
        for row in rows:
            if row.chain_seq != expected_seq:
                breaks.append(Break(name, row.id, row.chain_seq,
                                    f"chain position {expected_seq} is missing (a row was deleted)"))
                break
            if row.chain_hash != digest(previous, table, row):
                breaks.append(Break(name, row.id, row.chain_seq, "content or hash does not match the chain"))
                break
            previous, expected_seq, checked = row.chain_hash, expected_seq + 1, checked + 1
        unsealed = db.session.scalar(select(db.func.count()).select_from(table).where(table.c.chain_hash.is_(None)))
        summary[name] = {"checked": checked, "unsealed": unsealed, "head": previous}
    return breaks, summary


def seal_after_request(response):
    """after_request: seal the rows this request wrote, in a short transaction of its own. A failure (the
    database busy) only postpones the seal to the next request or the daily job."""
    from flask import g

    from .audit import UNSEALED

    if not db.session().info.pop(UNSEALED, False):
        return response
    from sqlalchemy.exc import OperationalError

    try:
        db.session.rollback()  # anything the view did not commit would be discarded at teardown anyway
        g.sqlite_write = True
        seal()
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        log.warning("audit chain not sealed after this request; the next seal will")
    return response
