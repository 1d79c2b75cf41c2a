"""Extensions are created unbound here and bound to an app in create_app."""
from __future__ import annotations

from contextlib import contextmanager

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# The storage comes from RATELIMIT_STORAGE_URI (memory:// by default; redis://… shares the counts between
# workers). Sign-in is throttled in the database instead (services/sign_in.py), whatever the storage.
limiter = Limiter(key_func=get_remote_address)


@event.listens_for(Engine, "connect")
def _sqlite_connection_pragmas(dbapi_connection, connection_record):
    """SQLite ignores foreign keys unless asked, and waits for no lock unless told to."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    # Take transaction control from pysqlite so that our BEGIN IMMEDIATE below is the one that runs.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(connection):
    """Every transaction that may write takes SQLite's write lock at BEGIN.

    With a deferred BEGIN two requests can both read a row and then both write it, and one
    update is lost (SQLite ignores SELECT ... FOR UPDATE). So POSTs, CLI commands, background
    jobs and tests begin IMMEDIATE. A GET only reads: it begins deferred and, under WAL, runs
    beside the writers instead of queuing behind them; the few GETs that write call begin_write().
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN" if _read_only_request() else "BEGIN IMMEDIATE")


def _read_only_request() -> bool:
    from flask import g, has_request_context, request

    if not has_request_context():
        return False
    if g.get("sqlite_read", False):
        return True
    return request.method in ("GET", "HEAD") and not g.get("sqlite_write", False)


@contextmanager
def read_only():
    """Queries inside the block run as a read even in a POST (a deferred BEGIN on SQLite: no write lock), and
    the transaction ends with the block. Sign-in reads the password hash this way, so that the slow hash is
    computed with no transaction open and no writer waits for it."""
    from flask import g

    db.session.commit()
    previous = g.get("sqlite_read", False)
    g.sqlite_read = True
    try:
        yield
    finally:
        db.session.rollback()
        g.sqlite_read = previous


def begin_write() -> None:
    """For a GET that must write (marking notifications read, auditing an export): end its read
    transaction and make the next one take the write lock at BEGIN, as a POST's does."""
    from flask import g

    db.session.commit()
    g.sqlite_write = True
