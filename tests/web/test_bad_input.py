"""Hostile form input never answers 500: JSON and other non-form bodies are refused before any form reads them,
whitespace-only values and extreme dates get field messages. The sweep finds every form by crawling the pages of
each role (so the ids in the URLs are real ones in that role's scope) and posts bad values into every field."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import func, select

from housing_security.extensions import db
from housing_security.models import AllocationRound, ParameterChange, Role
from housing_security.web.access import rule_for
from tests.conftest import login
from tests.web.conftest_applicant import fill, register, start

ROLE_USERS = {
    Role.applicant: "zhanglei",
    Role.street_caseworker: "wangqiang",
    Role.district_reviewer: "xiaodian_reviewer",
    Role.bureau_officer: "liuchu",
    Role.administrator: "ty_admin",
}
NOT_FORMS = [
    ("application/json", b"[1, 2, 3]"),
    ("application/json", b"7"),
    ("application/json", b'{"username": ["a"], "password": {"x": 1}}'),
    ("text/plain", b"username=a&password=b"),
    ("application/xml", b"<a/>"),
]
EXTREME_DATES = ["0001-01-01", "9999-12-31", "1900-02-29", "2026-02-30", "99999-01-01", "-2026-01-01", " "]


def _post_rules(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            path = rule.rule
            for argument in rule.arguments:
                path = re.sub(rf"<(?:[^:<>]+:)?{argument}>", "1", path)
            yield rule, path


def test_non_form_bodies_are_refused_on_every_form_before_it_reads_them(app):
    clients = {None: app.test_client()}
    for role, username in ROLE_USERS.items():
        clients[role] = app.test_client()
        login(clients[role], username)
    with app.test_request_context():
        rules = [(rule, path, rule_for(rule.endpoint)) for rule, path in _post_rules(app)]
    failures = []
    for rule, path, access in rules:
        if rule.endpoint == "auth.logout" or path.startswith("/api/"):
            continue  # the JSON API takes JSON bodies by design: tests/web/test_api.py refuses malformed ones
        role = None if access.public else next(iter(sorted(access.roles, key=lambda r: r.value)))
        if role is not None and role not in ROLE_USERS:
            continue
        for mimetype, body in NOT_FORMS:
            response = clients[role].post(path, data=body, content_type=mimetype)
            if response.status_code != 400:
                failures.append(f"{path} {mimetype} {body[:20]!r} → {response.status_code}")
    assert not failures, "\n".join(failures)


def test_json_array_sign_in_gets_the_400_page(client):
    response = client.post("/login", data=b"[1, 2]", content_type="application/json")
    assert response.status_code == 400 and "请求有误" in response.get_data(as_text=True)


def test_body_less_post_is_still_a_form(login_as):
    # A POST with no body at all (no content type) reaches the form and gets its field messages.
    response = login_as("liuchu").post("/bureau/rounds/new")
    assert response.status_code == 400 and "此项为必填项" in response.get_data(as_text=True)


def test_whitespace_only_round_date_is_a_field_error_not_a_crash(app, login_as):
    client = login_as("liuchu")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AllocationRound))
    for field in ("round_date", "next_round_date"):
        form = {"programme": "public_rental", "round_date": "2026-12-01", "next_round_date": "2027-01-01",
                field: "   "}
        response = client.post("/bureau/rounds/new", data=form)
        assert response.status_code == 400, field
        assert "此项为必填项" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AllocationRound)) == before


@pytest.mark.parametrize("action", ["preview", "save"])
def test_parameter_change_dated_before_the_pack_begins_is_refused(app, login_as, action):
    url = "/admin/parameters/taiyuan/public_rental.income_limit_month/change"
    response = login_as("ty_admin").post(url, data={
        "value": "1800", "effective_from": "1999-01-01", "citation": "测试", "note": "", "action": action,
        "token": "x"})
    assert response.status_code == 422
    assert "早于本市参数包的起始日期" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ParameterChange)) == 0


# ---- the sweep over every form ------------------------------------------------------------------

class _Forms(HTMLParser):
    """Links and POST forms (action, field names and types) of one page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}, "multipart": "multipart" in (
                a.get("enctype") or "")}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea") and a.get("name"):
            self._form["fields"].setdefault(a["name"], (a.get("type") or tag, a.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


SKIP_ACTIONS = ("/logout", "/language")
DATE_NAME = re.compile(r"date|_on$|_from$|as_of|until|birth|since", re.I)


def _crawl(client, start: list[str], limit: int):
    """Pages reachable from `start` by links (GET only, same site), at most `limit`, one per URL shape."""
    seen_shapes: dict[str, int] = {}
    seen_urls, queue, pages = set(), list(start), []
    while queue and len(pages) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/") or parts.path.startswith("/static"):
            continue
        shape = re.sub(r"\d+", "N", parts.path) + "?" + parts.query
        if url in seen_urls or seen_shapes.get(shape, 0) >= 10 or "sort=" in parts.query or "page=" in parts.query or shape.endswith((".csv", ".json")) \
                or "/documents/" in shape:
            continue
        seen_urls.add(url)
        seen_shapes[shape] = seen_shapes.get(shape, 0) + 1
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        pages.append((url, parser.forms))
        queue.extend(urljoin(url, link) for link in parser.links)
    return pages


def _bad_bodies(form: dict):
    fields = form["fields"]
    dates = [name for name, (kind, _) in fields.items() if kind == "date" or DATE_NAME.search(name)]
    keep = {name: value for name, (kind, value) in fields.items() if kind in ("hidden", "submit")}
    yield {**keep, **{name: " \t " for name, (kind, _) in fields.items() if kind not in ("hidden", "submit")}}
    yield {**keep, **{name: "\u3000" for name, (kind, _) in fields.items() if kind not in ("hidden", "submit")}}
    for extreme in EXTREME_DATES:
        if dates:
            yield {**{name: value for name, (kind, value) in fields.items()}, **{name: extreme for name in dates}}


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_every_form_survives_whitespace_and_extreme_dates(app, role):
    if role is Role.applicant:
        client = register(app, "fuzzapplicant")
        application_id = start(client, app)
        fill(client, app, application_id)
        starts = [f"/me/applications/{application_id}/edit", "/me/"]
    else:
        client = app.test_client()
        login(client, ROLE_USERS[role])
        starts = ["/cases/", "/bureau/", "/admin/", "/intake/", "/bureau/rounds/", "/publicity/"]
    pages = _crawl(client, starts, limit=150)
    failures, posted, shapes = [], 0, set()
    for page_url, forms in pages:
        for form in forms:
            action = urljoin(page_url, form["action"] or page_url)
            shape = (urlsplit(action).path, tuple(sorted(form["fields"])))
            if any(skip in action for skip in SKIP_ACTIONS) or action.endswith("/submit") or shape in shapes:
                continue
            shapes.add(shape)
            for body in _bad_bodies(form):
                response = client.post(action, data=body)
                posted += 1
                if response.status_code >= 500:
                    failures.append(f"{action} {body} → {response.status_code}")
    assert posted, "the crawl found no form"
    assert not failures, "\n".join(failures)
