"""Sign-in that cannot stall the database, throttled per account and per address.

- The password hash (PBKDF2, ~0.3 s) is computed with no database transaction open: the hash is read in a read
  transaction, checked outside any, and only then a short write opens the session row.
- Each attempt is counted *before* the hash is checked, in a short write on shared storage (the database, so
  every worker and server sees it): `account:<username>` and `address:<ip>`. After `LOGIN_FREE_ATTEMPTS` failures
  for an account (`LOGIN_ADDRESS_FREE_ATTEMPTS` for an address) the key is locked for an exponential back-off
  (`LOGIN_BACKOFF_SECONDS` × 2ⁿ, at most `LOGIN_BACKOFF_MAX_SECONDS`). Attempts made while locked are refused
  without being counted, so a locked account opens again when its back-off ends, whatever an attacker keeps
  sending; the right password then works from any address whose own key is not locked.
- An unknown username is counted, locked and answered exactly like a known one, and its password is checked
  against a dummy hash, so neither the answer nor its timing tells whether the account exists.
- Each lock is audited (`auth.throttle`); a right password clears the account's count.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from flask import current_app, has_request_context, request
from sqlalchemy import case, delete, func, select, update
from werkzeug.security import check_password_hash

from ..extensions import db, read_only
from ..models import SignInThrottle, User
from ..models._types import utcnow
from . import accounts, audit


@dataclass
class Outcome:
    user: Optional[User] = None
    wait_seconds: int = 0  # > 0: refused by the throttle, try again after this many seconds
    disabled: bool = False


def account_key(username: str) -> str:
    # Hashed: a mistyped ID number in the username box must not be stored in clear.
    digest = hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()[:40]
    return f"account:{digest}"


def address_key(address: Optional[str]) -> str:
    return f"address:{address or '-'}"


def _settings():
    config = current_app.config
    return (config["LOGIN_FREE_ATTEMPTS"], config["LOGIN_ADDRESS_FREE_ATTEMPTS"], config["LOGIN_BACKOFF_SECONDS"],
            config["LOGIN_BACKOFF_MAX_SECONDS"], config["LOGIN_FAILURE_WINDOW_SECONDS"])


def backoff_seconds(failures: int, free: int) -> int:
    """0 below `free` failures, then LOGIN_BACKOFF_SECONDS doubling with each further failure, capped."""
    _, _, base, cap, _ = _settings()
    if failures < free:
        return 0
    return int(min(base * 2 ** min(failures - free, 30), cap))


def _wait(rows, now) -> int:
    waits = [(row.locked_until - now).total_seconds() for row in rows if row.locked_until and row.locked_until > now]
    return max(1, int(max(waits) + 0.999)) if waits else 0


def _locked_seconds(keys: list[str]) -> int:
    with read_only():
        rows = db.session.execute(
            select(SignInThrottle.locked_until).where(SignInThrottle.key.in_(keys))).all()
        return _wait(rows, utcnow())


def _begin_counting() -> None:
    """On PostgreSQL the counters are updated under READ COMMITTED (row locks, no serialization failures)."""
    if db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "READ COMMITTED"})


def _insert():
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(SignInThrottle)


def _count_attempt(keys: list[tuple[str, int]]) -> int:
    """Count one attempt on every key in one short write; 0, or the seconds to wait if a key is locked
    (then nothing is counted)."""
    free_account, _, _, _, window = _settings()
    now = utcnow()
    stale = now - timedelta(seconds=window)
    _begin_counting()
    counted = []
    for key, free in keys:
        table = SignInThrottle.__table__
        statement = _insert().values(key=key, failures=1, last_failure_at=now)
        statement = statement.on_conflict_do_update(index_elements=["key"], set_={
            "failures": case((table.c.last_failure_at < stale, 1), else_=table.c.failures + 1),
            "last_failure_at": now,
        }).returning(table.c.failures, table.c.locked_until)
        row = db.session.execute(statement).one()
        counted.append((key, free, row))
    wait = _wait([row for _, _, row in counted], now)
    if wait:
        db.session.rollback()
        return wait
    for key, free, row in counted:
        seconds = backoff_seconds(row.failures, free)
        if seconds:
            db.session.execute(update(SignInThrottle).where(SignInThrottle.key == key)
                               .values(locked_until=now + timedelta(seconds=seconds)))
            audit.record("auth.throttle", None, actor=None, key=key.split(":", 1)[0], failures=row.failures,
                         seconds=seconds)
    db.session.commit()
    return 0


def _clear_account(account: str, address: str) -> None:
    """A right password: the account's count starts again, and this attempt no longer counts for the address."""
    _, address_free, _, _, _ = _settings()
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key == account))
    failures = func.max(SignInThrottle.failures - 1, 0) if db.engine.dialect.name == "sqlite" else \
        func.greatest(SignInThrottle.failures - 1, 0)
    db.session.execute(update(SignInThrottle).where(SignInThrottle.key == address).values(
        failures=failures,
        locked_until=case((SignInThrottle.failures - 1 < address_free, None), else_=SignInThrottle.locked_until)))


def attempt(username: str, password: str) -> Outcome:
    """Check a sign-in. Holds no transaction while hashing; on success the caller's open transaction holds the
    cleared counters and the caller adds the session row and commits."""
    enabled = current_app.config["LOGIN_THROTTLE_ENABLED"]
    free_account, free_address, _, _, _ = _settings()
    address = request.remote_addr if has_request_context() else None
    account, by_address = account_key(username), address_key(address)
    if enabled:
        wait = _locked_seconds([account, by_address])  # a read: refused attempts take no write lock at all
        if wait or (wait := _count_attempt([(account, free_account), (by_address, free_address)])):
            return Outcome(wait_seconds=wait)
    with read_only():
        found = db.session.execute(select(User.id, User.password_hash).where(
            func.lower(User.username) == username.strip().lower())).first()
    # No transaction is open here: the slow hash holds no lock.
    if found is None:
        check_password_hash(accounts.dummy_hash(), password)
        return Outcome()
    if not check_password_hash(found.password_hash, password):
        return Outcome()
    if enabled:
        _clear_account(account, by_address)
    user = db.session.get(User, found.id)
    if not user.is_active:
        return Outcome(disabled=True)
    return Outcome(user=user)
