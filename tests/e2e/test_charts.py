"""The dashboard, the province view and a round page draw their charts (a canvas with pixels painted), each chart's
data table is reachable from the keyboard and opens with it, and the pages are axe-core clean."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.e2e.test_accessibility import Audit

pytestmark = pytest.mark.e2e

PAINTED = """
    const canvas = document.getElementById(arguments[0]);
    if (!canvas || canvas.getAttribute('data-drawn') !== 'true' || !canvas.width || !canvas.height) return 0;
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) painted++; }
    return painted;"""


def _wait_painted(page, chart_id: str) -> int:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(page.driver, 10).until(lambda d: d.execute_script(PAINTED, chart_id) > 0,
                                         message=f"{chart_id} not drawn")
    return page.driver.execute_script(PAINTED, chart_id)


def _tab_to(page, element, limit: int = 400) -> bool:
    """Press Tab from the top of the page until `element` has the focus."""
    body = page.driver.find_element(By.TAG_NAME, "body")
    body.click()
    for _ in range(limit):
        page.driver.switch_to.active_element.send_keys(Keys.TAB)
        if page.driver.switch_to.active_element == element:
            return True
    return False


def test_dashboard_charts_are_drawn_and_their_tables_open_from_the_keyboard(page_for):
    page = page_for()
    page.sign_in("liuchu").open("/bureau/")
    canvases = page.driver.find_elements(By.CSS_SELECTOR, "canvas[data-chart]")
    assert len(canvases) >= 6
    for canvas in canvases:
        assert _wait_painted(page, canvas.get_attribute("id")) > 0
    summary = page.driver.find_element(By.CSS_SELECTOR, "#chart-allocation-rate-figure summary")
    assert _tab_to(page, summary), "the data table's summary is not reachable with Tab"
    page.driver.switch_to.active_element.send_keys(Keys.ENTER)
    table = page.driver.find_element(By.CSS_SELECTOR, "table[data-chart-table='chart-allocation-rate']")
    assert table.is_displayed()
    audit = Audit(page)
    audit.check("dashboard with a table open")
    page.open("/bureau/rounds/new")
    page.select("programme", value="public_rental").click_button("创建并运行")
    page.wait_for_text("结果一览", timeout=90)
    assert _wait_painted(page, "chart-round-tiers") > 0
    audit.check("round page")
    audit.assert_clean()


def test_province_view_draws_its_charts_and_is_accessible(page_for):
    page = page_for()
    page.sign_in("admin").open("/province/")
    for chart_id in ("chart-province-rates", "chart-province-raised"):
        assert _wait_painted(page, chart_id) > 0
    page.open("/lottery/")
    Audit(page).check("province view").check("lottery list").assert_clean()
