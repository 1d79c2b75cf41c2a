"""The read-only API: tokens (hashed, scoped, revocable in the admin UI), 404 outside the client's city, the rate
limit, and the OpenAPI document — valid, covering every route, and matching the real answers (jsonschema)."""
from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from housing_security.extensions import db
from housing_security.models import ApiClient
from housing_security.services import api_clients
from housing_security.web.labels import STATUS_LABELS
from tests.services.helpers import get, new_case, user

ALL = ["case_status", "indicators", "publicity"]


def _client(app, scopes=ALL, city="taiyuan", name="省政务服务平台"):
    with app.app_context():
        client, token = api_clients.create_client(name, city, scopes, user("ty_admin"))
        db.session.commit()
        return client.id, token


def _case(app, status="waitlist"):
    with app.app_context():
        case_id = new_case(status)
        case = get(case_id)
        return case.reference, case.household.main_applicant.id_number


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def _validate(document, schema_name, payload):
    schema = {**document, "$ref": f"#/components/schemas/{schema_name}"}
    errors = sorted(Draft202012Validator(schema).iter_errors(payload), key=str)
    assert not errors, [e.message for e in errors]


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_openapi_document_is_valid_and_covers_every_route(app, document):
    assert document["openapi"] == "3.1.0"
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    routes = {re.sub(r"^/api/v1", "", r.rule) for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")}
    assert routes == set(document["paths"])
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            rule = next(r for r in app.url_map.iter_rules() if r.rule == "/api/v1" + path)
            assert method.upper() in rule.methods
            for response in operation["responses"].values():
                ref = response["content"]["application/json"]["schema"].get("$ref")
                if ref:
                    assert ref.split("/")[-1] in document["components"]["schemas"]


def test_case_status_answers_what_the_status_page_shows_and_matches_the_document(app, client, document):
    _, token = _client(app)
    reference, id_number = _case(app)
    response = client.post("/api/v1/case-status", json={"reference": reference, "id_number": id_number},
                           headers=_auth(token))
    assert response.status_code == 200
    body = response.get_json()
    _validate(document, "CaseStatus", body)
    assert body["reference"] == reference and body["status"] == "waitlist"
    assert body["status_label"]["zh"] == str(STATUS_LABELS["waitlist"]) and body["status_label"]["en"] != \
        body["status_label"]["zh"]
    assert id_number not in response.get_data(as_text=True)


def test_wrong_id_number_other_city_and_bad_bodies_are_refused(app, client, document):
    _, token = _client(app)
    _, datong_token = _client(app, city="datong", name="大同客户端")
    reference, id_number = _case(app)
    wrong = id_number[:-2] + ("00" if id_number[-2:] != "00" else "11")
    for token_, body in ((token, {"reference": reference, "id_number": wrong}),
                         (datong_token, {"reference": reference, "id_number": id_number}),
                         (token, {"reference": "NOPE", "id_number": id_number})):
        response = client.post("/api/v1/case-status", json=body, headers=_auth(token_))
        assert response.status_code == 404
        _validate(document, "Error", response.get_json())
    bad = client.post("/api/v1/case-status", data="not json", headers=_auth(token))
    assert bad.status_code == 400
    _validate(document, "Error", bad.get_json())


def test_indicators_and_publicity_match_the_document(app, client, document):
    _, token = _client(app)
    with app.app_context():
        in_publicity = get(new_case("publicity")).reference
    indicators = client.get("/api/v1/indicators", headers=_auth(token))
    assert indicators.status_code == 200
    _validate(document, "Indicators", indicators.get_json())
    assert indicators.get_json()["city"] == "taiyuan" and indicators.get_json()["allocation_rates"]
    listing = client.get("/api/v1/publicity", headers=_auth(token))
    assert listing.status_code == 200
    body = listing.get_json()
    _validate(document, "PublicityList", body)
    assert in_publicity in {i["reference"] for i in body["items"]} or body["total"] > body["page_size"]
    assert client.get("/api/v1/publicity?page=x", headers=_auth(token)).status_code == 400
    _, datong_token = _client(app, city="datong", name="大同客户端")
    assert client.get("/api/v1/publicity", headers=_auth(datong_token)).get_json()["total"] == 0


def test_tokens_scopes_and_revocation(app, client, document):
    client_id, token = _client(app, scopes=["indicators"])
    for headers in ({}, _auth("hsapi_not-a-real-token"), {"Authorization": token}):
        response = client.get("/api/v1/indicators", headers=headers)
        assert response.status_code == 401
        _validate(document, "Error", response.get_json())
    assert client.get("/api/v1/publicity", headers=_auth(token)).status_code == 403
    assert client.get("/api/v1/indicators", headers=_auth(token)).status_code == 200
    with app.app_context():
        stored = db.session.get(ApiClient, client_id)
        assert token not in (stored.token_hash, stored.token_prefix) and stored.last_used_at is not None
        api_clients.revoke(stored, user("ty_admin"))
        db.session.commit()
    assert client.get("/api/v1/indicators", headers=_auth(token)).status_code == 401


def test_the_rate_limit_answers_429(make_app):
    app = make_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    _, token = _client(app)
    _, other = _client(app, name="另一个客户端")
    http = app.test_client()
    codes = [http.get("/api/v1/indicators", headers=_auth(token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert http.get("/api/v1/indicators", headers=_auth(other)).status_code == 200  # limited per client


def test_an_administrator_creates_lists_and_revokes_clients(app, login_as, page_get):
    admin = login_as("ty_admin")
    html = page_get(admin, "/admin/api-clients/")
    assert "新建客户端" in html
    bad = admin.post("/admin/api-clients/", data={"name": "", "city": "taiyuan"})
    assert bad.status_code == 400 and "请填写客户端名称" in bad.get_data(as_text=True)
    created = admin.post("/admin/api-clients/", data={"name": "政务服务App", "city": "taiyuan",
                                                      "scopes": ["case_status", "publicity"]})
    page = created.get_data(as_text=True)
    token = re.search(r"(hsapi_[A-Za-z0-9_-]+)", page).group(1)
    assert created.status_code == 200
    assert token not in page_get(admin, "/admin/api-clients/")  # shown once only
    assert app.test_client().get("/api/v1/publicity", headers=_auth(token)).status_code == 200
    with app.app_context():
        client_id = db.session.scalar(select(ApiClient.id).where(ApiClient.name == "政务服务App"))
    # a city administrator chooses only their own city and cannot touch another city's client
    assert admin.post("/admin/api-clients/", data={"name": "x", "city": "datong",
                                                   "scopes": ["publicity"]}).status_code == 400
    datong_id, _ = _client(app, city="datong", name="大同客户端")
    assert admin.post(f"/admin/api-clients/{datong_id}/revoke").status_code == 404
    assert admin.post(f"/admin/api-clients/{client_id}/revoke").status_code == 302
    assert app.test_client().get("/api/v1/publicity", headers=_auth(token)).status_code == 401
    assert login_as("liuchu").get("/admin/api-clients/").status_code == 403
