"""Justified envy when one district holds several unit classes: the household compares itself with the least senior
holder of all of them, whichever class that holder's unit belongs to (worked by hand, both ways round)."""
import pytest

from .test_metrics_by_hand import envy, household, unit

# Two classes in district A (35 m² and 45 m², both in the 1–2 person band); one class in B.
UNITS = [unit("U1", "A", 35), unit("U2", "A", 45), unit("U3", "B", 35)]


@pytest.mark.parametrize("hand", [{"J3": "U1", "J5": "U2"}, {"J3": "U2", "J5": "U1"}])
def test_unhoused_household_envies_the_least_senior_of_two_classes(hand):
    hh = [household("J3", 3, 1, ["A"], "2026-11-01"), household("S4", 4, 1, ["A"], "2026-11-01"),
          household("J5", 5, 1, ["A"], "2026-11-01")]
    assert envy(UNITS, hh, hand) == 1          # S4 (rank 4) envies J5 (rank 5), not J3 (rank 3)


@pytest.mark.parametrize("hand", [{"J3": "U1", "J5": "U2"}, {"J3": "U2", "J5": "U1"}])
def test_household_housed_lower_envies_the_least_senior_of_two_classes(hand):
    hh = [household("J3", 3, 1, ["A"], "2026-11-01"), household("S4", 4, 1, ["A", "B"], "2026-11-01"),
          household("J5", 5, 1, ["A"], "2026-11-01")]
    assert envy(UNITS, hh, {**hand, "S4": "U3"}) == 1   # S4 got its second district while J5 holds its first


def test_every_unhoused_member_of_a_class_is_counted():
    hh = [household("S2", 2, 1, ["A", "B"], "2026-11-01"), household("S3", 3, 1, ["A", "B"], "2026-11-01"),
          household("J4", 4, 1, ["A", "B"], "2026-11-01"), household("J5", 5, 1, ["A", "B"], "2026-11-01")]
    assert envy(UNITS, hh, {"J4": "U1"}) == 2               # S2 and S3 both envy J4; J5 envies no one senior
    assert envy(UNITS, hh, {"J4": "U3", "J5": "U1"}) == 3   # S2, S3 (unhoused) and J4 (housed in B) envy J5
