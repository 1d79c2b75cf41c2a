"""Resident ID numbers (GB 11643): check digit, birth date and region via python-stdnum."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from stdnum import numdb
from stdnum.cn import ric

from .errors import InvalidIdNumber

_ALLOWED = frozenset("0123456789")
_LOC = numdb.get("cn/loc")


def normalise_id_number(s: str) -> str:
    if not isinstance(s, str):
        return s
    # stdnum's compact() strips separators character by character; bulk re-verification
    # passes numbers that are already clean, so skip it for them.
    if s.isascii() and s.isalnum():
        return s.upper()
    return ric.compact(s)


def is_well_formed(s: str) -> bool:
    """18 characters, 17 digits then a digit or X: what a form can check before the rules run."""
    return (
        isinstance(s, str)
        and len(s) == 18
        and _ALLOWED.issuperset(s[:17])
        and (s[17] in _ALLOWED or s[17] in "Xx")
    )


@lru_cache(maxsize=8192)
def _region_valid(prefix: str) -> bool:
    # stdnum also requires the county code to have existed in the birth year, which rejects
    # real numbers: people born before a district was created received its code when their
    # 18-digit number was issued (e.g. 140105 小店区 dates from 1997). So only the code's
    # existence is checked. Cached because the lookup dominates bulk re-verification.
    info = dict(kv for _, props in _LOC.info(prefix) for kv in props.items())
    return "county" in info


def validate_id_number(s: str, as_of: dt.date | None = None) -> dt.date:
    """Return the birth date encoded in a valid number, or raise InvalidIdNumber with a
    reason code: length, format, checksum, birth_date (impossible or after `as_of`), region."""
    number = normalise_id_number(s)
    if not isinstance(number, str) or len(number) != 18:
        raise InvalidIdNumber("length")
    if not is_well_formed(number):
        raise InvalidIdNumber("format")
    if ric.calc_check_digit(number) != number[17]:
        raise InvalidIdNumber("checksum")
    try:
        # Same reading as ric.get_birth_date, without its second compact() of the number.
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber("birth_date") from None
    if as_of is not None and birth > as_of:
        raise InvalidIdNumber("birth_date")
    if not _region_valid(number[:6]):
        raise InvalidIdNumber("region")
    return birth


def is_valid_id_number(s: str, as_of: dt.date | None = None) -> bool:
    try:
        validate_id_number(s, as_of)
    except InvalidIdNumber:
        return False
    return True


def mask_id_number(s: str) -> str:
    """Keep the region and the last four characters (e.g. 140105********1234)."""
    number = normalise_id_number(s) or ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def make_id_number(region: str, birth: dt.date, sequence: int) -> str:
    """A valid number for tests, examples and benchmarks (never for real people)."""
    body = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")
