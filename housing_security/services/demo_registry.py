"""The demo city's registry snapshots: one of each kind for 太原, built from the demo households' own
declarations, with a few deliberate mismatches so the checks can be seen on cases:

- a tenant (housed, public rental) whose head bought a flat last year — the property extract lists it, the
  batch re-check opens an exit-trigger task (the scenario "checked against other departments");
- a household declaring 低保 whom the 民政 roster lists as 低收入 (the priority group changes: a task);
- a public-rental head whose hukou extract says 运城 (no local hukou: a task);
- a subsidized-rental applicant declared insured whose contributions have stopped (shown, no task);
- a talent whose certified category differs from the one chosen (shown; a task where the decision changes).

Imported through the real import (so the files pass the documented layouts), then the batch re-check runs.
"""
from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import ACTIVE_STATUSES, Application, Household, User
from . import registry, registry_checks

CITY = "taiyuan"
GROUP_NAMES = {v: k for k, v in registry.ASSISTANCE_GROUPS.items()}
CITY_NAMES = {"taiyuan": "太原市", "yuncheng": "运城市", "linfen": "临汾市"}


def _csv(kind: str, rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in registry.LAYOUTS[kind]])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def seed_snapshots(today: Optional[date] = None, seed: int = 20261203) -> dict:
    """Import one snapshot of each kind for the demo city and re-check every active household; returns counts.
    Does nothing when the city already has snapshots."""
    today = today or date.today()
    if registry.current_snapshot(CITY, "property") is not None:
        return {}
    rng = random.Random(seed)
    officer = db.session.scalar(select(User).where(User.username == "liuchu"))
    applications = db.session.scalars(
        select(Application).where(Application.city_code == CITY, Application.status.in_(ACTIVE_STATUSES))
        .options(selectinload(Application.household).selectinload(Household.members))
        .order_by(Application.id)).all()
    rows = {kind: [] for kind in registry.LAYOUTS}
    picked: dict[str, Optional[Application]] = {}

    def pick(name, condition):
        choice = next((a for a in applications if condition(a) and a not in picked.values()), None)
        picked[name] = choice
        return choice

    def not_scenario(a):  # the scenario households of the README keep their own stories
        return a.household.owner is None or a.household.owner.username not in ("lixiulan", "zhanglei", "chenjing")

    tenant = pick("new_flat", lambda a: a.programme == "public_rental" and a.status == "housed" and not_scenario(a)) \
        or pick("new_flat", lambda a: a.programme == "public_rental" and a.status in ("subsidised", "waitlist")
                and not_scenario(a))
    downgraded = pick("roster", lambda a: a.programme == "public_rental" and a.household.minimum_allowance
                      and a.status in ("waitlist", "street_review", "district_review", "bureau_review")
                      and not_scenario(a))
    moved_hukou = pick("hukou", lambda a: a.programme == "public_rental" and not_scenario(a)
                       and a.status in ("street_review", "district_review", "bureau_review", "publicity"))
    stopped = pick("insurance", lambda a: a.programme == "subsidized_rental"
                   and a.household.main_applicant.social_insurance_local)
    recategorised = pick("talent", lambda a: a.programme == "talent" and a.household.main_applicant.talent_category
                         and not_scenario(a))

    seen: set[str] = set()
    for application in applications:
        household = application.household
        if household.id in seen:
            continue
        seen.add(household.id)
        group = next((g for g in registry_checks.GROUP_FLAGS if getattr(household, g)), None)
        for member in household.members:
            since = (today - timedelta(days=rng.randint(60, 900))).isoformat()
            if group:
                roster_group = "low_income" if application is downgraded else group
                rows["assistance"].append([member.id_number, member.name, GROUP_NAMES[roster_group], since])
            if member.owns_home_in_city or (application is tenant and member.relation == "self"):
                bought = (today - timedelta(days=rng.randint(200, 330))).isoformat()
                rows["property"].append([member.id_number, member.name, f"{household.address}2号楼{rng.randint(1, 30)}"
                                         f"-{rng.randint(1, 6)}0{rng.randint(1, 4)}", "92.40", bought])
            if member.social_insurance_local:
                state = "停保" if application is stopped and member.relation == "self" else "参保"
                rows["social_insurance"].append([member.id_number, member.name, state, "某某有限公司",
                                                 str(rng.randint(6, 120))])
            hukou_city = "yuncheng" if application is moved_hukou else household.hukou_city
            if hukou_city in CITY_NAMES:
                rows["hukou"].append([member.id_number, member.name, CITY_NAMES[hukou_city],
                                      "城镇" if household.hukou_type == "urban" else "农村"])
            if member.talent_category:
                category = "D" if application is recategorised and member.talent_category != "D" else \
                    member.talent_category
                rows["talent"].append([member.id_number, member.name, category, since, ""])
    sources = {"assistance": "太原市民政局 低保/低收入/特困人员名单", "property": "太原市不动产登记中心 个人住房登记信息",
               "social_insurance": "太原市人力资源和社会保障局 参保信息", "hukou": "太原市公安局 户籍人口信息",
               "talent": "太原市人才工作领导小组办公室 人才认定名单"}
    imported = {}
    for kind, kind_rows in rows.items():
        if not kind_rows:
            continue
        result = registry.import_snapshot(CITY, kind, sources[kind], today - timedelta(days=2), _csv(kind, kind_rows),
                                          f"demo-{kind}.csv", officer, today=today)
        if result.errors:  # the demo data must pass its own layouts; say which row did not
            raise ValueError(f"demo {kind} snapshot refused at {[(e['row'], e['column']) for e in result.errors]}")
        imported[kind] = result.snapshot.row_count
    db.session.commit()
    counts = registry_checks.recheck_city(CITY, today, officer)
    return {"snapshots": imported, **counts,
            "mismatches": {name: (a.reference if a else None) for name, a in picked.items()}}
