"""The size limits of a single unit of the stock (plan §4(2), plan box 1, the packs' caps) and the published
lottery as the public re-checks it: the ranks that follow the last draw, and the verification of a draw record
against an independent computation of the published rule (sha256 of "seed:id", ties by id)."""
import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from housing_security.policy import drawn_lottery_ranks, load_pack, verify_published_draw
from housing_security.policy.units import area_within_limits, unit_area_limits, unit_tenure

SNAP = load_pack("default").at(dt.date(2026, 12, 1))


# --- the tenure a unit is held under --------------------------------------------------------------------------------

@pytest.mark.parametrize("programme,tenure,kind,expected", [
    ("subsidized_rental", None, "dormitory", "dormitory"),        # plan §4(2): the dormitory type
    ("subsidized_rental", "", "dormitory", "dormitory"),
    ("subsidized_rental", None, "apartment", "residential"),
    ("subsidized_rental", "residential", "dormitory", "residential"),   # its own tenure wins
    ("public_rental", None, "dormitory", "unit"),                 # only subsidized rental has the dormitory type
    ("public_rental", None, "apartment", "unit"),
    ("talent", None, "apartment", "rental"),
    ("talent", "shared_ownership", "apartment", "shared_ownership"),
    ("talent", "full_property", "dormitory", "full_property"),
    ("shared_ownership", None, "apartment", "property"),
])
def test_unit_tenure(programme, tenure, kind, expected):
    assert unit_tenure(programme, tenure, kind) == expected


# --- the size limits of one unit ------------------------------------------------------------------------------------

def limits(programme, tenure=None, kind=None):
    lo, hi, refs = (unit_area_limits(SNAP, programme, tenure) if kind is None
                    else unit_area_limits(SNAP, programme, tenure, kind))
    return lo, hi, [r.name for r in refs]


@pytest.mark.parametrize("programme,tenure,kind,expected", [
    ("public_rental", None, None, (0, 60, ["public_rental.unit_area_max"])),
    ("public_rental", "rent_subsidy", "dormitory", (0, 60, ["public_rental.unit_area_max"])),
    ("subsidized_rental", None, None, (0, 70, ["subsidized_rental.residential_area_max"])),
    ("subsidized_rental", None, "apartment", (0, 70, ["subsidized_rental.residential_area_max"])),
    ("subsidized_rental", None, "dormitory",
     (20, 45, ["subsidized_rental.dormitory_area_min", "subsidized_rental.dormitory_area_max"])),
    ("subsidized_rental", "dormitory", None,
     (20, 45, ["subsidized_rental.dormitory_area_min", "subsidized_rental.dormitory_area_max"])),
    ("talent", None, None, (0, 90, ["talent.rental_area_max"])),
    ("talent", "shared_ownership", None, (90, 120, ["talent.shared_area_min", "talent.shared_area_max"])),
    ("talent", "full_property", None, (0, None, ["talent.full_property_area_max"])),
    ("shared_ownership", None, None, (0, 90, ["shared_ownership.unit_area_max"])),
])
def test_unit_area_limits_from_the_pack(programme, tenure, kind, expected):
    lo, hi, names = limits(programme, tenure, kind)
    assert (lo, hi, names) == expected
    assert isinstance(lo, Decimal) and (hi is None or isinstance(hi, Decimal))


def test_unit_area_limits_reject_a_tenure_of_another_programme():
    with pytest.raises(ValueError):
        unit_area_limits(SNAP, "subsidized_rental", "shared_ownership")


@pytest.mark.parametrize("area,lo,hi,inside", [
    (60, 0, 60, True), ("60.00", 0, 60, True), (60.01, 0, 60, False), (0.01, 0, 60, True),
    (0, 0, 60, False),                      # no unit has no floor area
    (-1, -5, None, False),
    (20, 20, 45, True), (19.99, 20, 45, False), (45, 20, 45, True), (45.5, 20, 45, False),
    (500, 0, None, True), (89.99, 90, None, False),
])
def test_area_within_limits_at_each_edge(area, lo, hi, inside):
    assert area_within_limits(area, Decimal(lo), None if hi is None else Decimal(hi)) is inside


# --- the ranks that follow the last draw ----------------------------------------------------------------------------

ENTRIES = [
    {"id": "a", "approved_on": "2024-01-10"},
    {"id": "b", "approved_on": "2024-03-01"},
    {"id": "c", "approved_on": "2024-02-01"},
    {"id": "d", "approved_on": "2025-06-01"},     # joined after the draw
    {"id": "e"},                                  # joined after the draw, no approval date known
    {"id": "f", "approved_on": "2025-05-01"},     # joined after the draw, approved earlier than d
    {"id": "g", "approved_on": "2025-05-01"},     # same day as f: by id
]


def test_drawn_entries_first_in_drawn_order_then_latecomers_by_approval_then_id():
    ranks = drawn_lottery_ranks(ENTRIES, ["c", "zz-housed-since", "a", "b"])
    assert ranks == [("c", 1), ("a", 2), ("b", 3), ("f", 4), ("g", 5), ("d", 6), ("e", 7)]


def test_drawn_order_given_as_numbers_matches_string_ids():
    entries = [{"id": 10, "approved_on": "2024-01-01"}, {"id": 7, "approved_on": "2023-01-01"},
               {"id": 3, "approved_on": "2025-01-01"}]
    assert drawn_lottery_ranks(entries, [3, 10]) == [("3", 1), ("10", 2), ("7", 3)]


def test_without_a_draw_the_list_is_by_approval_date():
    assert drawn_lottery_ranks(ENTRIES) == [("a", 1), ("c", 2), ("b", 3), ("f", 4), ("g", 5), ("d", 6), ("e", 7)]
    assert drawn_lottery_ranks([]) == []


def test_drawn_ranks_need_distinct_ids():
    with pytest.raises(ValueError, match="^waiting-list entries must have distinct ids$"):
        drawn_lottery_ranks(ENTRIES + [{"id": "a"}], ["a"])


# --- verifying a published draw record ------------------------------------------------------------------------------

def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def published(ids, seed):
    """The record as the bureau publishes it, computed here from the published rule, not by the product."""
    order = sorted(set(ids), key=lambda i: (sha(f"{seed}:{i}"), i))
    return {"entries": [{"id": i} for i in ids], "seed": seed, "seed_hash": sha(seed),
            "entries_hash": sha("\n".join(sorted(set(ids)))), "order": order}


IDS = ["h1", "h2", "h3", "h4", "h5", "h6"]
SEED = "2026-12-01 round 7"


def test_an_honest_record_checks_out():
    doc = published(IDS, SEED)
    assert doc["order"] != sorted(IDS)          # the seed matters for this record
    assert verify_published_draw(doc) == []
    assert verify_published_draw(dict(doc, entries=list(IDS))) == []   # entries as bare ids


def test_numeric_ids_are_compared_as_text():
    doc = published(["7", "12", "30"], "s")
    doc["entries"] = [{"id": 7}, {"id": 12}, {"id": 30}]
    doc["order"] = [int(i) for i in doc["order"]]
    assert verify_published_draw(doc) == []
    doc["entries"] = [7, 12, 30]
    assert verify_published_draw(doc) == []


def test_another_seed_than_the_committed_one():
    doc = published(IDS, SEED)
    other = published(IDS, SEED + "!")
    assert verify_published_draw(dict(doc, seed=other["seed"], order=other["order"])) == ["seed_hash"]


def test_entries_changed_after_publication():
    doc = published(IDS, SEED)
    late = published(IDS + ["h7"], SEED)
    assert verify_published_draw(dict(late, entries_hash=doc["entries_hash"])) == ["entries_hash"]


def test_an_order_that_is_not_a_permutation_of_the_entries():
    doc = published(IDS, SEED)
    assert verify_published_draw(dict(doc, order=doc["order"][:-1])) == ["entries_order", "order"]
    assert verify_published_draw(dict(doc, order=doc["order"] + doc["order"][:1])) == ["entries_order", "order"]
    swapped = doc["order"][:-1] + ["h9"]
    assert verify_published_draw(dict(doc, order=swapped)) == ["entries_order", "order"]


def test_an_order_that_does_not_follow_from_the_seed():
    doc = published(IDS, SEED)
    assert verify_published_draw(dict(doc, order=list(reversed(doc["order"])))) == ["order"]
    assert verify_published_draw(dict(doc, order=sorted(IDS))) == ["order"]


def test_everything_wrong_at_once():
    doc = published(IDS, SEED)
    bad = dict(doc, seed_hash=sha("x"), entries_hash=sha("y"), order=["h1"])
    assert verify_published_draw(bad) == ["seed_hash", "entries_hash", "entries_order", "order"]


@pytest.mark.parametrize("change", [
    {"seed": ""}, {"seed": 7}, {"seed": None}, {"entries": None}, {"order": None},
])
def test_incomplete_records(change):
    assert verify_published_draw(dict(published(IDS, SEED), **change)) == ["incomplete"]


@pytest.mark.parametrize("missing", ["entries", "seed", "order", "seed_hash", "entries_hash"])
def test_a_missing_field_is_incomplete(missing):
    doc = published(IDS, SEED)
    del doc[missing]
    assert verify_published_draw(doc) == ["incomplete"]
    assert verify_published_draw({"entries": [{"name": "no id"}], "seed": SEED, "seed_hash": sha(SEED),
                                  "entries_hash": "", "order": []}) == ["incomplete"]
