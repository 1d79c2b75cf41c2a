"""Fixtures shared by the service and web tests: a real SQLite file per test, copied from a template
database built once per session through the real migrations and the real demo seeder."""
from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from housing_security import create_app
from housing_security.extensions import db

DEMO_PASSWORD = "demo-password-2026"
FAST_HASH = "pbkdf2:sha256:1000"  # production uses 600,000 iterations; tests/web/test_auth.py checks that


def _config(instance: Path, database: Path, **extra) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
        **extra,
    }


@pytest.fixture(scope="session")
def template_database(tmp_path_factory) -> Path:
    from flask_migrate import upgrade

    from housing_security.services import demo

    folder = tmp_path_factory.mktemp("template")
    database = folder / "template.sqlite"
    app = create_app(_config(folder, database))
    with app.app_context():
        upgrade()
        demo.seed(households=60, seed=7)
        db.session.remove()
        db.engine.dispose()  # closes the last connection, which folds the WAL into the main file
    return database


@pytest.fixture
def make_app(tmp_path, template_database, monkeypatch):
    """make_app(**config) → an app on its own copy of the demo database."""
    monkeypatch.setenv("HOUSING_INSTANCE_PATH", str(tmp_path))
    made = []

    def make(**extra):
        database = tmp_path / f"housing{len(made)}.sqlite"
        shutil.copyfile(template_database, database)
        made.append(create_app(_config(tmp_path, database, **extra)))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def login(client, username: str, password: str = DEMO_PASSWORD):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, f"{username} could not sign in"
    return response


@pytest.fixture
def login_as(app):
    """login_as('wangqiang') → a test client signed in as that demo account."""

    def make(username: str):
        client = app.test_client()
        login(client, username)
        return client

    return make


class PageAudit(HTMLParser):
    """Collects what every page must have: a title, a lang, and a label for every input."""

    def __init__(self):
        super().__init__()
        self.lang = None
        self.title = ""
        self._in_title = False
        self.label_targets: set[str] = set()
        self.inputs: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag == "label" and attributes.get("for"):
            self.label_targets.add(attributes["for"])
        elif tag in ("input", "select", "textarea"):
            if attributes.get("type") not in ("hidden", "submit", "button"):
                self.inputs.append(attributes)

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def audit_page(html: str) -> None:
    page = PageAudit()
    page.feed(html)
    assert page.lang in ("zh-CN", "en"), "page has no lang attribute"
    assert page.title.strip(), "page has no title"
    unlabeled = [
        i for i in page.inputs
        if not (i.get("id") in page.label_targets or i.get("aria-label") or i.get("aria-labelledby"))
    ]
    assert not unlabeled, f"inputs without labels: {unlabeled}"


@pytest.fixture
def page_get():
    """GET a page, check it answered 200 and passes the page audit, return the HTML."""

    def get(client, url: str, status: int = 200) -> str:
        response = client.get(url)
        assert response.status_code == status, f"{url}: {response.status_code}"
        html = response.get_data(as_text=True)
        audit_page(html)
        return html

    return get


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)
