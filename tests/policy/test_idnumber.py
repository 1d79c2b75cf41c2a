import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from housing_security.policy import (
    InvalidIdNumber,
    is_valid_id_number,
    make_id_number,
    mask_id_number,
    validate_id_number,
)

REGIONS = ["140105", "140702", "140213", "141002", "110105"]

valid_ids = st.builds(
    make_id_number,
    st.sampled_from(REGIONS),
    st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


def test_valid_number_gives_birth_date():
    assert validate_id_number("11010519491231002X") == dt.date(1949, 12, 31)
    assert validate_id_number("11010519491231002x") == dt.date(1949, 12, 31)


@pytest.mark.parametrize("number,reason", [
    ("11010519491231002", "length"),
    ("1101051949123100AX", "format"),
    ("110105194912310021", "checksum"),
    ("990105194912310023", "region"),
])
def test_reasons(number, reason):
    with pytest.raises(InvalidIdNumber) as exc:
        validate_id_number(number)
    assert exc.value.reason == reason


def test_impossible_and_future_birth_dates():
    body = "14010519850230123"  # 30 February
    from stdnum.cn import ric
    with pytest.raises(InvalidIdNumber) as exc:
        validate_id_number(body + ric.calc_check_digit(body + "0"))
    assert exc.value.reason == "birth_date"
    future = make_id_number("140105", dt.date(2030, 1, 1), 1)
    assert is_valid_id_number(future)
    assert not is_valid_id_number(future, as_of=dt.date(2024, 6, 1))


def test_region_codes_created_after_birth_are_accepted():
    # 小店区 (140105) dates from 1997, yet people born earlier hold numbers with it.
    assert validate_id_number(make_id_number("140105", dt.date(1960, 5, 1), 1)) == dt.date(1960, 5, 1)


def test_mask():
    assert mask_id_number("140105198503021239") == "140105********1239"
    assert mask_id_number("") == ""


@settings(max_examples=60, deadline=None)
@given(valid_ids, st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=10))
def test_every_single_character_change_is_rejected(number, pos, delta):
    assert is_valid_id_number(number)
    alphabet = "0123456789X" if pos == 17 else "0123456789"
    i = alphabet.index(number[pos])
    changed = number[:pos] + alphabet[(i + delta) % len(alphabet)] + number[pos + 1:]
    if changed != number:
        assert not is_valid_id_number(changed)
