"""Automated accessibility checks: axe-core (static/vendor/axe, injected from disk; no page loads it) runs the
WCAG 2 A and AA rules on the key pages of every role, in Chinese and in English. Serious and critical violations
fail; lesser ones are only listed in the message when something fails. Also keyboard basics on a form."""
from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
RUN_AXE = """
    const done = arguments[arguments.length - 1];
    axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}, resultTypes: ['violations']})
      .then(result => done(result.violations.map(v => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 12).map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                                              summary: (n.failureSummary || '').slice(0, 240)})),
          count: v.nodes.length}))))
      .catch(error => done([{id: 'axe-error', impact: 'critical', help: String(error), nodes: [], count: 1}]));"""


class Audit:
    """Runs axe on the page the browser shows and keeps what it found, page by page."""

    def __init__(self, page):
        self.page = page
        self.source = AXE.read_text(encoding="utf-8")
        self.findings: list[tuple[str, dict]] = []
        page.driver.set_script_timeout(30)

    def check(self, label: str):
        driver = self.page.driver
        if not driver.execute_script("return typeof window.axe === 'object'"):
            driver.execute_script(self.source)
        for violation in driver.execute_async_script(RUN_AXE):
            self.findings.append((f"{label} ({self.page.path})", violation))
        return self

    def assert_clean(self):
        failing = [(where, v) for where, v in self.findings if v["impact"] in FAILING_IMPACTS]
        if failing:
            lines = []
            for where, v in self.findings:
                lines.append(f"- [{v['impact']}] {v['id']} on {where}: {v['help']} ({v['count']} elements)")
                lines += [f"    {n['target']}: {n['html']}\n      {n['summary']}" for n in v["nodes"]]
            pytest.fail(f"{len(failing)} serious or critical accessibility violations:\n" + "\n".join(lines),
                        pytrace=False)


def _first_link(page, pattern: str) -> str:
    """The path of the first link on the page whose href matches the regular expression `pattern`."""
    for anchor in page.driver.find_elements(By.TAG_NAME, "a"):
        href = anchor.get_attribute("href") or ""
        if re.search(pattern, href):
            return href[len(page.base_url):]
    raise AssertionError(f"no link matching {pattern} on {page.path}")


def _register_with_a_draft(page) -> int:
    """A fresh applicant registers and starts a public-rental draft in 坞城街道; the draft's id."""
    password = "a-long-password-2026"
    page.open("/register").fill("username", f"a11y_{uuid.uuid4().hex[:10]}").fill("display_name", "无障碍测试") \
        .fill("phone", "13912345670").fill("password", password).fill("confirm", password).submit()
    assert page.path == "/me/", page.text
    page.open("/me/apply").choose("programme", "public_rental").select("street_id", text="坞城街道").submit()
    found = re.search(r"/me/applications/(\d+)/edit$", page.path)
    assert found, page.path
    return int(found.group(1))


def test_public_and_applicant_pages_have_no_serious_violations(page_for):
    page = page_for()
    audit = Audit(page)
    audit.page.open("/")
    audit.check("landing")
    page.open("/login")
    audit.check("login")
    page.fill("username", "wangqiang").fill("password", "not-the-password").submit()
    assert page.driver.find_elements(By.ID, "error-summary")
    audit.check("login with errors")
    page.open("/register")
    audit.check("register")
    page.fill("username", "x").submit()
    audit.check("register with errors")
    page.open("/publicity/")
    audit.check("publicity list")

    application_id = _register_with_a_draft(page)
    page.open("/me/")
    audit.check("applicant home")
    page.open(f"/me/applications/{application_id}/edit")
    audit.check("task list")
    page.open(f"/me/applications/{application_id}/edit/address")
    audit.check("section form (address)")
    page.submit()
    audit.check("section form with errors")
    page.open(f"/me/applications/{application_id}/edit/members/new")
    audit.check("member form")
    page.open("/me/apply")
    audit.check("start page with the documents notice")
    page.open(f"/me/applications/{application_id}/edit/documents")
    audit.check("documents section with the required proofs")
    page.sign_out()

    page.sign_in("lixiulan")
    page.open(_first_link(page, r"/me/applications/\d+$"))
    audit.check("applicant status")
    status_path = page.path
    page.open(status_path + "/submitted")
    audit.check("submitted application and receipt")
    page.open(status_path)
    page.click_button("English")
    audit.check("applicant status, English")
    page.open("/")
    audit.check("landing, English")
    audit.assert_clean()


def test_staff_pages_have_no_serious_violations(page_for):
    page = page_for()
    audit = Audit(page)
    page.sign_in("wangqiang")
    audit.check("caseworker inbox")
    page.open(_first_link(page, r"/cases/\d+$"))
    audit.check("case page")
    page.click_button("English")
    audit.check("case page, English")
    page.open("/cases/")
    audit.check("caseworker inbox, English")
    page.sign_out()

    page.sign_in("liuchu")
    audit.check("bureau dashboard")
    for path, label in (("/bureau/rounds/", "rounds list"), ("/bureau/units", "units list"),
                        ("/bureau/early-warning", "early warning"), ("/bureau/reverification", "re-verification")):
        page.open(path)
        audit.check(label)
    page.sign_out()

    page.sign_in("ty_admin")
    audit.check("admin users")
    page.open("/admin/parameters")
    audit.check("admin parameters")
    audit.assert_clean()


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page_for):
    page = page_for()
    page.open("/login")
    body = page.driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    skip = page.driver.switch_to.active_element
    assert skip.tag_name == "a" and skip.get_attribute("href").endswith("#main"), skip.get_attribute("outerHTML")
    assert skip.is_displayed(), "the skip link must become visible when it has focus"
    skip.send_keys(Keys.ENTER)
    assert page.driver.switch_to.active_element.get_attribute("id") == "main"
    # the next Tab goes to the first field of the form, not back through the navigation
    page.driver.switch_to.active_element.send_keys(Keys.TAB)
    assert page.driver.switch_to.active_element.get_attribute("id") == "username"
