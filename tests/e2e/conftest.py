"""A live server on 127.0.0.1 and Debian's headless Chromium driven by Selenium."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from housing_security import create_app
from housing_security.extensions import db
from tests.conftest import _config

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture
def live_server(tmp_path, template_database, monkeypatch):
    monkeypatch.setenv("HOUSING_INSTANCE_PATH", str(tmp_path))
    database = tmp_path / "housing.sqlite"
    shutil.copyfile(template_database, database)
    # CSRF stays on: the browser submits the real forms with their tokens.
    app = create_app(_config(tmp_path, database, WTF_CSRF_ENABLED=True, TESTING=False))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.app = app
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def browser_factory(tmp_path):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("Debian chromium and chromium-driver are required (make test installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    drivers = []

    def make(width: int = 1280, height: int = 900, language: str = "zh-CN"):
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", f"--window-size={width},{height}",
                     f"--lang={language}", f"--user-data-dir={tmp_path / f'chrome{len(drivers)}'}"):
            options.add_argument(flag)
        options.add_experimental_option("prefs", {"intl.accept_languages": language})
        if width < 500:  # headless Chromium will not make a window narrower than 500 px; emulate a phone
            options.add_experimental_option(
                "mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 3}})
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        driver.implicitly_wait(3)
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.quit()


class Page:
    """Small helpers that read like what a person does on the page."""

    def __init__(self, driver, base_url: str):
        self.driver, self.base_url = driver, base_url

    def open(self, path: str):
        self.driver.get(self.base_url + path)
        return self

    def fill(self, field_id: str, value: str):
        from selenium.webdriver.common.by import By

        element = self.driver.find_element(By.ID, field_id)
        element.clear()
        element.send_keys(value)
        return self

    def click_button(self, text: str):
        from selenium.webdriver.common.by import By

        buttons = [b for b in self.driver.find_elements(By.CSS_SELECTOR, "button, input[type=submit]")
                   if text in (b.text or b.get_attribute("value") or "") and b.is_displayed()]
        assert buttons, f"no visible button '{text}' on {self.driver.current_url}"
        self._click_and_wait(buttons[0])
        return self

    def _click_and_wait(self, element):
        """Click, then wait for the next page: Selenium's click does not wait for a navigation."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        old_page = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        WebDriverWait(self.driver, 15).until(expected_conditions.staleness_of(old_page))

    def click_link(self, text: str):
        from selenium.webdriver.common.by import By

        self._click_and_wait(self.driver.find_element(By.PARTIAL_LINK_TEXT, text))
        return self

    @property
    def text(self) -> str:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.TAG_NAME, "body").text

    @property
    def path(self) -> str:
        return self.driver.current_url[len(self.base_url):]

    def sign_in(self, username: str, password: str = "demo-password-2026"):
        self.open("/login").fill("username", username).fill("password", password)
        from selenium.webdriver.common.by import By

        self._click_and_wait(self.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        return self

    def submit(self):
        """Press the main form's submit button."""
        from selenium.webdriver.common.by import By

        self._click_and_wait(self.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        return self

    def sign_out(self):
        return self.click_button("退出") if "退出" in self.text else self.click_button("Sign out")

    def screenshot(self, path: Path):
        self.driver.save_screenshot(str(path))


@pytest.fixture
def page_for(live_server, browser_factory):
    def make(**kwargs) -> Page:
        return Page(browser_factory(**kwargs), live_server.url)

    return make
