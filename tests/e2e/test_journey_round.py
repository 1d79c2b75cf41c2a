"""Scenario 5 in a real browser: the bureau officer creates the public-rental allocation round, watches it run
(a job of the queue, consumed by a thread beside the live server), compares the optimiser with first-come-first-served, reads why units
stay vacant, publishes; a household that got an offer accepts it on its status page and is housed."""
from __future__ import annotations

import re
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, Household, Offer, Unit, User
from housing_security.services import jobs

pytestmark = pytest.mark.e2e


def _section(page, title_id: str) -> str:
    return page.driver.find_element(By.ID, title_id).find_element(By.XPATH, "ancestor::section[1]").text


def _offer_to_an_applicant_account(app, round_id: int) -> tuple[int, str, str, str]:
    with app.app_context():
        row = db.session.execute(
            select(Offer.application_id, Application.reference, User.username, Offer.unit_id)
            .join(Application, Offer.application_id == Application.id)
            .join(Household, Application.household_id == Household.id)
            .join(User, Household.owner_id == User.id)
            .where(Offer.round_id == round_id, Offer.status == "pending")
            .order_by(Application.queue_rank, Offer.id).limit(1)).first()
        assert row is not None, f"round {round_id} made no offer to a household with an applicant account"
        return row.application_id, row.reference, row.username, db.session.get(Unit, row.unit_id).label


@pytest.fixture
def slow_stages(monkeypatch):
    """The demo city's round solves in a fraction of a second, before the officer's page has even loaded; a
    pause at each stage of the solve (in the queue's consumer thread: same process) lets the page show
    the progress bar moving, as it would for a real city."""
    real_call, seen = jobs.Reporter.__call__, set()

    def progress(self, stage: str, done: int, total: int) -> None:
        real_call(self, stage, done, total)
        if (self.job_id, stage) not in seen:
            seen.add((self.job_id, stage))
            time.sleep(0.6)

    monkeypatch.setattr(jobs.Reporter, "__call__", progress)


def test_bureau_runs_and_publishes_a_round_and_a_household_accepts(page_for, live_server, tmp_path, slow_stages):
    officer = page_for()
    officer.sign_in("liuchu")
    officer.click_link("配租批次")
    officer.click_link("新建配租批次")
    assert "公共租赁住房" in officer.driver.find_element(By.ID, "programme").text
    officer.select("programme", value="public_rental").click_button("创建并运行")
    round_id = int(re.search(r"/bureau/rounds/(\d+)$", officer.path).group(1))
    # the progress bar, moved by the page's polling of the run; the page reloads itself when the run is done
    bar = officer.driver.find_element(By.ID, "round-progress")
    assert bar.get_attribute("data-running") == "true" and "运行进度" in officer.text
    assert officer.driver.find_element(By.ID, "round-status").text == "待运行"
    WebDriverWait(officer.driver, 20, poll_frequency=0.1).until(
        lambda driver: int(bar.get_attribute("aria-valuenow")) > 0, message="the progress bar never moved")
    officer.screenshot(tmp_path / "1-round-running.png")
    officer.wait_for_text("已求解，待发布", timeout=45)
    assert officer.driver.find_element(By.ID, "round-status").text == "已求解，待发布"
    officer.screenshot(tmp_path / "2-round-solved.png")
    comparison = _section(officer, "tiers-title")
    for line in ("到期家庭获配户数", "配租户数", "首位未获配的轮候序号", "意向顺位合计", "面积偏差合计"):
        assert line in comparison
    assert "优化方案" in comparison and "先到先得" in comparison and "综合结论" in comparison
    metrics = _section(officer, "metrics-title")
    assert "批次后分配率" in metrics and "到期家庭保障覆盖率" in metrics
    assignments = _section(officer, "assignments-title")
    housed = int(re.search(r"配租结果（(\d+) 户）", assignments).group(1))
    assert housed >= 1
    vacant = _section(officer, "vacant-title")
    vacant_units = int(re.search(r"仍空置的房源（(\d+) 套）", vacant).group(1))
    assert vacant_units >= 1  # far more public-rental units than waiting households in the demo city
    reasons = [row.find_elements(By.TAG_NAME, "td")[-1].text for row in officer.driver.find_elements(
        By.XPATH, "//section[h2[@id='vacant-title']]//tbody/tr")]
    assert reasons and all(reason and reason != "—" for reason in reasons), reasons[:5]

    # publish (the page asks for confirmation first)
    officer.click_button("发布", confirm=True)
    officer.wait_for_text("份配租通知", timeout=45)  # publishing runs in the background; the page follows it
    published = re.search(r"已发布：发出 (\d+) 份配租通知", officer.text)
    assert published and int(published.group(1)) == housed, officer.text
    assert officer.driver.find_element(By.ID, "round-status").text == "已发布"
    officer.click_link("概览")
    assert f"批次 #{round_id}" in officer.text and "批次后分配率" in officer.text
    officer.screenshot(tmp_path / "3-dashboard.png")

    # a household that got an offer sees it on its status page and accepts it
    application_id, reference, username, unit_label = _offer_to_an_applicant_account(live_server.app, round_id)
    household = page_for()
    household.sign_in(username)
    assert reference in household.text and "已发配租通知" in household.text
    household.click_link(reference)
    assert household.path == f"/me/applications/{application_id}"
    offer = household.driver.find_element(By.XPATH, "//section[.//h2[normalize-space()='配租通知']]").text
    assert unit_label in offer and "月租金" in offer and "请在" in offer
    assert "获得配租通知" in household.text  # the notification
    household.screenshot(tmp_path / "4-offer.png")
    household.click_button("接受配租")
    assert "您已接受配租" in household.text
    assert household.driver.find_element(By.CSS_SELECTOR, "main > p strong").text == "已入住"
    assert "下次年审" in household.text
    assert not [b for b in household.driver.find_elements(By.TAG_NAME, "button") if "接受配租" in b.text]
    steps = [li.find_element(By.TAG_NAME, "strong").text
             for li in household.driver.find_elements(By.CSS_SELECTOR, "ol.timeline > li")]
    assert steps[-2:] == ["已发配租通知", "已入住"], steps
