"""Commitment B in the simulation: a due household is covered by a unit or a subsidy, whatever the reason
it is left without a unit, declining its offer included (plan §12.1)."""
from housing_security.allocation import simulate


def test_due_households_that_decline_are_subsidised_so_coverage_is_total():
    rows = simulate(8, seed=3, households=400, portfolio_units=600, decline_rate=0.5)
    cohort = sum(r[m]["deadline_cohort"] for r in rows for m in ("optimal", "fifo"))
    declined = sum(r[m]["due_declined_subsidised"] for r in rows for m in ("optimal", "fifo"))
    assert cohort > 0 and declined > 0
    for row in rows:
        for method in ("optimal", "fifo"):
            month = row[method]
            if month["deadline_cohort"]:
                assert month["covered_within_6"] == 1.0, (row["month"], method)
            assert month["due_subsidised"] >= month["due_declined_subsidised"]
