"""The application factory and its configuration sources."""
from pathlib import Path

import pytest

from housing_security import create_app
from housing_security.config import environment_overrides
from tests.conftest import ON_POSTGRES


def test_factory_uses_instance_folder_and_generates_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("HOUSING_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("HOUSING_SECRET_KEY", raising=False)
    app = create_app()
    assert app.instance_path == str(tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'housing.sqlite'}"
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and app.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(app.config["SECRET_KEY"]) >= 64
    # The same installation keeps its key across restarts, so sessions survive.
    assert create_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]
    assert Path(app.template_folder).name == "templates" and Path(app.static_folder).name == "static"


def test_instance_config_file_and_environment_override_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("HOUSING_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text("PAGE_SIZE = 20\nDEFAULT_CITY = 'datong'\n")
    monkeypatch.setenv("HOUSING_PAGE_SIZE", "30")
    monkeypatch.setenv("HOUSING_DATABASE_URL", "postgresql+psycopg://u:p@localhost/housing")
    app = create_app()
    assert app.config["DEFAULT_CITY"] == "datong"
    assert app.config["PAGE_SIZE"] == 30  # environment wins over the instance file
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@localhost/housing"


def test_test_config_wins_and_environment_values_keep_their_types():
    assert environment_overrides({"HOUSING_RATELIMIT_ENABLED": "false", "HOUSING_X": "text", "OTHER": "1"}) == {
        "RATELIMIT_ENABLED": False, "X": "text"}


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite connection settings")
def test_sqlite_connections_enforce_foreign_keys_and_use_wal(app):
    from housing_security.extensions import db

    with app.app_context():
        connection = db.session.connection()
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


def test_behind_a_reverse_proxy_the_forwarded_client_address_is_used_only_when_configured(make_app):
    from sqlalchemy import select

    from housing_security.extensions import db
    from housing_security.models import AuditLog
    from tests.conftest import DEMO_PASSWORD

    for proxies, expected in ((1, "203.0.113.7"), (0, "127.0.0.1")):
        app = make_app(PROXY_FIX=proxies)
        response = app.test_client().post("/login", data={"username": "liuchu", "password": DEMO_PASSWORD},
                                          headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
        assert response.status_code == 302
        with app.app_context():
            row = db.session.scalar(select(AuditLog).where(AuditLog.action == "auth.login")
                                    .order_by(AuditLog.id.desc()).limit(1))
            assert row.remote_addr == expected
