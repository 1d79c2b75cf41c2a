"""housing_security: a city's housing-security programmes, from application to allocation."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from . import config as config_module

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("HOUSING_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    configure(app, test_config)
    register_extensions(app)
    register_models()
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_runtime(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config_module.DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'housing.sqlite'}"
    app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "translations")
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config_module.environment_overrides())
    if test_config:
        app.config.update(test_config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # How long a writer waits for SQLite's write lock before the request answers 503 (pysqlite's busy timeout).
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("connect_args", {"timeout": app.config["SQLITE_BUSY_TIMEOUT"]})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # Read-then-write updates must fail loudly rather than be lost (SQLite gets BEGIN IMMEDIATE instead).
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("isolation_level", "REPEATABLE READ")
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_module.instance_secret_key(app.instance_path)
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)


def register_extensions(app: Flask) -> None:
    from .extensions import babel, csrf, db, limiter, login_manager, migrate
    from .web import i18n

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)


def register_models() -> None:
    from . import models  # noqa: F401  (importing registers the tables on db.metadata)


def register_blueprints(app: Flask) -> None:
    from .web import register_blueprints as register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    from .web.errors import register_errorhandlers as register

    register(app)


def register_runtime(app: Flask) -> None:
    """The job queue's storage (worker.py) and, behind a reverse proxy, ProxyFix: `PROXY_FIX`
    (HOUSING_PROXY_FIX) is the number of proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Prefix
    headers are trusted (never set it when clients reach the app directly: they could forge their address)."""
    from . import worker

    worker.configure(app)
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,  # type: ignore
                                x_prefix=proxies)


def register_commands(app: Flask) -> None:
    from .cli import register_commands as register

    register(app)
