"""Fixtures shared by the service and web tests: a real SQLite file per test, copied from a template
database built once per session through the real migrations and the real demo seeder."""
from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from housing_security import create_app
from housing_security.extensions import db

TRANSLATIONS = Path(__file__).parents[1] / "translations"


def compile_catalogues(folder: Path = TRANSLATIONS) -> list[Path]:
    """Compile every messages.po whose .mo is missing or older, as `pybabel compile --use-fuzzy` would.

    Written to a temporary file and renamed, so parallel test workers never read half a catalogue."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = []
    for po in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parts[-3])
        tmp = mo.with_name(f".messages.{os.getpid()}.mo.tmp")
        with tmp.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=True)
        os.replace(tmp, mo)
        compiled.append(mo)
    return compiled


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues():
    """Pages in English need the compiled catalogues: any single test file, in any order, finds them."""
    compile_catalogues()


DEMO_PASSWORD = "demo-password-2026"
FAST_HASH = "pbkdf2:sha256:1000"  # production uses 600,000 iterations; tests/web/test_auth.py checks that


def _config(instance: Path, database, **extra) -> dict:
    """`database` is a SQLite file path or a full database URL."""
    url = database if isinstance(database, str) and "://" in database else f"sqlite:///{database}"
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
        **extra,
    }


# Set HOUSING_TEST_POSTGRES_URL (a server URL whose user may create databases) to run the same suite on
# PostgreSQL: each test then gets a database cloned from a seeded template (CREATE DATABASE … TEMPLATE).
POSTGRES_URL = os.environ.get("HOUSING_TEST_POSTGRES_URL")
ON_POSTGRES = bool(POSTGRES_URL)


class SQLiteCopies:
    """A template file built once; every test gets its own copy of it."""

    def __init__(self, folder: Path):
        self.template = folder / "template.sqlite"

    def template_url(self) -> str:
        return f"sqlite:///{self.template}"

    def clone(self, folder: Path, name: str) -> str:
        database = folder / f"{name}.sqlite"
        shutil.copyfile(self.template, database)
        return f"sqlite:///{database}"

    def drop(self, url: str) -> None:
        pass


class PostgresTemplates:
    """A seeded template database on the server; every test gets CREATE DATABASE … TEMPLATE of it."""

    def __init__(self, server_url: str, worker: str):
        from sqlalchemy.engine import make_url

        self.server = make_url(server_url)
        self.prefix = f"hs_test_{worker}_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self.count = 0
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}"')
        self._execute(f'CREATE DATABASE "{self.template}"')

    def _execute(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.server.set(drivername="postgresql").render_as_string(hide_password=False),
                             autocommit=True) as connection:
            connection.execute(statement)

    def _url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def template_url(self) -> str:
        return self._url(self.template)

    def clone(self, folder: Path, name: str) -> str:
        self.count += 1
        database = f"{self.prefix}_{self.count}"
        self._execute(f'CREATE DATABASE "{database}" TEMPLATE "{self.template}" STRATEGY FILE_COPY')
        return self._url(database)

    def drop(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        self._execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_backend(tmp_path_factory, worker_id):
    from flask_migrate import upgrade

    from housing_security.services import demo

    folder = tmp_path_factory.mktemp("template")
    backend = PostgresTemplates(POSTGRES_URL, worker_id) if ON_POSTGRES else SQLiteCopies(folder)
    app = create_app(_config(folder, backend.template_url()))
    with app.app_context():
        upgrade()
        demo.seed(households=60, seed=7)
        db.session.remove()
        db.engine.dispose()  # no connection may stay open: SQLite folds its WAL, PostgreSQL can copy the template
    yield backend
    if ON_POSTGRES:
        backend.drop(backend.template_url())


@pytest.fixture
def make_app(tmp_path, database_backend, monkeypatch):
    """make_app(**config) → an app on its own copy of the demo database."""
    monkeypatch.setenv("HOUSING_INSTANCE_PATH", str(tmp_path))
    made = []

    def make(**extra):
        url = database_backend.clone(tmp_path, f"housing{len(made)}")
        made.append(create_app(_config(tmp_path, url, **extra)))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        database_backend.drop(app.config["SQLALCHEMY_DATABASE_URI"])


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
