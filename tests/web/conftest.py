"""Fixtures of the applicant and intake tests (helpers live in conftest_applicant.py)."""
from __future__ import annotations

import pytest

from .conftest_applicant import fill, register, start


@pytest.fixture
def applicant(app):
    return register(app, "newapplicant")


@pytest.fixture
def filled(app, applicant):
    application_id = start(applicant, app)
    fill(applicant, app, application_id)
    return applicant, application_id
