"""Blueprints. Views validate input with forms, call one service, render."""
from __future__ import annotations

from flask import Flask

from .access import enforce_access_rules


def register_blueprints(app: Flask) -> None:
    from . import admin, applicant, auth, bureau, cases, labels, main, publicity

    for module in (main, auth, applicant, cases, bureau, admin, publicity):
        app.register_blueprint(module.bp)
    from . import appeals

    app.register_blueprint(appeals.bp)
    from . import intake

    app.register_blueprint(intake.bp)
    from . import rounds

    app.register_blueprint(rounds.bp)
    app.before_request(enforce_access_rules)
    auth.init_login(app)
    labels.init_app(app)
