"""Blueprints. Views validate input with forms, call one service, render."""
from __future__ import annotations

from flask import Flask

from .access import enforce_access_rules
from .input_guard import refuse_non_form_bodies, refuse_nul_characters


def register_blueprints(app: Flask) -> None:
    from . import (
        admin,
        admin_api,
        admin_parameters,
        api,
        appeals,
        applicant,
        auth,
        bureau,
        cases,
        form_errors,
        idempotency,
        intake,
        lab,
        labels,
        lottery,
        main,
        province,
        publicity,
        registry,
        rent,
        reports,
        rounds,
        security_headers,
        stock,
        subsidies,
        tenancies,
    )

    for module in (main, auth, applicant, cases, bureau, admin, admin_parameters, publicity, appeals, intake, rounds,
                   stock, lottery, province, reports, lab, registry, api, admin_api, tenancies, subsidies, rent):
        app.register_blueprint(module.bp)
    app.register_blueprint(rent.tasks_bp)
    app.before_request(_note_origin)
    app.teardown_request(_forget_origin)
    app.before_request(enforce_access_rules)
    app.before_request(refuse_non_form_bodies)
    app.before_request(refuse_nul_characters)
    auth.init_login(app)
    labels.init_app(app)
    form_errors.init_app(app)
    security_headers.init_app(app)
    idempotency.init_app(app)
    from ..services.audit_chain import seal_after_request

    app.after_request(seal_after_request)


def _note_origin() -> None:
    from flask import g, request

    from ..services.use_case import ORIGIN

    g.origin_token = ORIGIN.set(request.remote_addr)


def _forget_origin(_error: BaseException | None = None) -> None:
    from flask import g

    from ..services.use_case import ORIGIN

    token = g.pop("origin_token", None)
    if token is not None:
        ORIGIN.reset(token)
