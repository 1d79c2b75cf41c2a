"""Security headers on every response of every route, and no inline script or style for the CSP to allow."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from housing_security import PROJECT_ROOT
from tests.conftest import DEMO_PASSWORD, login

REQUIRED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _check(response, path: str, failures: list, static: bool = False) -> None:
    headers = response.headers
    for name, value in REQUIRED.items():
        if headers.get(name) != value:
            failures.append(f"{path} {response.status_code}: {name}={headers.get(name)!r}")
    csp = headers.get("Content-Security-Policy", "")
    if "frame-ancestors 'none'" not in csp or "script-src 'self'" not in csp or "unsafe-inline" in csp:
        failures.append(f"{path} {response.status_code}: CSP {csp!r}")
    if not static and "no-store" not in headers.get("Cache-Control", ""):
        failures.append(f"{path} {response.status_code}: Cache-Control {headers.get('Cache-Control')!r}")


def _requests(app):
    for rule in app.url_map.iter_rules():
        path = rule.rule
        for argument in rule.arguments:
            path = re.sub(rf"<(?:[^:<>]+:)?{argument}>", "css/app.css" if argument == "filename" else "1", path)
        for method in sorted(rule.methods & {"GET", "POST"}):
            if rule.endpoint in ("auth.logout",):
                continue
            yield rule.endpoint, method, path


@pytest.mark.parametrize("username", [None, "lixiulan", "wangqiang", "liuchu", "ty_admin"])
def test_every_route_answers_with_the_security_headers(app, username):
    client = app.test_client()
    if username:
        login(client, username)
    failures, count = [], 0
    for endpoint, method, path in _requests(app):
        response = client.open(path, method=method, data={} if method == "POST" else None)
        count += 1
        _check(response, f"{method} {path}", failures, static=endpoint == "static")
    for path in ("/no/such/page", "/cases/999999", "/static/no-such-file.js"):
        _check(client.get(path), path, failures)
    assert count > 80 and not failures, "\n".join(failures[:40])


def test_signed_in_pages_and_downloads_are_never_cached(login_as):
    client = login_as("wangqiang")
    for path in ("/cases/", "/cases/export.csv"):
        response = client.get(path)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", path


def test_hsts_and_secure_cookies_only_when_https_is_on(make_app):
    plain = make_app().test_client()
    response = plain.post("/login", data={"username": "wangqiang", "password": DEMO_PASSWORD})
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers["Set-Cookie"]
    secure = make_app(HTTPS=True).test_client()
    response = secure.post("/login", data={"username": "wangqiang", "password": DEMO_PASSWORD},
                           base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "; Secure" in response.headers["Set-Cookie"]


def test_templates_hold_no_inline_script_handler_or_style():
    """The CSP allows scripts and styles from files only, so the templates must not need more."""
    offending = []
    for template in sorted(Path(PROJECT_ROOT, "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\son[a-z]+\s*=", r"\sstyle\s*=", r"javascript:"):
            offending += [f"{template.name}: {m.group(0)}" for m in re.finditer(pattern, text, re.I)]
    assert not offending, offending
