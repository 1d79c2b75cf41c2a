"""Create forms carry an idempotency key: the same post twice, in a row or at the same moment, creates one row."""
from __future__ import annotations

import io
import re
import threading

from sqlalchemy import func, select

from housing_security.extensions import db
from housing_security.models import AllocationRound, Document, Objection
from tests.conftest import login
from tests.services.helpers import get, new_case

from .conftest_applicant import PDF, register, start


def _key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _at_once(posts):
    results = [None] * len(posts)

    def run(i, post):
        results[i] = post()

    threads = [threading.Thread(target=run, args=(i, post)) for i, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_new_round_posted_three_times_at_once_is_created_once(app):
    clients = [app.test_client() for _ in range(3)]
    for client in clients:
        login(client, "liuchu")
    key = _key(clients[0].get("/bureau/rounds/new").get_data(as_text=True))
    before = _count(app, AllocationRound)
    form = {"programme": "public_rental", "round_date": "2026-12-20", "next_round_date": "2027-01-20",
            "idempotency_key": key}
    responses = _at_once([lambda c=c: c.post("/bureau/rounds/new", data=form) for c in clients])
    assert _count(app, AllocationRound) == before + 1
    # every post ends on the new round, or (when it came while the first was finishing) on the list of rounds
    with app.app_context():
        round_id = db.session.scalar(select(func.max(AllocationRound.id)))
    assert {r.headers["Location"] for r in responses} <= {f"/bureau/rounds/{round_id}", "/bureau/rounds/"}
    assert all(r.status_code in (302, 303) for r in responses)
    again = clients[0].post("/bureau/rounds/new", data=form)
    assert again.status_code == 303 and again.headers["Location"] == f"/bureau/rounds/{round_id}"


def test_an_upload_posted_twice_is_kept_once(app):
    client = register(app, "twice_uploader")
    application_id = start(client, app)
    url = f"/me/applications/{application_id}/edit/documents"
    key = _key(client.get(url).get_data(as_text=True))
    for _ in range(2):
        response = client.post(url, data={"kind": "id_card", "file": (io.BytesIO(PDF), "a.pdf"),
                                          "idempotency_key": key}, content_type="multipart/form-data")
        assert response.status_code in (302, 303)
    assert _count(app, Document, Document.uploaded_by_id.is_not(None)) == 1


def test_an_objection_posted_twice_at_once_is_lodged_once(app):
    with app.app_context():
        case_id = new_case("publicity")
        reference = get(case_id).reference
    first, second = app.test_client(), app.test_client()
    key = _key(first.get(f"/publicity/{reference}/objection").get_data(as_text=True))
    form = {"content": "该户在小店区有一套住房，登记在户主名下。", "idempotency_key": key}
    _at_once([lambda c=c: c.post(f"/publicity/{reference}/objection", data=form) for c in (first, second)])
    assert _count(app, Objection, Objection.application_id == case_id) == 1
    with app.app_context():
        assert db.session.scalars(select(Objection).where(Objection.application_id == case_id)).one().repeats == 0
