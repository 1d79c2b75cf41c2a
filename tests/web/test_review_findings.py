"""Defects found in review: each test failed before its fix."""
from __future__ import annotations

import io
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from housing_security.extensions import db

from .conftest_applicant import PDF, start

HUGE = "9" * 40  # larger than any database integer


def test_reverification_ids_that_are_not_plain_numbers_are_ignored_not_500(login_as):
    client = login_as("liuchu")
    for garbage in ("²", "١٢", HUGE):  # str.isdigit() accepts the first two; the last overflows the column
        response = client.post("/bureau/reverification", data={"ids": [garbage]})
        assert response.status_code == 302, garbage


def test_address_with_an_out_of_range_street_id_is_a_field_error(app, applicant):
    application_id = start(applicant, app)
    response = applicant.post(f"/me/applications/{application_id}/edit/address",
                              data={"street_id": HUGE, "address": "小店区坞城路 1 号", "phone": "13900000000"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="street_id-error"' in html and 'aria-invalid="true"' in html


def _documents(app) -> int:
    with app.app_context():
        from housing_security.models import Document
        return db.session.query(Document).count()


def test_replacing_an_out_of_range_document_id_is_a_field_error(app, applicant):
    application_id = start(applicant, app)
    before = _documents(app)
    response = applicant.post(f"/me/applications/{application_id}/edit/documents",
                              data={"kind": "hukou_booklet", "replaces": HUGE,
                                    "file": (io.BytesIO(PDF), "户口本.pdf")},
                              content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The refusal sits on the upload field, with its message, and nothing was stored.
    assert 'id="file-error"' in html and "要替换的材料不存在" in html and 'aria-invalid="true"' in html
    assert "已上传" not in html
    assert _documents(app) == before


# ---- list pages and exports read their rows up front (no query per row) ----------------------------

@contextmanager
def counted_queries(app):
    count = [0]

    def tick(*_args):
        count[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", tick)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", tick)


def _make_due(app, n: int = 25) -> None:
    with app.app_context():
        from tests.services.helpers import new_case

        for _ in range(n):
            new_case("waitlist", next_reverification_on=date.today() - timedelta(days=1))


def _intake_drafts(app, n: int = 20) -> None:
    with app.app_context():
        from tests.services.helpers import new_case, user

        for _ in range(n):
            new_case("draft", filed_by_id=user("wangqiang").id)


SETUP = {"/bureau/reverification": _make_due, "/intake/": _intake_drafts}


@pytest.mark.parametrize("username, url, rows_at_least, limit", [
    ("wangqiang", "/intake/", 20, 10),
    ("liuchu", "/cases/export.csv", 50, 20),
    ("ty_admin", "/admin/", 50, 15),
    ("liuchu", "/bureau/reverification", 25, 15),
])
def test_list_pages_do_not_query_once_per_row(app, login_as, username, url, rows_at_least, limit):
    if url in SETUP:
        SETUP[url](app)
    client = login_as(username)
    with counted_queries(app) as count:
        response = client.get(url)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert max(body.count("<tr"), body.count("<li"), body.count("\n")) >= rows_at_least
    assert count[0] <= limit, f"{url}: {count[0]} queries"
