"""The jobs of the day, in the order they run: cases leave publicity before the waiting list is used, and
re-verification runs before anything that depends on who is still eligible."""
from __future__ import annotations

from datetime import date
from typing import Optional

from . import publicity, reverification, stock
from .daily import daily_job


@daily_job("close_publicity")
def close_publicity(as_of: date, city_code: Optional[str]) -> dict:
    return publicity.close_publicity(as_of, city_code=city_code, commit=False)


@daily_job("reverify_due")
def reverify_due(as_of: date, city_code: Optional[str]) -> dict:
    return reverification.reverify_due(as_of, city_code=city_code)


@daily_job("flag_overdue_maintenance")
def flag_overdue_maintenance(as_of: date, city_code: Optional[str]) -> dict:
    """Units kept in maintenance past their expected return are listed for the bureau, not returned by themselves."""
    return stock.flag_overdue_maintenance(as_of, city_code)
