"""Blueprints. Views validate input with forms, call one service, render."""
from __future__ import annotations

from flask import Flask

from .access import enforce_access_rules
from .input_guard import refuse_nul_characters


def register_blueprints(app: Flask) -> None:
    from . import (admin, admin_parameters, appeals, applicant, auth, bureau, cases, form_errors, intake, lab,
                   labels, lottery, main, province, publicity, reports, rounds, stock)

    for module in (main, auth, applicant, cases, bureau, admin, admin_parameters, publicity, appeals, intake, rounds,
                   stock, lottery, province, reports, lab):
        app.register_blueprint(module.bp)
    app.before_request(enforce_access_rules)
    app.before_request(refuse_nul_characters)
    auth.init_login(app)
    labels.init_app(app)
    form_errors.init_app(app)
