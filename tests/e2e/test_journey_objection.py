"""Scenario 4 in a real browser: an anonymous neighbour objects to a case in publicity (公示); the street
caseworker finds the task, upholds it with a written outcome, which rejects the case; the applicant asks for
review (复核) from the status page; the officer who rejected may not decide it; a different officer does."""
from __future__ import annotations

from datetime import date

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, Household, Jurisdiction, User

pytestmark = pytest.mark.e2e

# Street offices of the demo city with two caseworkers each (one rejects, the other may decide the review).
CASEWORKERS = {"wucheng": ("wangqiang", "wucheng2")}
OBJECTION = "我是同小区邻居，该户主在小店区长治路另有一套住房，请核查房产登记。"
OUTCOME = "经查询不动产登记，户主名下确有长治路住房一套（68 m²），异议成立。"
APPEAL = "长治路住房已于去年出售，附买卖合同和不动产注销证明，请重新核查。"
DECISION = "经复核不动产登记，该住房至今仍登记在户主名下，维持不予通过的决定。"


def _case_awaiting_approval(app) -> tuple[int, str, str, str]:
    """A seeded case awaiting the bureau's approval, in a street with two caseworkers, whose household has an
    account. (The seeded cases in publicity have all passed their period: nobody may object to them any more.)"""
    with app.app_context():
        row = db.session.execute(
            select(Application.id, Application.reference, Jurisdiction.code, User.username)
            .join(Jurisdiction, Application.street_id == Jurisdiction.id)
            .join(Household, Application.household_id == Household.id)
            .join(User, Household.owner_id == User.id)
            .where(Application.status == "bureau_review", Jurisdiction.code.in_(CASEWORKERS))
            .order_by(Application.id).limit(1)).first()
    assert row is not None, "the demo seed has no case awaiting approval in 坞城街道 with an applicant account"
    return row.id, row.reference, row.code, row.username


def _expired_publicity(app) -> list[str]:
    """References of seeded cases still in publicity whose period is over (waiting for the daily job)."""
    with app.app_context():
        return list(db.session.scalars(select(Application.reference).where(
            Application.status == "publicity", Application.publicity_until < date.today(),
            Application.city_code == "taiyuan")))


def _status(page) -> str:
    return page.driver.find_element(By.CSS_SELECTOR, "main > p strong").text


def test_objection_upheld_then_reviewed_by_another_officer(page_for, live_server, tmp_path):
    case_id, reference, street, owner = _case_awaiting_approval(live_server.app)
    rejecter, reviewer = CASEWORKERS[street]

    # the bureau approves: publicity starts today
    staff = page_for()
    staff.sign_in("liuchu")
    staff.open(f"/cases/{case_id}")
    staff.click_button("批准并开始公示")
    assert _status(staff) == "公示中"
    staff.sign_out()

    # an anonymous visitor objects from the public publicity page
    visitor = page_for()
    visitor.open("/publicity/")
    # cases whose period is over, still listed until the daily job moves them, offer no objection link
    # (it used to lead to a form that could only refuse)
    expired = _expired_publicity(live_server.app)
    for other in expired:
        row = visitor.driver.find_element(By.XPATH, f"//tr[td[normalize-space()='{other}']]").text
        assert "该案件不在公示期内，无法提出异议" in row, row
    assert not [href for href in visitor.links("提出异议") if any(f"/{other}/" in href for other in expired)]
    [objection_link] = [href for href in visitor.links("提出异议") if f"/publicity/{reference}/objection" in href]
    visitor.open(objection_link[len(visitor.base_url):])
    assert reference in visitor.text and "可以匿名提出" in visitor.text
    visitor.fill("content", OBJECTION).click_button("提交异议")
    assert visitor.path.startswith("/publicity/") and "异议已收到" in visitor.text

    # the street caseworker sees it as a task, upholds it with a written outcome: the case is rejected
    staff.sign_in(rejecter)
    tasks = staff.driver.find_element(By.ID, "tasks-title").find_element(By.XPATH, "..").text
    assert "待核查的公示异议" in tasks and reference in tasks and OBJECTION[:20] in tasks
    staff.click_link(reference)
    assert staff.path == f"/cases/{case_id}#objections" and _status(staff) == "公示中"
    objections = staff.driver.find_element(By.ID, "objections").text
    assert OBJECTION in objections and "匿名" in objections and "待核查 1" in objections
    form = staff.driver.find_element(By.CSS_SELECTOR, "#objections form")
    prefix = form.find_element(By.CSS_SELECTOR, "textarea").get_attribute("id").removesuffix("-outcome")
    staff.choose(f"{prefix}-decision", "upheld").fill(f"{prefix}-outcome", OUTCOME).click_button("记录核查结果")
    assert "异议核查结果已记录" in staff.text and _status(staff) == "未通过"
    assert "异议成立" in staff.driver.find_element(By.ID, "objections").text
    staff.screenshot(tmp_path / "1-objection-upheld.png")

    # no longer public
    visitor.open("/publicity/")
    assert reference not in visitor.text

    # the applicant reads the outcome and asks for review from the status page
    applicant = page_for()
    applicant.sign_in(owner)
    applicant.open(f"/me/applications/{case_id}")
    assert _status(applicant) == "未通过" and OUTCOME in applicant.text
    applicant.click_link("申请复核")
    assert applicant.path == f"/me/applications/{case_id}/appeal" and OUTCOME in applicant.text
    applicant.fill("reason", APPEAL).click_button("提交复核申请")
    assert "复核申请已提交" in applicant.text and _status(applicant) == "复核中"
    applicant.screenshot(tmp_path / "2-appeal-requested.png")

    # the officer who upheld the objection is not offered the review decision
    staff.open(f"/cases/{case_id}")
    assert _status(staff) == "复核中" and APPEAL in staff.text
    assert "记录复核决定" not in staff.text
    staff.sign_out()

    # a different caseworker of the same street decides it
    staff.sign_in(reviewer)
    staff.open(f"/cases/{case_id}")
    staff.choose("appeal-decision", "uphold").fill("appeal-reason", DECISION).click_button("记录复核决定")
    assert "复核决定已记录" in staff.text and _status(staff) == "未通过"
    timeline = staff.driver.find_element(By.CSS_SELECTOR, "ol.timeline").text
    with live_server.app.app_context():
        names = dict(db.session.execute(select(User.username, User.display_name)
                                        .where(User.username.in_((rejecter, reviewer)))).all())
    assert names[rejecter] in timeline and names[reviewer] in timeline and DECISION in timeline
    staff.screenshot(tmp_path / "3-appeal-decided.png")

    applicant.open(f"/me/applications/{case_id}")
    steps = [li.find_element(By.TAG_NAME, "strong").text
             for li in applicant.driver.find_elements(By.CSS_SELECTOR, "ol.timeline > li")]
    assert steps[-3:] == ["未通过", "复核中", "未通过"], steps
    assert DECISION in applicant.text and _status(applicant) == "未通过"
    assert "复核已办结，维持原决定。" in applicant.text and "申请复核" not in applicant.text
