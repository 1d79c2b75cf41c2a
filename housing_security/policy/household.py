"""Household and member records: the engine's input, parsed from JSON-shaped dicts.

`from_dict` refuses records the engine cannot reason about (missing fields, wrong types,
negative money, an ID number that is not 18 characters of digits/X). A well-formed ID
number with a wrong check digit is *not* refused here: the `id_number_valid` rule reports
it, so a caseworker sees the reason inside the decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import InputError
from .idnumber import is_well_formed, normalise_id_number
from .vocabulary import DECLARED_GROUPS, HUKOU_TYPES, RELATIONS

SCHEMA_VERSION = 1

_MISSING = object()


def _get(data: Mapping, key: str, record: str, path: str, default: Any = _MISSING) -> Any:
    if key in data and data[key] is not None:
        return data[key]
    if default is _MISSING:
        raise InputError(record, path, "missing")
    return default


def _bool(value: Any, record: str, path: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(record, path, "must be true or false")
    return value


def _amount(value: Any, record: str, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise InputError(record, path, "must be a number")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InputError(record, path, "must be a number") from None
    if not amount.is_finite():
        raise InputError(record, path, "must be a finite number")
    if amount < 0:
        raise InputError(record, path, "must not be negative")
    return amount


def _date(value: Any, record: str, path: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(record, path, "must be a date (YYYY-MM-DD)")


def _text(value: Any, record: str, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(record, path, "must be a non-empty string")
    return value.strip()


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    id_number: str
    relation: str
    birth_date: dt.date | None = None
    disability: bool = False
    income_month: Decimal = Decimal(0)
    employed_locally: bool = False
    social_insurance_local: bool = False
    talent_category: str | None = None
    owns_home_in_city: bool = False

    @classmethod
    def from_dict(cls, data: Any, record: str = "?", path: str = "members[0]") -> Member:
        if not isinstance(data, Mapping):
            raise InputError(record, path, "must be an object")
        relation = _get(data, "relation", record, f"{path}.relation")
        if relation not in RELATIONS:
            raise InputError(record, f"{path}.relation", f"must be one of {', '.join(RELATIONS)}")
        id_number = normalise_id_number(_get(data, "id_number", record, f"{path}.id_number"))
        if not is_well_formed(id_number):
            raise InputError(record, f"{path}.id_number", "must be 18 characters: 17 digits then a digit or X")
        birth = data.get("birth_date")
        category = data.get("talent_category")
        if category is not None:
            category = _text(category, record, f"{path}.talent_category")
        return cls(
            name=_text(_get(data, "name", record, f"{path}.name"), record, f"{path}.name"),
            id_number=id_number,
            relation=relation,
            birth_date=None if birth is None else _date(birth, record, f"{path}.birth_date"),
            disability=_bool(data.get("disability", False), record, f"{path}.disability"),
            income_month=_amount(_get(data, "income_month", record, f"{path}.income_month"),
                                 record, f"{path}.income_month"),
            employed_locally=_bool(data.get("employed_locally", False), record, f"{path}.employed_locally"),
            social_insurance_local=_bool(data.get("social_insurance_local", False), record,
                                         f"{path}.social_insurance_local"),
            talent_category=category,
            owns_home_in_city=_bool(data.get("owns_home_in_city", False), record, f"{path}.owns_home_in_city"),
        )

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "id_number": self.id_number,
            "relation": self.relation,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "disability": self.disability,
            "income_month": str(self.income_month),
            "employed_locally": self.employed_locally,
            "social_insurance_local": self.social_insurance_local,
            "talent_category": self.talent_category,
            "owns_home_in_city": self.owns_home_in_city,
        }


def _groups(value: Any, record: str) -> frozenset[str]:
    if isinstance(value, Mapping):
        chosen = []
        for name, flag in value.items():
            _check_group(name, record)
            if _bool(flag, record, f"groups.{name}"):
                chosen.append(name)
        return frozenset(chosen)
    if isinstance(value, (list, tuple)):
        for name in value:
            _check_group(name, record)
        return frozenset(value)
    raise InputError(record, "groups", "must be an object of true/false flags")


def _check_group(name: Any, record: str) -> None:
    if name in ("elderly", "disabled"):
        raise InputError(record, f"groups.{name}", "is derived from the members; do not declare it")
    if name not in DECLARED_GROUPS:
        raise InputError(record, f"groups.{name}", f"unknown group; use {', '.join(DECLARED_GROUPS)}")


def _other_benefit(value: Any, record: str) -> str | None:
    # A bool says whether some benefit is held; a name says which. Both normalise to a name or None.
    if value is None or value is False or value == "":
        return None
    if value is True:
        return "unspecified"
    if isinstance(value, str):
        return value.strip()
    raise InputError(record, "other_benefit", "must be true, false or the benefit's name")


@dataclass(frozen=True, slots=True)
class Household:
    id: str
    hukou_city: str
    hukou_type: str
    members: tuple[Member, ...]
    assets_yuan: Decimal = Decimal(0)
    current_area_m2: Decimal = Decimal(0)
    groups: frozenset[str] = frozenset()
    other_benefit: str | None = None
    approved_on: dt.date | None = None

    @property
    def applicant(self) -> Member:
        for m in self.members:
            if m.relation == "self":
                return m
        raise InputError(self.id, "members", "no member with relation 'self'")

    @classmethod
    def from_dict(cls, data: Any, record: str | None = None) -> Household:
        if not isinstance(data, Mapping):
            raise InputError(record or "?", "(record)", "must be an object")
        rid = data.get("id")
        if rid is None or isinstance(rid, bool) or not isinstance(rid, (str, int)) or str(rid).strip() == "":
            raise InputError(record or "?", "id", "missing")
        rid = str(rid)
        raw_members = _get(data, "members", rid, "members")
        if not isinstance(raw_members, list) or not raw_members:
            raise InputError(rid, "members", "must be a non-empty list")
        members = tuple(Member.from_dict(m, rid, f"members[{i}]") for i, m in enumerate(raw_members))
        selves = sum(1 for m in members if m.relation == "self")
        if selves != 1:
            raise InputError(rid, "members", "exactly one member must have relation 'self'")
        hukou_type = _get(data, "hukou_type", rid, "hukou_type")
        if hukou_type not in HUKOU_TYPES:
            raise InputError(rid, "hukou_type", f"must be one of {', '.join(HUKOU_TYPES)}")
        approved = data.get("approved_on")
        return cls(
            id=rid,
            hukou_city=_text(_get(data, "hukou_city", rid, "hukou_city"), rid, "hukou_city"),
            hukou_type=hukou_type,
            members=members,
            assets_yuan=_amount(_get(data, "assets_yuan", rid, "assets_yuan"), rid, "assets_yuan"),
            current_area_m2=_amount(_get(data, "current_area_m2", rid, "current_area_m2"), rid,
                                    "current_area_m2"),
            groups=_groups(data.get("groups", {}), rid),
            other_benefit=_other_benefit(data.get("other_benefit"), rid),
            approved_on=None if approved is None else _date(approved, rid, "approved_on"),
        )

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "hukou_city": self.hukou_city,
            "hukou_type": self.hukou_type,
            "members": [m.to_dict() for m in self.members],
            "assets_yuan": str(self.assets_yuan),
            "current_area_m2": str(self.current_area_m2),
            "groups": {g: g in self.groups for g in DECLARED_GROUPS},
            "other_benefit": self.other_benefit,
            "approved_on": self.approved_on.isoformat() if self.approved_on else None,
        }
