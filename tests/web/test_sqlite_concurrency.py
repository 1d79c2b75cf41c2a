"""SQLite under concurrent writers: BEGIN IMMEDIATE serialises read-then-write updates, so none is lost."""
import threading
from decimal import Decimal

from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Household


def test_concurrent_read_then_write_updates_are_not_lost(app):
    with app.app_context():
        household_id = db.session.scalars(select(Household.id)).first()
        db.session.get(Household, household_id).assets_yuan = Decimal(0)
        db.session.commit()
        db.session.remove()
    errors, threads, increments = [], 4, 15

    def worker():
        try:
            with app.app_context():
                for _ in range(increments):
                    household = db.session.get(Household, household_id)  # read ...
                    household.assets_yuan = household.assets_yuan + 1    # ... then write
                    db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 — any failure is what this test looks for
            errors.append(error)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert not errors
    with app.app_context():
        assert db.session.get(Household, household_id).assets_yuan == threads * increments
