"""Model constraints hold in the database itself, not only in forms."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from housing_security.extensions import db
from housing_security.models import (
    Application,
    ApplicationEvent,
    AuditLog,
    Household,
    Jurisdiction,
    Member,
    Unit,
    User,
)
from housing_security.models.cases import AppendOnlyError


def _street():
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "wucheng"))


@pytest.mark.parametrize("change", [
    {"role": "king"},
    {"role": "street_caseworker", "jurisdiction_id": None},
])
def test_user_role_and_staff_jurisdiction_are_checked(app, change):
    with app.app_context():
        user = User(username="x1", password_hash="h", display_name="x", role="applicant")
        for key, value in change.items():
            setattr(user, key, value)
        db.session.add(user)
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_foreign_keys_are_enforced(app):
    with app.app_context():
        db.session.add(Member(household_id=999999, name="无", id_number="110101199003077777", relation="self",
                              birth_date=date(1990, 3, 7)))
        with pytest.raises(IntegrityError):
            db.session.commit()


@pytest.mark.parametrize("field,value", [("income_month", Decimal("-1")), ("relation", "cousin"),
                                         ("id_number", "1234")])
def test_member_checks(app, field, value):
    with app.app_context():
        household = Household(street=_street(), hukou_city="taiyuan")
        member = Member(name="甲", id_number="110101199003077777", relation="self", birth_date=date(1990, 3, 7))
        setattr(member, field, value)
        household.members.append(member)
        db.session.add(household)
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_same_id_number_twice_in_one_household_is_refused(app):
    with app.app_context():
        household = Household(street=_street(), hukou_city="taiyuan")
        for relation in ("self", "spouse"):
            household.members.append(Member(name="甲", id_number="110101199003077777", relation=relation,
                                            birth_date=date(1990, 3, 7)))
        db.session.add(household)
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_unit_area_must_be_positive_and_status_known(app):
    with app.app_context():
        unit = db.session.scalars(select(Unit)).first()
        unit.area_m2 = Decimal("0")
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        unit = db.session.scalars(select(Unit)).first()
        unit.status = "sold"
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_application_status_and_programme_are_checked(app):
    with app.app_context():
        application = db.session.scalars(select(Application)).first()
        application.programme = "castle"
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_events_and_audit_rows_are_append_only(app):
    with app.app_context():
        event = db.session.scalars(select(ApplicationEvent)).first()
        event.reason = "rewritten"
        with pytest.raises(AppendOnlyError):
            db.session.commit()
        db.session.rollback()
        row = db.session.scalars(select(AuditLog)).first()
        db.session.delete(row)
        with pytest.raises(RuntimeError):
            db.session.commit()


def test_two_officers_saving_one_case_cannot_both_win(app):
    """Officer B opened the case before officer A saved it; B's later save must not overwrite A's."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    with app.app_context():
        case_id = db.session.scalars(select(Application.id)).first()
        db.session.remove()
        with Session(db.engine, expire_on_commit=False) as second:
            stale_copy = second.get(Application, case_id)
            second.commit()  # B's page is rendered; B's transaction is over
            with Session(db.engine) as first:
                fresh = first.get(Application, case_id)
                fresh.declines = (fresh.declines or 0) + 1
                first.commit()
            stale_copy.declines = (stale_copy.declines or 0) + 5
            with pytest.raises(StaleDataError):
                second.commit()


def test_jurisdiction_lineage(app):
    with app.app_context():
        street = _street()
        assert [j.code for j in street.lineage()] == ["wucheng", "xiaodian", "taiyuan", "shanxi"]
        city = street.ancestor("city")
        assert city.contains(street) and not street.contains(city)
