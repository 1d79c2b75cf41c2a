"""The applicant's stepper: every stage of a case, the day each was done and the expected day of each stage still
to come.

Stages: 街道审核 → 区级审核 (only where the city's pack sets workflow.district_review_enabled) → 市级审批 → 公示 →
轮候 → 配租. Expected dates chain from the current stage's deadline with the city's own periods: the review periods
are working days on the city's calendar (services/calendar.py review_due), publicity is workflow.publicity_days
calendar days (公共租赁住房管理办法（住房和城乡建设部令第11号）第九条: 审核结果予以公示). 轮候 and 配租 have no
deadline in the rules: 轮候 starts when publicity ends, 配租 is estimated from the queue (services/offers.standing)
when there is a basis for it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

from ..models import Application
from .calendar import add_months, review_due, workflow_value

STAGES = ("street_review", "district_review", "bureau_review", "publicity", "waitlist", "housed")
# The status a case has while in a stage (several for 轮候: a subsidy or an open offer are still 轮候).
_STAGE_OF_STATUS = {"returned": "street_review", "street_review": "street_review",
                    "district_review": "district_review", "bureau_review": "bureau_review",
                    "publicity": "publicity", "waitlist": "waitlist", "subsidised": "waitlist",
                    "offered": "waitlist", "housed": "housed", "exiting": "housed"}


@dataclass(frozen=True)
class Step:
    stage: str                      # one of STAGES
    state: str                      # done | current | upcoming | stopped
    done_on: Optional[date] = None  # the day the stage was finished (done) or reached (配租)
    due_on: Optional[date] = None   # deadline of the current stage / expected day of a stage to come


def stages_for(city_code: str, as_of: date) -> list[str]:
    """The stages of this city's procedure: 区级审核 only where the city has it."""
    district = bool(workflow_value(city_code, "district_review_enabled", as_of, False))
    return [s for s in STAGES if district or s != "district_review"]


def _finished_on(application: Application) -> dict[str, date]:
    """For each stage, the last day the case moved on from it to a later stage (from the case's events)."""
    order = {s: i for i, s in enumerate(STAGES)}
    done: dict[str, date] = {}
    for event in application.events:
        before, after = _STAGE_OF_STATUS.get(event.from_status or ""), _STAGE_OF_STATUS.get(event.to_status)
        if before and after and order[after] > order[before]:
            for stage in STAGES[order[before]:order[after]]:
                done[stage] = event.at.date()
        if event.to_status == "housed":
            done["housed"] = event.at.date()
    return done


def steps(application: Application, today: date, estimated_months: Optional[int] = None) -> list[Step]:
    """The stepper of `application` on `today`. A draft shows every stage to come (no dates); a case that left
    the procedure (rejected, withdrawn, suspended…) shows what was done and stops there."""
    city = application.city_code
    stages = stages_for(city, today)
    finished = _finished_on(application)
    current = _STAGE_OF_STATUS.get(application.status)
    if application.status == "housed":
        current = None
    result: list[Step] = []
    expected: Optional[date] = None  # the day the previous stage is expected to end
    reached_current = current is None and application.status not in ("housed", "exiting")
    for stage in stages:
        if stage == current:
            reached_current = True
            due = _current_due(application, stage, today)
            result.append(Step(stage, "current", due_on=due))
            expected = due or today  # 轮候 has no deadline: 配租 is estimated from today
            continue
        if stage in finished and not (reached_current and current is not None):
            result.append(Step(stage, "done", done_on=finished[stage]))
            expected = finished[stage]
            continue
        if application.status in ("draft",) or current is not None and reached_current:
            due = _expected_end(application, stage, expected, estimated_months) if expected else None
            result.append(Step(stage, "upcoming", due_on=due))
            expected = due
        else:
            result.append(Step(stage, "stopped"))
    return result


def _current_due(application: Application, stage: str, today: date) -> Optional[date]:
    if stage in ("street_review", "district_review", "bureau_review"):
        return application.review_due_on or review_due(application.city_code, stage, today)
    if stage == "publicity":
        return application.publicity_until
    return None


def _expected_end(application: Application, stage: str, start: date,
                  estimated_months: Optional[int]) -> Optional[date]:
    """The expected end of a stage to come that starts on `start` (the previous stage's expected end)."""
    city = application.city_code
    if stage in ("street_review", "district_review", "bureau_review"):
        return review_due(city, stage, start)
    if stage == "publicity":
        return start + timedelta(days=int(workflow_value(city, "publicity_days", start)))
    if stage == "waitlist":
        return start  # 轮候 begins the day publicity ends; it has no deadline of its own
    if stage == "housed" and estimated_months:
        return add_months(start, estimated_months)
    return None
