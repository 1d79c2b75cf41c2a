"""Working days and month arithmetic for review periods, publicity and re-verification.

A working day is Monday–Friday, minus the city's `workflow.holidays`, plus its `workflow.makeup_working_days`
(调休: weekend days worked in exchange for a holiday). Years missing from those lists count weekends only.
"""
from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Optional

from .. import policy
from .parameters import effective_pack


class WorkingCalendar:
    def __init__(self, holidays: Iterable[date | str] = (), makeup_days: Iterable[date | str] = ()):
        self.holidays = {_as_date(d) for d in holidays}
        self.makeup_days = {_as_date(d) for d in makeup_days}

    @classmethod
    def for_city(cls, city_code: str, as_of: date) -> WorkingCalendar:
        return cls(_param(city_code, "workflow.holidays", as_of, ()),
                   _param(city_code, "workflow.makeup_working_days", as_of, ()))

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (start itself not counted)."""
        day, left = start, max(0, int(days))
        while left:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative when `end` is earlier."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=n)))


def add_months(day: date, months: int) -> date:
    """Same day of the month `months` later, clipped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + int(months)
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def end_of_month(day: date) -> date:
    return date(day.year, day.month, _calendar.monthrange(day.year, day.month)[1])


def workflow_value(city_code: str, name: str, as_of: date, default=None):
    """A `workflow.*` parameter of the city's pack (the default pack supplies every one)."""
    return _param(city_code, f"workflow.{name}", as_of, default)


def _param(city_code: str, name: str, as_of: date, default):
    try:
        return effective_pack(city_code).value(name, as_of)
    except policy.ParameterError:
        if default is None:
            raise
        return default


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def review_due(city_code: str, stage: str, start: date) -> Optional[date]:
    """The deadline of a review stage that begins on `start`."""
    days_param = {"street_review": "street_review_days", "district_review": "district_review_days",
                  "bureau_review": "bureau_review_days", "appeal": "appeal_review_days"}.get(stage)
    if days_param is None:
        return None
    days = int(workflow_value(city_code, days_param, start))
    return WorkingCalendar.for_city(city_code, start).add_working_days(start, days)
