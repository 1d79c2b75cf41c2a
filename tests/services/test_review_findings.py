"""Service defects found in review: each test failed before its fix."""
from __future__ import annotations

from datetime import date

import pytest

from housing_security.extensions import db
from housing_security.models import ParameterChange
from housing_security.services import parameters, reverification
from housing_security.services.calendar import add_months
from tests.services.helpers import new_case, user


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def test_never_reverified_cases_fall_due_after_the_citys_interval_not_a_hard_coded_year(ctx):
    today = date.today()
    db.session.add(ParameterChange(city_code="taiyuan", name="workflow.reverification_interval_months",
                                   effective_from=date(2021, 1, 1), value=6, citation="测试：半年一审",
                                   created_by_id=user("ty_admin").id))
    db.session.commit()
    parameters.forget()
    seven_months = new_case("waitlist", approved_on=add_months(today, -7), next_reverification_on=None)
    five_months = new_case("waitlist", approved_on=add_months(today, -5), next_reverification_on=None)
    due = set(db.session.scalars(reverification.due_query(today, "taiyuan").with_only_columns(
        reverification.Application.id)))
    assert seven_months in due and five_months not in due
    due_everywhere = set(db.session.scalars(reverification.due_query(today).with_only_columns(
        reverification.Application.id)))
    assert seven_months in due_everywhere and five_months not in due_everywhere


def test_completing_an_exit_audits_every_subsidy_it_ends(ctx):
    from decimal import Decimal

    from housing_security.models import RentSubsidy
    from tests.services.helpers import audits, get

    today = date.today()
    case_id = new_case("exiting", exit_buffer_until=date.fromordinal(today.toordinal() - 1))
    subsidy = RentSubsidy(application_id=case_id, amount_month=Decimal("300.00"), start_on=date(2025, 1, 1),
                          end_on=add_months(today, 6), status="stopped")
    db.session.add(subsidy)
    db.session.commit()
    assert reverification.reverify(get(case_id), today, user("liuchu")) == "exited"
    db.session.commit()
    assert db.session.get(RentSubsidy, subsidy.id).status == "ended"
    assert audits("rent_subsidy.end", str(subsidy.id))
