"""The daily jobs, as one idempotent run: `housing-security daily [--as-of D] [--city C]`.

A job is a function `(as_of, city_code) -> dict of counts` registered with `@daily_job(name)`; `run_daily` runs
every registered job in registration order, each in its own transaction (a failing job is rolled back and
reported, and the others still run). Every job must be idempotent: run twice on the same day, the second run
changes nothing (it finds nothing left to do), so a retried or doubled schedule is harmless.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import date
from typing import Optional

from ..extensions import db

DailyJob = Callable[[date, Optional[str]], dict]

_JOBS: dict[str, DailyJob] = {}
log = logging.getLogger(__name__)


def daily_job(name: str) -> Callable[[DailyJob], DailyJob]:
    def register(function: DailyJob) -> DailyJob:
        _JOBS[name] = function
        return function

    return register


def jobs() -> dict[str, DailyJob]:
    _load_jobs()
    return dict(_JOBS)


def run_daily(as_of: Optional[date] = None, city_code: Optional[str] = None,
              only: Optional[list[str]] = None) -> dict[str, dict]:
    """Run every daily job (or those named in `only`) as of `as_of`; returns {job: counts or {"error": …}}."""
    as_of = as_of or date.today()
    results: dict[str, dict] = {}
    for name, job in jobs().items():
        if only and name not in only:
            continue
        try:
            results[name] = job(as_of, city_code) or {}
            db.session.commit()
        except Exception as error:  # one broken job must not stop the others; it is logged and reported
            db.session.rollback()
            log.exception("daily job %s failed", name)
            results[name] = {"error": type(error).__name__}
    return results


def _load_jobs() -> None:
    """Import the modules whose jobs register themselves, in the order of the day: the case and tenancy jobs,
    then the registry re-check and SMS notices, last the closing jobs (purge expired sessions, seal the audit
    chains). Imported by name so that sorting imports can never reorder the day."""
    for module in ("daily_jobs", "registry_jobs", "daily_closing"):
        importlib.import_module(f"{__package__}.{module}")
