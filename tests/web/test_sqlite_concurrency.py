"""Concurrent writers: no read-then-write update is ever lost silently.

SQLite: BEGIN IMMEDIATE serialises the writers, so every increment lands. PostgreSQL (REPEATABLE READ): a
writer that lost the race fails loudly with a serialization failure (the web answers 409), never silently."""
import threading
from decimal import Decimal

import pytest
from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Household
from tests.conftest import ON_POSTGRES


def test_concurrent_read_then_write_updates_are_not_lost(app):
    with app.app_context():
        household_id = db.session.scalars(select(Household.id)).first()
        db.session.get(Household, household_id).assets_yuan = Decimal(0)
        db.session.commit()
        db.session.remove()
    errors, threads, increments = [], 4, 15

    def worker():
        with app.app_context():
            for _ in range(increments):
                try:
                    household = db.session.get(Household, household_id)  # read ...
                    household.assets_yuan = household.assets_yuan + 1    # ... then write
                    db.session.commit()
                except Exception as error:
                    db.session.rollback()
                    errors.append(error)
            db.session.remove()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    with app.app_context():
        final = db.session.get(Household, household_id).assets_yuan
    if ON_POSTGRES:
        assert all("40001" in str(getattr(e, "orig", None) and e.orig.sqlstate) for e in errors)
        assert final + len(errors) == threads * increments
    else:
        assert not errors
        assert final == threads * increments


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite locking")
def test_pages_read_while_a_writer_holds_the_lock(app, login_as):
    """A GET begins a deferred transaction: under WAL it reads beside a writer instead of queuing behind it."""
    import sqlite3

    client = login_as("wangqiang")
    writer = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another request in the middle of a write
        writer.execute("UPDATE household SET address = address")
        assert client.get("/cases/").status_code == 200
    finally:
        writer.execute("ROLLBACK")
        writer.close()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite locking")
def test_a_write_that_cannot_get_the_lock_answers_503_not_500(make_app):
    import sqlite3

    from tests.conftest import login

    app = make_app(SQLITE_BUSY_TIMEOUT=0.2)
    client = app.test_client()
    login(client, "wangqiang")
    writer = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # someone else holds the write lock for longer than we wait
        response = client.post("/language", data={"language": "en"})
        assert response.status_code == 503
        assert "try again" in response.get_data(as_text=True)  # the language cookie was set before the write
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert client.post("/language", data={"language": "en"}).status_code == 302  # and works once it is free
