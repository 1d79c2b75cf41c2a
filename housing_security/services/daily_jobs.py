"""The jobs of the day, in the order they run: cases leave publicity before the waiting list is used, and
re-verification runs before anything that depends on who is still eligible."""
from __future__ import annotations

from datetime import date
from typing import Optional

from . import offers, publicity, reverification, stock
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


@daily_job("expire_offers")
def expire_offers(as_of: date, city_code: Optional[str]) -> dict:
    return offers.expire_offers(as_of, city_code)


@daily_job("commitment_guard")
def commitment_guard(as_of: date, city_code: Optional[str]) -> dict:
    # After expire_offers: a household whose offer lapsed today is back on the list and covered today.
    from . import commitment_guard as guard

    return guard.run_guard(as_of, city_code)


@daily_job("subsidy_ledger")
def subsidy_ledger(as_of: date, city_code: Optional[str]) -> dict:
    # After commitment_guard: a subsidy started today has its line in this month's batch today.
    from . import subsidy_ledger as ledger

    return ledger.generate_month(as_of, city_code)


@daily_job("rent_roll")
def rent_roll(as_of: date, city_code: Optional[str]) -> dict:
    from . import rent_roll as roll

    return roll.generate_charges(as_of, city_code)


@daily_job("exit_triggers")
def exit_triggers(as_of: date, city_code: Optional[str]) -> dict:
    # After rent_roll: this month's charge counts towards the arrears.
    from . import rent_roll as roll

    return roll.exit_triggers(as_of, city_code)
