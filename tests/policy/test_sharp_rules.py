"""Rules whose mutants survived the older tests: month arithmetic, the commitment, the lottery against an
independent computation of its published rule, queue ties, prices with a non-unit factor, unit sizes."""
import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from housing_security.policy import (
    Household,
    evaluate,
    load_pack,
    lottery_draw,
    pack_from_mapping,
    points_score,
    queue_ranks,
    seed_hash,
    verify_lottery,
)
from housing_security.policy.engine import add_months
from housing_security.policy.money import (
    buyback_price,
    money,
    rent_subsidy,
    resale_allowed,
    subsidized_rent_ceiling,
    subsidy_amount,
    subsidy_group,
    talent_price,
)
from housing_security.policy.ordering import entries_hash
from housing_security.policy.units import allowed_area_range, unit_fits

from .conftest import AS_OF, household_dict

CITY = "taiyuan"
PACK = load_pack(CITY)


def variant(**values):
    """Taiyuan's pack with some figures replaced (in force since 2000): the shipped packs stay as they are."""
    params = {name.replace("__", "."): {"values": {dt.date(2000, 1, 1): value}} for name, value in values.items()}
    # Same code as the city, so that decisions under it are for Taiyuan households.
    return pack_from_mapping({"code": CITY, "parameters": params}, parent=PACK)


# --- calendar months -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("day,months,expected", [
    ("2024-08-31", 6, "2025-02-28"),   # year rollover and month end clamped to a common February
    ("2023-08-31", 6, "2024-02-29"),   # … and to a leap February
    ("2024-01-31", 1, "2024-02-29"),
    ("2023-01-29", 1, "2023-02-28"),
    ("2024-01-30", 1, "2024-02-29"),
    ("2024-05-31", 1, "2024-06-30"),
    ("2024-03-31", 1, "2024-04-30"),
    ("2024-06-15", 6, "2024-12-15"),   # December: month index 11 stays in the same year
    ("2024-07-15", 6, "2025-01-15"),
    ("2024-12-15", 1, "2025-01-15"),
    ("2024-05-31", 12, "2025-05-31"),
    ("2024-05-31", 24, "2026-05-31"),
    ("2024-05-20", 0, "2024-05-20"),
    ("2024-12-31", 2, "2025-02-28"),
])
def test_add_months(day, months, expected):
    assert add_months(dt.date.fromisoformat(day), months) == dt.date.fromisoformat(expected)


# --- the six-month commitment ---------------------------------------------------------------------------------------

def _public(programme="public_rental", **kw):
    kw.setdefault("groups", {"low_income": True})
    kw.setdefault("approved_on", "2024-08-31")
    return evaluate(Household.from_dict(household_dict(**kw)), programme, CITY, AS_OF)


def test_commitment_applies_with_a_deadline_in_calendar_months():
    d = _public()
    months = int(PACK.value("public_rental.commitment_months", AS_OF))
    assert d.eligible and d.commitment_applies
    assert d.commitment_deadline == add_months(dt.date(2024, 8, 31), months)
    if months == 6:
        assert d.commitment_deadline == dt.date(2025, 2, 28)
    assert [p.name for p in d.extra_parameters] == ["public_rental.commitment_months",
                                                    "public_rental.commitment_groups"]
    out = d.to_dict()["commitment"]
    assert out["applies"] is True and out["deadline"] == d.commitment_deadline.isoformat()


def test_commitment_without_approval_date_applies_without_deadline():
    d = _public(approved_on=None)
    assert d.commitment_applies and d.commitment_deadline is None


@pytest.mark.parametrize("programme", ["subsidized_rental", "talent", "shared_ownership"])
def test_commitment_does_not_apply_outside_public_rental(programme):
    data = household_dict(groups={"low_income": True}, approved_on="2024-08-31")
    data["members"][0].update(employed_locally=True, talent_category="A")
    d = evaluate(Household.from_dict(data), programme, CITY, AS_OF)
    assert d.eligible
    assert (d.commitment_applies, d.commitment_deadline, d.extra_parameters) == (False, None, [])
    assert d.rent_subsidy_month is None


def test_commitment_needs_a_covered_group():
    covered = PACK.value("public_rental.commitment_groups", AS_OF)
    d = _public(groups={"veteran_family": True} if "veteran_family" not in covered else {})
    assert d.eligible and not d.commitment_applies and d.commitment_deadline is None
    assert len(d.extra_parameters) == 2


def test_commitment_needs_eligibility():
    d = _public(incomes=[999999, 0])
    assert not d.eligible and not d.commitment_applies and d.rent_subsidy_month is None


@pytest.mark.parametrize("city,hukou_type", [("datong", "urban"), ("taiyuan", "rural")])
def test_commitment_needs_local_urban_hukou_even_where_the_rules_do_not(city, hukou_type):
    # A pack variant without the hukou rule: the household is eligible, yet the commitment covers local urban
    # hukou only.
    rules = [r for r in PACK.value("public_rental.rules", AS_OF) if r != "local_urban_hukou"]
    pack = variant(public_rental__rules=rules)
    h = Household.from_dict(household_dict(groups={"low_income": True}, approved_on="2024-08-31",
                                           hukou_city=city, hukou_type=hukou_type))
    d = evaluate(h, "public_rental", pack, AS_OF)
    assert d.eligible and not d.commitment_applies
    same = Household.from_dict(household_dict(groups={"low_income": True}, approved_on="2024-08-31"))
    assert evaluate(same, "public_rental", pack, AS_OF).commitment_applies


def test_rent_subsidy_for_eligible_public_rental_only():
    d = _public(incomes=[100, 100], area=0)
    assert d.rent_subsidy_month is not None and d.rent_subsidy_month > 0
    assert d.rent_subsidy_month == rent_subsidy(Household.from_dict(household_dict(
        incomes=[100, 100], area=0, groups={"low_income": True})), CITY, AS_OF)


# --- whole months waited -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("approved,months", [
    ("2024-01-01", 5), ("2024-01-02", 4), ("2023-12-31", 5), ("2023-06-01", 12), ("2023-06-02", 11),
    ("2024-06-01", 0), ("2024-06-02", 0), ("2025-01-01", 0), ("2024-05-31", 0), ("2024-05-01", 1)])
def test_points_count_whole_months_waited(approved, months):
    per_month = Decimal(str(PACK.value("priority.points_per_waiting_month", AS_OF)))
    entry = {"id": "x", "priority_groups": [], "approved_on": approved}
    assert points_score(entry, CITY, AS_OF) == per_month * months  # AS_OF is 2024-06-01


@pytest.mark.parametrize("approved,as_of,months", [
    ("2024-01-31", "2024-02-29", 1), ("2024-01-31", "2024-02-28", 0), ("2023-01-31", "2023-02-28", 1),
    ("2024-03-31", "2024-04-30", 1), ("2024-01-30", "2024-02-29", 1), ("2024-02-29", "2024-03-28", 0),
    ("2024-02-29", "2024-03-29", 1), ("2023-08-31", "2024-02-29", 6), ("2024-08-31", "2025-02-28", 6)])
def test_whole_months_end_on_month_ends_as_add_months_counts_them(approved, as_of, months):
    # A month from 31 January ends on 29 February (add_months clamps to the month's last day), so the point for
    # it is earned that day, not on 1 March.
    start, end = dt.date.fromisoformat(approved), dt.date.fromisoformat(as_of)
    per_month = Decimal(str(PACK.value("priority.points_per_waiting_month", end)))
    assert points_score({"id": "x", "approved_on": approved}, CITY, end) == per_month * months
    assert add_months(start, months) <= end < add_months(start, months + 1)


def test_whole_months_agree_with_add_months_over_two_years():
    per_month = Decimal(str(PACK.value("priority.points_per_waiting_month", AS_OF)))
    for start in (dt.date(2023, 1, 28) + dt.timedelta(days=d) for d in range(0, 400, 7)):
        for end in (start + dt.timedelta(days=d) for d in range(0, 400, 3)):
            expected = max(m for m in range(0, 30) if add_months(start, m) <= end)
            assert points_score({"id": "x", "approved_on": start}, CITY, end) == per_month * expected, (start, end)


def test_points_add_each_group_once():
    table = PACK.value("priority.points", AS_OF)
    entry = {"id": "x", "priority_groups": ["elderly", "elderly", "low_income", "unknown"]}
    assert points_score(entry, CITY, AS_OF) == Decimal(str(table["elderly"])) + Decimal(str(table["low_income"]))


def test_points_ties_broken_by_approval_then_id():
    entries = [{"id": "b", "priority_groups": ["elderly"]},
               {"id": "a", "priority_groups": ["elderly"]},
               {"id": "c", "priority_groups": ["elderly"], "approved_on": "2024-06-01"},
               {"id": "d", "priority_groups": ["low_income"]}]
    ranks = queue_ranks(entries, CITY, AS_OF, "points")
    table = PACK.value("priority.points", AS_OF)
    assert table["low_income"] > table["elderly"]
    assert ranks == [("d", 1), ("c", 2), ("a", 3), ("b", 4)]


def test_priority_ties_and_entries_without_group():
    entries = [{"id": "n2", "approved_on": "2020-01-01"}, {"id": "n1", "approved_on": "2020-01-01"},
               {"id": "x", "priority_groups": ["not_a_group"], "approved_on": "2019-01-01"},
               {"id": "e", "priority_groups": ["elderly"]},
               {"id": "e0", "priority_groups": ["elderly"], "approved_on": "2024-01-01"}]
    assert queue_ranks(entries, CITY, AS_OF, "priority") == [("e0", 1), ("e", 2), ("x", 3), ("n1", 4), ("n2", 5)]


def test_queue_refusals():
    with pytest.raises(ValueError, match="ordering method"):
        queue_ranks([], CITY, AS_OF, "alphabetical")
    with pytest.raises(ValueError, match="distinct"):
        queue_ranks([{"id": "a"}, {"id": "a"}], CITY, AS_OF, "priority")
    with pytest.raises(ValueError, match="seed"):
        queue_ranks([{"id": "a"}], CITY, AS_OF, "lottery")


# --- the lottery, recomputed from its published rule -----------------------------------------------------------------

def published_rule(ids, seed):
    """The algorithm as published: sort by sha256(seed + ':' + id) in hex, ties by id; entries hash = sha256 of
    the sorted distinct ids joined by newlines."""
    ids = sorted(set(ids))
    tickets = {i: hashlib.sha256((seed + ":" + i).encode("utf-8")).hexdigest() for i in ids}
    order = sorted(ids, key=lambda i: (tickets[i], i))
    return order, hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()


IDS = [f"H{i}" for i in range(1, 30)] + ["张三-7", "a", "b"]


@pytest.mark.parametrize("seed", ["2024-06-01 太原 第3轮", "x", "seed with spaces", "0"])
def test_lottery_matches_the_published_rule(seed):
    result = lottery_draw(reversed(IDS + IDS[:3]), seed)
    order, ehash = published_rule(IDS, seed)
    assert list(result.order) == order
    assert result.entries_hash == ehash == entries_hash(IDS)
    assert result.seed == seed
    assert result.seed_hash == hashlib.sha256(seed.encode("utf-8")).hexdigest() == seed_hash(seed)
    assert result.to_dict() == {"order": order, "seed": seed, "seed_hash": result.seed_hash,
                                "entries_hash": ehash, "algorithm": "sort by sha256(seed + ':' + id), ties by id"}


def test_lottery_depends_on_the_seed():
    assert lottery_draw(IDS, "one").order != lottery_draw(IDS, "two").order
    assert list(lottery_draw(IDS, "one").order) != sorted(IDS)


def test_lottery_queue_ranks_follow_the_draw():
    seed = "round-7"
    order, _ = published_rule(IDS, seed)
    ranks = queue_ranks([{"id": i} for i in IDS], CITY, AS_OF, "lottery", seed=seed)
    assert ranks == [(i, n) for n, i in enumerate(order, start=1)]


@pytest.mark.parametrize("seed", ["", None, 7])
def test_lottery_refuses_an_empty_or_missing_seed(seed):
    with pytest.raises(ValueError, match=r"^the lottery needs a non-empty seed$"):
        lottery_draw(IDS, seed)


def test_entries_hash_separator_and_order():
    assert entries_hash(["b", "a", "a"]) == hashlib.sha256(b"a\nb").hexdigest()
    assert entries_hash([1, 2]) == hashlib.sha256(b"1\n2").hexdigest()
    assert entries_hash(["ab"]) != entries_hash(["a", "b"])


def test_verify_lottery():
    published = lottery_draw(IDS, "s3cret").to_dict()
    assert verify_lottery(published) is True
    without_hash = {k: v for k, v in published.items() if k != "entries_hash"}
    assert verify_lottery(without_hash) is True
    assert verify_lottery({**published, "entries_hash": entries_hash(IDS + ["extra"])}) is False
    assert verify_lottery({**published, "entries_hash": "0" * 64}) is False
    assert verify_lottery({**published, "seed_hash": seed_hash("other")}) is False
    assert verify_lottery({**published, "seed": "other"}) is False
    swapped = list(published["order"])
    swapped[0], swapped[1] = swapped[1], swapped[0]
    assert verify_lottery({**published, "order": swapped}) is False
    # A different seed with its own matching commitment does not reproduce the published order.
    assert verify_lottery({**published, "seed": "other", "seed_hash": seed_hash("other")}) is False


# --- money with non-unit factors -----------------------------------------------------------------------------------

def test_talent_prices_with_non_unit_factors():
    pack = variant(talent__shared_price_factor=0.8, talent__buyback_price_factor=0.9,
                   talent__full_property_markup=0.05)
    assert talent_price(100000, "shared_ownership", pack, AS_OF) == Decimal("80000.00")
    assert talent_price("1234.567", "shared_ownership", pack, AS_OF) == Decimal("987.65")
    assert talent_price(100000, "full_property", pack, AS_OF) == Decimal("105000.00")
    assert buyback_price(200000, pack, AS_OF) == Decimal("180000.00")
    assert buyback_price("0.05", pack, AS_OF) == Decimal("0.05")  # 0.045 → 0.05 half up
    with pytest.raises(ValueError, match="not sold"):
        talent_price(100000, "rental", pack, AS_OF)


def test_talent_prices_in_the_shipped_pack():
    markup = Decimal(str(PACK.value("talent.full_property_markup", AS_OF)))
    assert talent_price(100000, "full_property", CITY, AS_OF) == money(100000 * (1 + markup))


def test_resale_on_the_anniversary_of_29_february():
    pack = variant(talent__resale_years=5)
    start = dt.date(2020, 2, 29)
    assert resale_allowed(pack, dt.date(2025, 2, 28), work_started=start)
    assert not resale_allowed(pack, dt.date(2025, 2, 27), work_started=start)
    pack4 = variant(talent__resale_years=4)
    assert resale_allowed(pack4, dt.date(2024, 2, 29), work_started=start)
    assert not resale_allowed(pack4, dt.date(2024, 2, 28), work_started=start)
    assert resale_allowed(pack, dt.date(2030, 6, 1), work_started=dt.date(2025, 6, 1))
    assert not resale_allowed(pack, dt.date(2030, 5, 31), work_started=dt.date(2025, 6, 1))


def test_resale_by_years_of_work():
    pack = variant(talent__resale_years=5)
    assert resale_allowed(pack, AS_OF, full_time_years=5)
    assert resale_allowed(pack, AS_OF, full_time_years="5.5")
    assert not resale_allowed(pack, AS_OF, full_time_years="4.99")
    with pytest.raises(ValueError, match="work_started"):
        resale_allowed(pack, AS_OF)


def test_subsidy_amount_edges():
    assert subsidy_amount(2, 10, 15, 10) == Decimal("200.00")          # (30 − 10) × 10
    assert subsidy_amount(2, 30, 15, 10) == Decimal("0.00")            # no shortfall
    assert subsidy_amount(2, 40, 15, 10) == Decimal("0.00")            # never negative
    assert subsidy_amount(2, 10, 15, 10, cap=200) == Decimal("200.00")
    assert subsidy_amount(2, 10, 15, 10, cap=150) == Decimal("150.00")
    assert subsidy_amount(3, "0.5", "0.5", "0.01") == Decimal("0.01")  # 1 × 0.01
    assert subsidy_amount(1, 0, "0.5", "0.01") == Decimal("0.01")      # 0.005 → 0.01 half up


def test_subsidy_group_picks_the_highest_rate():
    rates = {"minimum_allowance": 14, "low_income": 10, "special_hardship": 14, "other": 99}
    assert subsidy_group(["low_income", "minimum_allowance"], rates) == "minimum_allowance"
    assert subsidy_group(["minimum_allowance", "special_hardship"], rates) == "special_hardship"  # tie: by name
    assert subsidy_group(["elderly"], rates) == "other"
    assert subsidy_group(["other"], rates) == "other"
    assert subsidy_group([], rates) == "other"


def test_rent_ceiling_rounds_to_the_fen():
    ratio = Decimal(str(PACK.value("subsidized_rental.rent_ratio_max", AS_OF)))
    assert subsidized_rent_ceiling("1000.05", CITY, AS_OF) == money(Decimal("1000.05") * ratio)
    pack = variant(subsidized_rental__rent_ratio_max=0.85)
    assert subsidized_rent_ceiling(1001, pack, AS_OF) == Decimal("850.85")


# --- unit sizes ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("members", [1, 2, 3, 4, 5, 6])
def test_public_rental_area_range_by_household_size(members):
    bands = PACK.value("public_rental.area_bands", AS_OF)
    cap = Decimal(str(PACK.value("public_rental.unit_area_max", AS_OF)))
    per_person = Decimal(str(PACK.value("public_rental.area_per_person_min", AS_OF)))
    band = next((b for b in bands if members <= b["max_members"]), bands[-1])
    hi = min(Decimal(str(band["max_m2"])), cap)
    lo = min(per_person * members, hi)
    assert allowed_area_range(members, "public_rental", CITY, AS_OF) == (lo, hi)
    assert unit_fits(hi, members, "public_rental", CITY, AS_OF)
    assert unit_fits(lo, members, "public_rental", CITY, AS_OF)
    assert not unit_fits(hi + Decimal("0.01"), members, "public_rental", CITY, AS_OF)
    if lo > 0:
        assert not unit_fits(lo - Decimal("0.01"), members, "public_rental", CITY, AS_OF)


def test_area_bands_switch_exactly_at_max_members():
    pack = variant(public_rental__area_bands=[{"max_members": 1, "max_m2": 30}, {"max_members": 3, "max_m2": 50},
                                             {"max_members": 4, "max_m2": 70}],
                   public_rental__unit_area_max=65, public_rental__area_per_person_min=12)
    assert allowed_area_range(1, "public_rental", pack, AS_OF) == (12, 30)
    assert allowed_area_range(2, "public_rental", pack, AS_OF) == (24, 50)
    assert allowed_area_range(3, "public_rental", pack, AS_OF) == (36, 50)
    assert allowed_area_range(4, "public_rental", pack, AS_OF) == (48, 65)   # capped by unit_area_max
    assert allowed_area_range(6, "public_rental", pack, AS_OF) == (65, 65)   # past the last band; lo capped at hi


def test_other_programmes_area_ranges():
    def p(name):
        return Decimal(str(PACK.value(name, AS_OF)))
    assert allowed_area_range(2, "subsidized_rental", CITY, AS_OF, "dormitory") == (
        p("subsidized_rental.dormitory_area_min"), p("subsidized_rental.dormitory_area_max"))
    assert allowed_area_range(2, "subsidized_rental", CITY, AS_OF) == (0, p("subsidized_rental.residential_area_max"))
    assert allowed_area_range(2, "talent", CITY, AS_OF, "shared_ownership") == (
        p("talent.shared_area_min"), p("talent.shared_area_max"))
    assert allowed_area_range(2, "talent", CITY, AS_OF, "rental") == (0, p("talent.rental_area_max"))
    full = PACK.value("talent.full_property_area_max", AS_OF)
    assert allowed_area_range(2, "talent", CITY, AS_OF, "full_property") == (
        0, None if full is None else Decimal(str(full)))
    assert allowed_area_range(2, "shared_ownership", CITY, AS_OF) == (0, p("shared_ownership.unit_area_max"))
    with pytest.raises(ValueError, match="does not belong"):
        allowed_area_range(2, "public_rental", CITY, AS_OF, "dormitory")


def test_by_need_maximum_fits_any_area():
    pack = variant(talent__full_property_area_max=None)
    assert allowed_area_range(1, "talent", pack, AS_OF, "full_property") == (0, None)
    assert unit_fits(500, 1, "talent", pack, AS_OF, "full_property")


def test_talent_household_gets_its_primary_tenure():
    primary = PACK.value("talent.primary_tenure", AS_OF)
    for category, level in (("A", "high_level"), ("D", "general")):
        data = household_dict()
        data["members"][0]["talent_category"] = category
        h = Household.from_dict(data)
        expected = allowed_area_range(len(h.members), "talent", CITY, AS_OF, primary[level])
        assert allowed_area_range(h, "talent", CITY, AS_OF) == expected
    # Without a category the programme's first tenure applies.
    assert allowed_area_range(Household.from_dict(household_dict()), "talent", CITY, AS_OF) == \
        allowed_area_range(2, "talent", CITY, AS_OF, "rental")


def test_area_range_refuses_an_unknown_programme():
    from housing_security.policy.units import area_range_from
    with pytest.raises(ValueError, match="does not belong"):
        area_range_from(PACK.at(AS_OF), "villa", "unit", 2)
