"""A live server on 127.0.0.1 and Debian's headless Chromium driven by Selenium."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from housing_security.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture
def live_server(make_app):
    """The app on its own copy of the seeded demo database (tests/conftest.py's make_app), served on 127.0.0.1."""
    # CSRF stays on: the browser submits the real forms with their tokens. TESTING off: jobs (a round's run and
    # publication) go through the real queue (Huey on SQLite in the test's instance folder), consumed by a thread.
    from housing_security import worker

    app = make_app(WTF_CSRF_ENABLED=True, TESTING=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stop = threading.Event()

    def consume():
        with app.app_context():
            while not stop.wait(0.1):
                worker.drain()

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    server.app = app
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    stop.set()
    thread.join(timeout=5)
    consumer.join(timeout=30)
    with app.app_context():
        db.session.remove()  # make_app disposes of the engine (and drops a cloned database) afterwards


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

    def click_button(self, text: str, within: str = "", confirm: bool = False):
        """Press the first visible button whose text contains `text` (inside the CSS selector `within`, when
        given); `confirm=True` accepts the page's window.confirm() dialog that the button raises."""
        from selenium.webdriver.common.by import By

        buttons = [b for b in self.driver.find_elements(By.CSS_SELECTOR, f"{within} button, {within} input[type=submit]")
                   if text in (b.text or b.get_attribute("value") or "") and b.is_displayed()]
        assert buttons, f"no visible button '{text}' on {self.driver.current_url}"
        self._click_and_wait(buttons[0], confirm=confirm)
        return self

    def _click(self, element):
        """Scroll the element to the middle at once, then click: Bootstrap's smooth scrolling would otherwise
        still be moving the page when Selenium clicks, and the click lands on something else."""
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
        element.click()

    def _click_and_wait(self, element, confirm: bool = False):
        """Click, then wait for the next page: Selenium's click does not wait for a navigation."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        old_page = self.driver.find_element(By.TAG_NAME, "html")
        self._click(element)
        if confirm:
            WebDriverWait(self.driver, 5).until(expected_conditions.alert_is_present()).accept()
        WebDriverWait(self.driver, 15).until(expected_conditions.staleness_of(old_page))

    def select(self, field_id: str, text: str = "", value: str = ""):
        """Choose an option of a <select> by (part of) its visible text, or by its value."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        select = Select(self.driver.find_element(By.ID, field_id))
        if value:
            select.select_by_value(value)
        else:
            matches = [o for o in select.options if text in o.text]
            assert matches, f"no option '{text}' in #{field_id} on {self.driver.current_url}"
            matches[0].click()
        return self

    def tick(self, field_id: str, on: bool = True):
        """Tick (or untick) a checkbox; click a radio button (`on` is then always True)."""
        from selenium.webdriver.common.by import By

        element = self.driver.find_element(By.ID, field_id)
        if element.is_selected() != on:
            self._click(element)
        return self

    def choose(self, name: str, value: str):
        """Click the radio button of the group `name` with this value."""
        from selenium.webdriver.common.by import By

        self._click(self.driver.find_element(By.CSS_SELECTOR, f"input[type=radio][name='{name}'][value='{value}']"))
        return self

    def upload(self, field_id: str, path: Path):
        """Put a file into a file input, as a person choosing it in the file dialog."""
        from selenium.webdriver.common.by import By

        self.driver.find_element(By.ID, field_id).send_keys(str(Path(path).resolve()))
        return self

    def wait_for_text(self, text: str, timeout: float = 30):
        """Wait until the page (perhaps after reloads of its own) shows `text`; returns the page's text."""
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        def shown(_driver):
            try:
                return text in self.text
            except (StaleElementReferenceException, WebDriverException):
                return False  # mid-reload

        WebDriverWait(self.driver, timeout, poll_frequency=0.25).until(
            shown, message=f"'{text}' not shown on {self.driver.current_url}")
        return self.text

    def links(self, text: str) -> list[str]:
        """The hrefs of the visible links whose text contains `text`."""
        from selenium.webdriver.common.by import By

        return [a.get_attribute("href") for a in self.driver.find_elements(By.TAG_NAME, "a")
                if text in a.text and a.is_displayed()]

    def fetch(self, path: str) -> dict:
        """GET `path` with the browser's own session (fetch in the page); status, headers and body size.
        For downloads: Chromium's download bar is not something a test can read."""
        script = """
            const done = arguments[arguments.length - 1];
            fetch(arguments[0], {credentials: "same-origin"}).then(async r => {
                const body = await r.arrayBuffer();
                done({status: r.status, type: r.headers.get("content-type"),
                      disposition: r.headers.get("content-disposition"), size: body.byteLength});
            }).catch(e => done({status: 0, error: String(e)}));"""
        return self.driver.execute_async_script(script, path if path.startswith("http") else self.base_url + path)

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
