"""Defects found in review: each test failed before its fix."""
from __future__ import annotations

import io

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
    assert 'id="street_id-error"' in response.get_data(as_text=True) or "is-invalid" in response.get_data(as_text=True)


def test_replacing_an_out_of_range_document_id_is_a_field_error(app, applicant):
    application_id = start(applicant, app)
    response = applicant.post(f"/me/applications/{application_id}/edit/documents",
                              data={"kind": "hukou_booklet", "replaces": HUGE,
                                    "file": (io.BytesIO(PDF), "户口本.pdf")},
                              content_type="multipart/form-data")
    assert response.status_code == 200
