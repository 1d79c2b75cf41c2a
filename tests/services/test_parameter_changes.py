"""Dated parameter changes (scenario 6): the effective pack, the impact preview, saving and withdrawing."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from housing_security import policy
from housing_security.extensions import db
from housing_security.models import Application, ParameterChange
from housing_security.services import eligibility, parameter_changes, parameters
from housing_security.services.parameter_values import ChangeInvalid
from tests.services.helpers import audits, get, new_case, user

LIMIT = "public_rental.income_limit_month"
TODAY = date.today()
NEXT_JANUARY = date(TODAY.year + 1, 1, 1)
PENDING = parameter_changes.APPLICANT_STATUSES
HOLDING = parameter_changes.HOLDER_STATUSES


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def _set_income(application_id: int, per_person: str) -> None:
    application = db.session.get(Application, application_id)
    for member in application.household.members:
        member.income_month = Decimal(per_person)
    db.session.commit()


def _per_capita(application: Application) -> Decimal:
    members = application.household.members
    return sum((Decimal(str(m.income_month or 0)) for m in members), Decimal(0)) / len(members)


def _only_income_fails(application: Application, as_of: date) -> bool:
    decision = policy.evaluate(eligibility.policy_household(application.household), application.programme,
                               policy.load_pack("taiyuan"), as_of, tenure=application.tenure)
    return decision.failed_codes == ["income_limit"]


def _save(name, since, value, citation="太原市住房保障局公告（测试）", actor="ty_admin"):
    preview = parameter_changes.preview_change("taiyuan", name, since, value, citation)
    change = parameter_changes.save_change("taiyuan", name, since, value, citation, user(actor), preview.token,
                                    note="测试")
    db.session.commit()
    return preview, change


def test_the_effective_pack_is_the_yaml_pack_until_a_change_is_saved(ctx):
    assert parameters.effective_pack("taiyuan").hash == policy.load_pack("taiyuan").hash


def test_raising_the_income_limit_makes_exactly_the_households_between_the_limits_eligible(ctx):
    old = int(policy.load_pack("taiyuan").value(LIMIT, NEXT_JANUARY))
    new = old + 251
    between = new_case("street_review")
    on_new_limit = new_case("waitlist")
    above = new_case("bureau_review")
    _set_income(between, str(old + 100))
    _set_income(on_new_limit, str(new))
    _set_income(above, str(new + 50))

    preview = parameter_changes.preview_change("taiyuan", LIMIT, NEXT_JANUARY, new)

    # The expectation, from the household data alone: pending public-rental cases in Taiyuan whose
    # per-capita income lies in (old, new] and who fail nothing but the income test today.
    cases = db.session.scalars(select(Application).where(
        Application.city_code == "taiyuan", Application.programme == "public_rental",
        Application.status.in_(PENDING))).all()
    expected = {a.id for a in cases
                if old < _per_capita(a) <= new and _only_income_fails(a, NEXT_JANUARY)}
    assert {between, on_new_limit} <= expected and above not in expected
    assert {c["application_id"] for c in preview.became_eligible} == expected
    assert preview.became_ineligible == [] and preview.losing == []
    assert preview.counts["became_eligible"] == len(expected)
    assert preview.old_value == old and preview.value == new
    assert preview.new_hash != preview.old_hash
    assert [row["effective_from"] for row in preview.timeline] == sorted(r["effective_from"] for r in preview.timeline)
    assert any(row["new"] and row["value"] == new for row in preview.timeline)
    assert preview.became_eligible[0].keys() >= {"reference", "street_zh", "status", "name"}


def test_lowering_the_income_limit_shows_the_tenants_who_would_lose_eligibility(ctx):
    old = int(policy.load_pack("taiyuan").value(LIMIT, NEXT_JANUARY))
    tenant = new_case("housed")
    subsidised = new_case("subsidised")
    applicant = new_case("waitlist")
    for case_id in (tenant, subsidised, applicant):
        _set_income(case_id, str(old - 50))

    preview = parameter_changes.preview_change("taiyuan", LIMIT, NEXT_JANUARY, old - 100)

    losing = {c["application_id"] for c in preview.losing}
    assert {tenant, subsidised} <= losing
    assert applicant in {c["application_id"] for c in preview.became_ineligible}
    assert all(c["status"] in HOLDING for c in preview.losing)
    assert all(c["status"] in PENDING for c in preview.became_ineligible)
    assert preview.became_eligible == []


def test_a_saved_change_applies_from_its_date_and_decisions_carry_the_new_hash(ctx):
    base_hash = policy.load_pack("taiyuan").hash
    old = int(policy.load_pack("taiyuan").value(LIMIT, NEXT_JANUARY))
    preview, change = _save(LIMIT, NEXT_JANUARY, old + 300)
    pack = parameters.effective_pack("taiyuan")

    assert pack.hash != base_hash and pack.hash == preview.new_hash
    assert pack.value(LIMIT, NEXT_JANUARY) == old + 300
    assert pack.value(LIMIT, NEXT_JANUARY - timedelta(days=1)) == old
    assert pack.param(LIMIT).citation == policy.load_pack("taiyuan").param(LIMIT).citation
    assert pack.param(LIMIT).citation_on(NEXT_JANUARY) == "太原市住房保障局公告（测试）"
    assert pack.param(LIMIT).unit == policy.load_pack("taiyuan").param(LIMIT).unit

    case_id = new_case("street_review")
    application = get(case_id)
    after = eligibility.decide(application, NEXT_JANUARY)
    assert after.pack_hash == pack.hash == application.pack_hash
    rule = next(r for r in application.decision["rules"] if r["code"] == "income_limit")
    assert rule["parameters"][0]["value"] == old + 300
    assert rule["parameters"][0]["effective_from"] == NEXT_JANUARY.isoformat()

    before = eligibility.decide(application, NEXT_JANUARY - timedelta(days=1))
    rule = next(r for r in before.rules if r.code == "income_limit")
    assert rule.parameters[0].value == old

    (row,) = audits("parameter.change", change.id)
    assert row.actor_id == user("ty_admin").id
    assert row.detail["new_hash"] == pack.hash and row.detail["old_hash"] == base_hash
    assert row.detail["value"] == old + 300 and row.detail["citation"]


def test_the_pack_is_cached_per_state_and_rebuilt_after_a_change(ctx):
    first = parameters.effective_pack("taiyuan")
    assert parameters.effective_pack("taiyuan") is first
    _save("workflow.publicity_days", NEXT_JANUARY, 7)
    second = parameters.effective_pack("taiyuan")
    assert second is not first and second.value("workflow.publicity_days", NEXT_JANUARY) == 7
    parameters.forget()
    assert parameters.effective_pack("taiyuan") is second  # same state → the shared cached pack


def test_save_needs_a_fresh_preview_of_the_same_inputs(ctx):
    admin = user("ty_admin")
    with pytest.raises(ChangeInvalid) as missing:
        parameter_changes.save_change("taiyuan", LIMIT, NEXT_JANUARY, 1800, "依据", admin, None)
    assert missing.value.errors == {"preview": "preview_required"}
    preview = parameter_changes.preview_change("taiyuan", LIMIT, NEXT_JANUARY, 1800)
    with pytest.raises(ChangeInvalid) as other:
        parameter_changes.save_change("taiyuan", LIMIT, NEXT_JANUARY, 1900, "依据", admin, preview.token)
    assert other.value.errors == {"preview": "preview_stale"}
    _save("workflow.publicity_days", NEXT_JANUARY, 7)  # someone else changed the pack since
    with pytest.raises(ChangeInvalid) as stale:
        parameter_changes.save_change("taiyuan", LIMIT, NEXT_JANUARY, 1800, "依据", admin, preview.token)
    assert stale.value.errors == {"preview": "preview_stale"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ParameterChange).where(
        ParameterChange.name == LIMIT)) == 0


@pytest.mark.parametrize("name, since, value, errors", [
    ("public_rental.no_such_thing", NEXT_JANUARY, 1, {"name": "unknown_parameter"}),
    (LIMIT, NEXT_JANUARY, -1, {"value": "negative"}),
    (LIMIT, NEXT_JANUARY, "abc", {"value": "not_a_number"}),
    (LIMIT, "2027-13-01", 1800, {"effective_from": "bad_date"}),
    (LIMIT, date(2021, 1, 1), 1800, {"effective_from": "duplicate_date"}),
    ("workflow.publicity_days", NEXT_JANUARY, Decimal("7.5"), {"value": "not_an_integer"}),
    ("workflow.district_review_enabled", NEXT_JANUARY, 1, {"value": "not_boolean"}),
    ("public_rental.area_bands", NEXT_JANUARY, [{"max_members": 1}], {"value": "wrong_shape"}),
    ("public_rental.area_bands", NEXT_JANUARY, [{"max_members": 1, "max_m2": -4}], {"value": "negative"}),
    ("ordering.method", NEXT_JANUARY, "coin_toss", {"value": "not_a_choice"}),
    ("rent_subsidy.rate_month", NEXT_JANUARY, ["x"], {"value": "wrong_shape"}),
])
def test_bad_changes_are_refused_field_by_field(ctx, name, since, value, errors):
    with pytest.raises(ChangeInvalid) as refused:
        parameter_changes.preview_change("taiyuan", name, since, value)
    assert refused.value.errors == errors


def test_form_parsing_reports_every_field_at_once(ctx):
    with pytest.raises(ChangeInvalid) as refused:
        parameter_changes.parse_form("taiyuan", "public_rental.area_bands",
                              {"value": "[{max_members: 1}", "effective_from": "soon", "citation": " "})
    assert refused.value.errors == {"value": "bad_json", "effective_from": "bad_date", "citation": "required"}
    proposal = parameter_changes.parse_form("taiyuan", "rent_subsidy.cap_month",
                                     {"value": "", "effective_from": "2030-01-01", "citation": "c"})
    assert proposal.value is None
    proposal = parameter_changes.parse_form("taiyuan", "rent_subsidy.rate_month", {
        "value": '{"minimum_allowance": 16, "special_hardship": 16, "low_income": 12.5, "other": 10}',
        "effective_from": "2030-01-01", "citation": "c"})
    assert proposal.value["low_income"] == Decimal("12.5")
    assert parameter_changes.parse_form("taiyuan", "workflow.district_review_enabled", {
        "value": "false", "effective_from": "2030-01-01", "citation": "c"}).value is False


def test_withdrawing_keeps_the_row_restores_the_old_pack_and_is_audited(ctx):
    base_hash = policy.load_pack("taiyuan").hash
    _, change = _save(LIMIT, NEXT_JANUARY, 2000)
    assert parameters.effective_pack("taiyuan").hash != base_hash
    with pytest.raises(ChangeInvalid):
        parameter_changes.withdraw_change(change, user("ty_admin"), " ")
    parameter_changes.withdraw_change(change, user("ty_admin"), "录入错误")
    db.session.commit()
    assert parameters.effective_pack("taiyuan").hash == base_hash
    assert db.session.get(ParameterChange, change.id).status == "withdrawn"
    assert audits("parameter.withdraw", change.id)[0].detail["reason"] == "录入错误"
    with pytest.raises(ChangeInvalid):
        parameter_changes.withdraw_change(change, user("ty_admin"), "again")
    # The date is free again once the change is withdrawn.
    _save(LIMIT, NEXT_JANUARY, 1900)
    assert parameters.effective_pack("taiyuan").value(LIMIT, NEXT_JANUARY) == 1900


def test_changes_of_one_city_leave_the_others_alone(ctx):
    datong = parameters.effective_pack("datong").hash
    _save(LIMIT, NEXT_JANUARY, 2100)
    assert parameters.effective_pack("datong").hash == datong


def test_without_an_application_the_yaml_pack_answers():
    assert parameters.effective_pack("taiyuan") is policy.load_pack("taiyuan")
