"""The values an administrator may enter for a parameter: what kind each parameter holds (a number, a whole
number, a yes/no, a choice, a list or map of the same shape), parsing form text into it, and validation with
field-level errors."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import policy
from ..policy.parameters import normalise

# Units whose figures are whole numbers (days, months, years, counts of declines, points).
_INTEGER_UNITS = ("years", "months", "days", "working", "declines", "points")


class ChangeInvalid(ValueError):
    """Field-level problems: {field: message_id}; the web translates the message ids."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


# ---- validation -----------------------------------------------------------------------------------

def kind_of(param: policy.Parameter) -> str:
    """boolean | integer | number | text | list | map — from the values the pack already has."""
    samples = [v for _, v in param.values if v is not None]
    if not samples:
        return "number"
    sample = samples[-1]
    if isinstance(sample, bool):
        return "boolean"
    if isinstance(sample, (int, Decimal)):
        first = re.split(r"[\s/(]", param.unit.strip(), maxsplit=1)[0].lower()
        whole = all(isinstance(v, int) for v in samples)
        return "integer" if whole and first in _INTEGER_UNITS else "number"
    if isinstance(sample, str):
        return "text"
    if isinstance(sample, tuple):
        return "list"
    return "map"


def nullable(param: policy.Parameter) -> bool:
    return "null" in param.unit or any(v is None for _, v in param.values)


def text_choices(param: policy.Parameter) -> tuple[str, ...]:
    """`method code (priority, points, lottery)` → the codes a text parameter may take."""
    match = re.search(r"\(([^)]*)\)", param.unit)
    if not match:
        return ()
    return tuple(c.strip() for c in match.group(1).split(",") if re.fullmatch(r"[a-z_]+", c.strip()))


def to_json(value: Any) -> Any:
    """Storable JSON: Decimals become numbers (ints when whole), tuples lists."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    raise ChangeInvalid({"value": "wrong_shape"})


def canonical(value: Any) -> Any:
    """The value exactly as the pack will hold it once stored and read back."""
    return normalise(json.loads(json.dumps(to_json(value))))


def _number(value: Any, integer: bool, allow_none: bool = False):
    if value is None:
        if allow_none:
            return None
        raise ChangeInvalid({"value": "required"})
    if isinstance(value, bool):
        raise ChangeInvalid({"value": "not_a_number"})
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise ChangeInvalid({"value": "not_a_number"}) from None
    if isinstance(value, float):
        value = Decimal(str(value))
    if not isinstance(value, (int, Decimal)) or (isinstance(value, Decimal) and not value.is_finite()):
        raise ChangeInvalid({"value": "not_a_number"})
    if value < 0:
        raise ChangeInvalid({"value": "negative"})
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    if integer and not isinstance(value, int):
        raise ChangeInvalid({"value": "not_an_integer"})
    return value


def _like(sample: Any, value: Any, record: bool = False) -> Any:
    """`value` checked to have the shape of `sample` (a value the parameter already had)."""
    if isinstance(sample, bool):
        if not isinstance(value, bool):
            raise ChangeInvalid({"value": "wrong_shape"})
        return value
    if isinstance(sample, (int, Decimal)):
        return _number(value, integer=False)
    if isinstance(sample, str):
        if not isinstance(value, str) or not value.strip():
            raise ChangeInvalid({"value": "wrong_shape"})
        return value.strip()
    if isinstance(sample, (list, tuple)):
        if not isinstance(value, (list, tuple)):
            raise ChangeInvalid({"value": "wrong_shape"})
        element = sample[0] if sample else None
        return tuple(_like(element, v, record=True) if element is not None else v for v in value)
    if isinstance(sample, Mapping):
        if not isinstance(value, Mapping) or not value:
            raise ChangeInvalid({"value": "wrong_shape"})
        samples = list(sample.values())
        # Records in a list (area bands: max_members, max_m2) keep their keys; lookup tables
        # (rates by group, the talent catalogue) may gain or lose keys.
        if record and set(value) != set(sample):
            raise ChangeInvalid({"value": "wrong_shape"})
        typed = next((v for v in samples if v is not None), None)
        return {str(k): (_like(typed, v) if typed is not None and v is not None else v) for k, v in value.items()}
    return value


def validate_value(param: policy.Parameter, value: Any) -> Any:
    """A Python value (from JSON or a form) checked against the parameter's kind and unit."""
    kind = kind_of(param)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ChangeInvalid({"value": "not_boolean"})
        return value
    if kind in ("integer", "number"):
        return canonical(_number(value, integer=kind == "integer", allow_none=nullable(param)))
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise ChangeInvalid({"value": "required"})
        choices = text_choices(param)
        if choices and value.strip() not in choices:
            raise ChangeInvalid({"value": "not_a_choice"})
        return value.strip()
    sample = next(v for _, v in reversed(param.values) if v is not None)
    if kind == "list" and (not isinstance(value, (list, tuple))):
        raise ChangeInvalid({"value": "wrong_shape"})
    return canonical(_like(sample, value))


def parse_value(param: policy.Parameter, text: str) -> Any:
    """Form text → value: numbers as typed, booleans `true`/`false`, JSON for lists and maps."""
    text = (text or "").strip()
    kind = kind_of(param)
    if kind == "boolean":
        if text not in ("true", "false"):
            raise ChangeInvalid({"value": "not_boolean"})
        return text == "true"
    if kind in ("integer", "number"):
        if not text:
            if nullable(param):
                return None
            raise ChangeInvalid({"value": "required"})
        if text.lower() == "null" and nullable(param):
            return None
        return validate_value(param, text)
    if kind == "text":
        return validate_value(param, text)
    if not text:
        raise ChangeInvalid({"value": "required"})
    try:
        value = json.loads(text, parse_float=Decimal)
    except ValueError:
        raise ChangeInvalid({"value": "bad_json"}) from None
    return validate_value(param, value)


def parse_date(text: Any) -> date:
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(str(text or "").strip())
    except ValueError:
        raise ChangeInvalid({"effective_from": "bad_date" if text else "required"}) from None
