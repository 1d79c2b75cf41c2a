"""Extensions are created unbound here and bound to an app in create_app."""
from __future__ import annotations

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
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://")


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

    return has_request_context() and request.method in ("GET", "HEAD") and not g.get("sqlite_write", False)


def begin_write() -> None:
    """For a GET that must write (marking notifications read, auditing an export): end its read
    transaction and make the next one take the write lock at BEGIN, as a POST's does."""
    from flask import g

    db.session.commit()
    g.sqlite_write = True
