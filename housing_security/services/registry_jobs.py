"""Daily jobs of issue 13: the batch re-check against registry snapshots (only for a city whose snapshots changed
since its last batch, so a second run the same day finds nothing to do), and the SMS notices still pending."""
from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import select

from ..extensions import db
from ..models import RegistrySnapshot
from . import notices, registry_checks
from .daily import daily_job


@daily_job("registry_recheck")
def registry_recheck(as_of: date, city_code: Optional[str]) -> dict:
    cities = [city_code] if city_code else db.session.scalars(select(RegistrySnapshot.city_code).distinct()).all()
    totals = {"cities": 0, "checked": 0, "changed": 0, "tasks": 0}
    for city in sorted(cities):
        if not registry_checks.recheck_needed(city):
            continue
        counts = registry_checks.recheck_city(city, as_of)
        totals["cities"] += 1
        for key in ("checked", "changed", "tasks"):
            totals[key] += counts[key]
    return totals


@daily_job("send_notices")
def send_notices(as_of: date, city_code: Optional[str]) -> dict:
    return notices.deliver_pending()
