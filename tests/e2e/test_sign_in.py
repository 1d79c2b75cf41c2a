"""Key journeys in a real browser: each role signs in and sees its own home; language switch; phone width."""
import pytest
from selenium.webdriver.common.by import By

pytestmark = pytest.mark.e2e


def test_each_role_signs_in_to_its_home_and_signs_out(page_for):
    page = page_for()
    expectations = {
        "lixiulan": ("/me/", "我的申请"),
        "wangqiang": ("/cases/", "坞城街道"),
        "liuchu": ("/bureau/", "分配率"),
        "admin": ("/admin/", "用户"),
    }
    for username, (path, visible) in expectations.items():
        page.sign_in(username)
        assert page.path == path
        assert visible in page.text
        page.sign_out()
        assert page.path.startswith("/login")


def test_wrong_password_shows_error_summary_linked_to_the_field(page_for):
    page = page_for()
    page.open("/login").fill("username", "wangqiang").fill("password", "not-the-password").submit()
    summary = page.driver.find_element(By.ID, "error-summary")
    assert "用户名或密码不正确" in summary.text
    assert summary.find_element(By.TAG_NAME, "a").get_attribute("href").endswith("#password")
    field = page.driver.find_element(By.ID, "password")
    assert field.get_attribute("aria-invalid") == "true"
    assert "password-error" in field.get_attribute("aria-describedby")


def test_phone_width_has_no_horizontal_scroll(page_for, tmp_path):
    page = page_for(width=390, height=844)
    page.sign_in("lixiulan")
    page.open("/me/")
    assert page.driver.execute_script("return window.innerWidth") == 390
    page.screenshot(tmp_path / "phone.png")
    assert page.driver.execute_script("return document.documentElement.scrollWidth") <= 390


def test_language_switch_to_english_and_back(page_for):
    page = page_for()
    page.open("/")
    assert page.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    page.click_button("English")
    assert page.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert "Housing" in page.driver.title
    page.click_button("中文")
    assert page.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
