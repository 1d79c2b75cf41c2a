"""Cross-checks against registry snapshots: each outcome, the blocking task and its resolution, the 年审 of a
tenant who now owns a flat (scenario: checked against other departments), the batch re-check, and the talent
category taken from the certified list."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import RegistryCheck
from housing_security.services import registry, registry_checks, reverification, review
from housing_security.services.calendar import add_months, workflow_value
from tests.services.helpers import audits, get, new_case, user

TODAY = date.today()


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


def snapshot(kind: str, rows: list[list[str]], as_of: date = TODAY):
    header = [c.header for c in registry.LAYOUTS[kind]][:len(rows[0])] if rows else \
        [c.header for c in registry.LAYOUTS[kind]]
    data = "\n".join(",".join(r) for r in [header, *rows]).encode()
    result = registry.import_snapshot("taiyuan", kind, f"测试 {kind}", as_of, data, f"{kind}.csv", user("liuchu"))
    assert result.ok, [(e["row"], e["column"], str(e["reason"])) for e in result.errors]
    db.session.commit()
    return result.snapshot


def members(case_id):
    return get(case_id).household.members


def outcomes(case_id, kind):
    db.session.expire_all()
    rows = db.session.scalars(select(RegistryCheck).where(RegistryCheck.application_id == case_id,
                                                          RegistryCheck.kind == kind)).all()
    return {r.member_id: r for r in rows}


def test_without_snapshots_every_member_is_no_snapshot_and_nothing_blocks(ctx):
    case_id = new_case("street_review")
    registry_checks.check_application(get(case_id), "submission", TODAY)
    db.session.commit()
    rows = db.session.scalars(select(RegistryCheck).where(RegistryCheck.application_id == case_id)).all()
    assert len(rows) == 5 * len(members(case_id))
    assert {r.outcome for r in rows} == {"no_snapshot"} and not any(r.blocking for r in rows)


def test_match_mismatch_and_not_found_with_the_snapshot_date(ctx):
    case_id = new_case("street_review", size=2)
    head, spouse = members(case_id)
    roster = snapshot("assistance", [[head.id_number, head.name, "低保"], [spouse.id_number, spouse.name, "低保"]],
                      as_of=TODAY - timedelta(days=3))
    snapshot("social_insurance", [[head.id_number, head.name, "参保", "", "12"]])  # declared: not insured locally
    registry_checks.check_application(get(case_id), "submission", TODAY)
    db.session.commit()
    assistance = outcomes(case_id, "assistance")
    assert {r.outcome for r in assistance.values()} == {"match"}
    assert assistance[head.id].snapshot.as_of == roster.as_of
    insurance = outcomes(case_id, "social_insurance")
    assert insurance[head.id].outcome == "mismatch" and insurance[head.id].registry["insured"] is True
    assert not insurance[head.id].blocking  # insurance is not a public-rental rule: nothing changes
    assert insurance[spouse.id].outcome == "not_found"
    assert outcomes(case_id, "property")[head.id].outcome == "no_snapshot"


def test_a_roster_that_does_not_list_a_declared_minimum_allowance_household_is_a_mismatch(ctx):
    case_id = new_case("street_review", size=1)
    snapshot("assistance", [[user_id_number(), "某人", "低收入"]])
    registry_checks.check_application(get(case_id), "submission", TODAY)
    db.session.commit()
    row = next(iter(outcomes(case_id, "assistance").values()))
    assert row.outcome == "mismatch" and row.declared == {"group": "minimum_allowance"}
    assert row.blocking  # the priority group changes (低保 → general)


def user_id_number():
    from housing_security.policy import make_id_number
    return make_id_number("140105", date(1970, 3, 3), 77)


def test_a_blocking_mismatch_blocks_approval_until_resolved_with_a_written_reason(ctx):
    case_id = new_case("street_review", size=2)
    head = members(case_id)[0]
    snapshot("property", [[head.id_number, head.name, "小店区某路1号", "120", "2025-06-18"]])
    changed = registry_checks.check_application(get(case_id), "submission", TODAY)
    db.session.commit()
    task = outcomes(case_id, "property")[head.id]
    assert task.outcome == "mismatch" and task.blocking and task.open_task and task in changed
    with pytest.raises(review.ReviewError):
        review.advance(get(case_id), user("wangqiang"))
    db.session.rollback()
    with pytest.raises(review.ReviewError):
        registry_checks.resolve(task, user("wangqiang"), "declaration_upheld", "已卖")
    db.session.rollback()
    task = outcomes(case_id, "property")[head.id]
    registry_checks.resolve(task, user("wangqiang"), "declaration_upheld", "该房产已于上月出售，见买卖合同与不动产注销证明。")
    db.session.commit()
    assert audits("registry_check.resolve", task.id)[0].detail["resolution"] == "declaration_upheld"
    assert review.advance(get(case_id), user("wangqiang")) in ("district_review", "bureau_review")
    db.session.commit()
    # The same registry answer again keeps the resolution; nothing is re-opened.
    registry_checks.check_application(get(case_id), "manual", TODAY)
    db.session.commit()
    assert not outcomes(case_id, "property")[head.id].open_task


def test_annual_reverification_finds_a_flat_and_confirming_it_starts_the_exit(ctx):
    case_id = new_case("housed", size=2, next_reverification_on=TODAY, approved_on=TODAY - timedelta(days=400))
    head = members(case_id)[0]
    snapshot("property", [[head.id_number, head.name, "迎泽区某街8号2-301", "95", (TODAY - timedelta(days=200)).isoformat()]])
    assert reverification.reverify(get(case_id), TODAY, user("liuchu")) == "held"
    db.session.commit()
    assert get(case_id).status == "housed"
    counts = reverification.reverify_due(TODAY, "taiyuan")
    assert get(case_id).status == "housed" and counts["held"] >= 1
    task = outcomes(case_id, "property")[head.id]
    assert task.open_task and task.occasion == "reverification"
    status = registry_checks.resolve(task, user("wangqiang"), "registry_confirmed",
                                     "不动产登记显示户主去年购得住房一套，已电话核实属实。")
    db.session.commit()
    case = get(case_id)
    months = int(workflow_value("taiyuan", "exit_buffer_months", TODAY))
    assert status == "exiting" and case.status == "exiting" and case.exit_buffer_until == add_months(TODAY, months)
    assert case.household.members[0].owns_home_in_city is True
    assert audits("declaration.corrected_from_registry")


def test_batch_recheck_lists_who_changed_and_is_idempotent(ctx):
    tenant = new_case("housed", size=2)
    waiting = new_case("waitlist", size=2)
    for case_id in (tenant, waiting):
        registry_checks.check_application(get(case_id), "submission", TODAY)
    db.session.commit()
    head = members(tenant)[0]
    snapshot("property", [[head.id_number, head.name, "小店区某路1号", "110", "2025-02-02"]])
    counts = registry_checks.recheck_city("taiyuan", TODAY, user("liuchu"), kinds=("property",))
    assert counts["checked"] >= 2 and counts["changed"] >= 2 and counts["tasks"] >= 1
    row = outcomes(tenant, "property")[head.id]
    assert (row.previous_outcome, row.outcome, row.open_task) == ("no_snapshot", "mismatch", True)
    other = outcomes(waiting, "property")[members(waiting)[0].id]
    assert (other.previous_outcome, other.outcome, other.blocking) == ("no_snapshot", "not_found", False)
    again = registry_checks.recheck_city("taiyuan", TODAY, user("liuchu"), kinds=("property",))
    assert again["changed"] == 0 and again["tasks"] == 0


def test_the_talent_category_comes_from_the_certified_list(ctx):
    case_id = new_case("street_review", programme="talent", size=1)
    head = members(case_id)[0]
    head.talent_category = "A"
    db.session.commit()
    snapshot("talent", [[head.id_number, head.name, "D", "2024-01-01", ""]])
    assert registry_checks.certified_list_applies("taiyuan", TODAY)
    assert registry_checks.take_talent_categories(get(case_id), TODAY, user("wangqiang")) == 1
    db.session.commit()
    assert members(case_id)[0].talent_category == "D"
    assert audits("member.talent_category_from_registry")[0].detail == {
        "application_id": case_id, "before": "A", "after": "D",
        "snapshot_id": registry.current_snapshot("taiyuan", "talent").id}


def test_an_expired_certification_counts_as_not_certified(ctx):
    case_id = new_case("street_review", programme="talent", size=1)
    head = members(case_id)[0]
    head.talent_category = "B"
    db.session.commit()
    snapshot("talent", [[head.id_number, head.name, "B", "2019-01-01", "2024-12-31"]])
    registry_checks.check_application(get(case_id), "submission", TODAY)
    db.session.commit()
    row = outcomes(case_id, "talent")[head.id]
    assert row.outcome == "mismatch" and row.registry["expired"] is True and row.blocking


def test_the_daily_job_rechecks_a_city_only_when_its_snapshots_changed(ctx):
    from housing_security.services import daily

    tenant = new_case("housed", size=2)
    head = members(tenant)[0]
    first = daily.run_daily(TODAY, "taiyuan", only=["registry_recheck"])["registry_recheck"]
    snapshot("property", [[head.id_number, head.name, "小店区某路1号", "110", "2025-02-02"]])
    second = daily.run_daily(TODAY, "taiyuan", only=["registry_recheck"])["registry_recheck"]
    assert second["cities"] == 1 and second["tasks"] >= 1 and outcomes(tenant, "property")[head.id].open_task
    third = daily.run_daily(TODAY, "taiyuan", only=["registry_recheck"])["registry_recheck"]
    assert third == {"cities": 0, "checked": 0, "changed": 0, "tasks": 0}
    assert first["cities"] in (0, 1)


def test_an_open_blocking_task_holds_a_case_in_publicity_until_resolved(ctx):
    from housing_security.services import publicity

    case_id = new_case("publicity", size=2)
    head = members(case_id)[0]
    snapshot("property", [[head.id_number, head.name, "小店区某路1号", "120", "2025-06-18"]])
    registry_checks.check_application(get(case_id), "batch", TODAY)
    db.session.commit()
    task = outcomes(case_id, "property")[head.id]
    assert task.open_task
    after_publicity = get(case_id).publicity_until + timedelta(days=1)
    first = publicity.close_publicity(after_publicity, "taiyuan")  # the demo's other expired cases move on
    assert first["held"] >= 1 and get(case_id).status == "publicity"
    assert publicity.close_publicity(after_publicity, "taiyuan") == {"moved": 0, "held": first["held"]}
    with pytest.raises(review.ReviewError):
        publicity.end_publicity(get(case_id), user("liuchu"), after_publicity)
    db.session.rollback()
    # The caseworker resolves it with a written reason; the next daily run moves the case on.
    registry_checks.resolve(outcomes(case_id, "property")[head.id], user("wangqiang"), "declaration_upheld",
                            "该房产已于上月出售，见买卖合同与不动产注销证明。")
    db.session.commit()
    assert publicity.close_publicity(after_publicity, "taiyuan") == {"moved": 1, "held": first["held"] - 1}
    case = get(case_id)
    assert case.status == "waitlist" and case.waitlist_since == after_publicity
