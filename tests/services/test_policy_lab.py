"""The policy lab: a change known to matter moves the simulated figures the expected way, and the same seed gives
the same figures."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from housing_security import policy
from housing_security.extensions import db
from housing_security.models import Application, PolicyLabRun
from housing_security.services import eligibility, parameters, policy_lab
from tests.services.helpers import new_case, user

TODAY = date.today()
LIMIT = "public_rental.income_limit_month"


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def _over_the_limit(count: int) -> list[int]:
    """Households that fail only the income limit, by a few yuan per person: a higher limit lets them in."""
    limit = Decimal(str(parameters.effective_pack("taiyuan").value(LIMIT, TODAY)))
    ids = []
    for _ in range(count):
        case_id = new_case("rejected", eligible=True, accept_any_district=True)
        application = db.session.get(Application, case_id)
        for member in application.household.members:
            member.income_month = limit + Decimal("50")
        db.session.commit()
        decision = policy.evaluate(eligibility.policy_household(application.household), "public_rental",
                                   parameters.effective_pack("taiyuan"), TODAY)
        assert decision.failed_codes == ["income_limit"]
        ids.append(case_id)
    return ids


def test_a_higher_income_limit_houses_more_households_and_the_same_seed_repeats(ctx):
    _over_the_limit(12)
    limit = Decimal(str(parameters.effective_pack("taiyuan").value(LIMIT, TODAY)))
    run = policy_lab.run_lab("taiyuan", "public_rental", LIMIT, str(limit + 200), TODAY, months=6, seed=3)
    base, changed = run["baseline"], run["changed"]
    assert len(base) == len(changed) == 6
    before, after = policy_lab.totals(base), policy_lab.totals(changed)
    assert after["housed"] > before["housed"]
    assert after["allocation_rate_end"] >= before["allocation_rate_end"]
    assert changed[0]["housed"] + changed[0]["waiting"] > base[0]["housed"] + base[0]["waiting"]
    again = policy_lab.run_lab("taiyuan", "public_rental", LIMIT, str(limit + 200), TODAY, months=6, seed=3)
    assert again == run
    # A change to nothing that matters leaves the two worlds identical.
    same = policy_lab.run_lab("taiyuan", "public_rental", LIMIT, str(limit), TODAY, months=3, seed=3)
    assert same["baseline"] == same["changed"]


def test_the_background_job_stores_its_result(ctx):
    run = policy_lab.create_run("taiyuan", "public_rental", LIMIT, "3000", TODAY, 2, 1, user("ty_admin"))
    db.session.commit()
    policy_lab.execute(run.id)
    db.session.expire_all()
    stored = db.session.get(PolicyLabRun, run.id)
    assert stored.status == "done" and len(stored.result["changed"]) == 2
