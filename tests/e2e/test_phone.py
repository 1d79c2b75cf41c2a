"""The applicant's pages on a phone-sized screen (390 × 844): nothing wider than the screen, forms usable."""
import re
import uuid

import pytest
from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import Application, Household, User

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


def _fits(page) -> None:
    width = page.driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.path} is {width}px wide on a {PHONE['width']}px screen"


def test_a_new_applicant_can_apply_on_a_phone(page_for, tmp_path):
    page = page_for(**PHONE)
    password = "a-long-password-2026"
    page.open("/register").fill("username", f"phone_{uuid.uuid4().hex[:8]}").fill("display_name", "手机用户") \
        .fill("password", password).fill("confirm", password).submit()
    assert page.path == "/me/"
    _fits(page)
    page.click_link("开始新的申请")
    _fits(page)
    page.choose("programme", "public_rental").select("street_id", text="坞城街道").submit()
    application_id = int(re.search(r"/applications/(\d+)/edit$", page.path).group(1))
    _fits(page)
    for section in ("address", "members", "members/new", "hukou", "income", "assets", "housing", "preferences",
                    "documents", "check"):
        page.open(f"/me/applications/{application_id}/edit/{section}")
        assert "页面不存在" not in page.text, section
        _fits(page)
    page.screenshot(tmp_path / "phone-check.png")


def test_waiting_households_status_page_fits_a_phone(page_for, live_server):
    with live_server.app.app_context():
        application_id = db.session.scalar(
            select(Application.id).join(Household).join(User, User.id == Household.owner_id)
            .where(User.username == "lixiulan"))
    page = page_for(**PHONE)
    page.sign_in("lixiulan")
    page.open(f"/me/applications/{application_id}")
    assert "轮候位置" in page.text
    _fits(page)
    # the collapsed menu opens and still offers sign-out
    page.driver.find_element("css selector", ".navbar-toggler").click()
    page.wait_for_text("退出")
