"""Objection floods: repeats merged, a daily cap per case, the lodging account kept, one outcome for a batch."""
from __future__ import annotations

from housing_security.extensions import db
from housing_security.models import Application, Objection
from tests.conftest import login
from tests.services.helpers import audits, get, new_case


def _case(app):
    with app.app_context():
        case_id = new_case("publicity")
        return case_id, get(case_id).reference


def _open(app, case_id):
    with app.app_context():
        return db.session.query(Objection).filter_by(application_id=case_id, status="open").all()


def test_repeated_objections_are_merged_and_a_case_takes_at_most_the_daily_cap(app, client):
    case_id, reference = _case(app)
    same = "该户在小店区有一套住房，登记在户主名下。"
    for spacing in ("", " ", "\n"):
        assert client.post(f"/publicity/{reference}/objection",
                           data={"content": same.replace("，", "，" + spacing)}).status_code == 302
    [merged] = _open(app, case_id)
    assert merged.repeats == 2
    cap = app.config["OBJECTION_DAILY_CAP_PER_CASE"]
    for n in range(cap + 5):
        client.post(f"/publicity/{reference}/objection", data={"content": f"第 {n} 条不同的异议：该户收入不实。"})
    assert len(_open(app, case_id)) == cap
    response = client.post(f"/publicity/{reference}/objection", data={"content": "又一条不同的异议，收入不实。"},
                           follow_redirects=True)
    assert "今日收到的异议已达上限" in response.get_data(as_text=True)
    with app.app_context():
        assert audits("objection.merge", merged.id)


def test_a_signed_in_objector_is_recorded(app):
    case_id, reference = _case(app)
    client = app.test_client()
    login(client, "lixiulan")
    client.post(f"/publicity/{reference}/objection", data={"content": "该户在小店区有一套住房，登记在户主名下。"})
    [objection] = _open(app, case_id)
    assert objection.lodged_by_id is not None


def test_the_caseworker_resolves_all_open_objections_with_one_outcome(app, client, login_as, page_get):
    case_id, reference = _case(app)
    for n in range(4):
        client.post(f"/publicity/{reference}/objection", data={"content": f"第 {n} 条异议：该户有住房未申报。"})
    worker = login_as("wangqiang")
    html = page_get(worker, f"/cases/{case_id}")
    assert "一并核查全部 4 条待核查异议" in html
    response = worker.post(f"/cases/{case_id}/objections/resolve-all", data={
        "objections-all-decision": "dismissed", "objections-all-outcome": "经入户核查，该户名下无其他住房。"})
    assert response.status_code == 302
    assert _open(app, case_id) == []
    with app.app_context():
        resolved = db.session.query(Objection).filter_by(application_id=case_id).all()
        assert {o.status for o in resolved} == {"dismissed"} and len({o.outcome for o in resolved}) == 1
        assert db.session.get(Application, case_id).status == "publicity"
    short = worker.post(f"/cases/{case_id}/objections/resolve-all", data={
        "objections-all-decision": "dismissed", "objections-all-outcome": "好"})
    assert short.status_code in (302, 400)


def test_an_upheld_batch_rejects_the_case_once(app, client, login_as):
    case_id, reference = _case(app)
    for n in range(3):
        client.post(f"/publicity/{reference}/objection", data={"content": f"第 {n} 条异议：该户有住房未申报。"})
    response = login_as("wangqiang").post(f"/cases/{case_id}/objections/resolve-all", data={
        "objections-all-decision": "upheld", "objections-all-outcome": "经核查，该户在小店区确有住房一套。"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Application, case_id).status == "rejected"
        assert {o.status for o in db.session.query(Objection).filter_by(application_id=case_id)} == {"upheld"}
