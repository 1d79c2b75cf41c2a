"""The policy lab through the web: an administrator starts a simulation of a parameter change; its page shows both
runs side by side (charts whose numbers equal their tables); bad input gets field messages."""
from __future__ import annotations

from housing_security.extensions import db
from housing_security.models import PolicyLabRun
from tests.web.test_dashboard_insight import _cell, _charts


def test_an_administrator_simulates_an_income_limit_change(app, login_as, page_get):
    client = login_as("ty_admin")
    page_get(client, "/admin/lab/")
    response = client.post("/admin/lab/", data={"city": "taiyuan", "programme": "public_rental",
                                                 "name": "public_rental.income_limit_month", "value": "3000",
                                                 "months": "3", "seed": "1"})
    assert response.status_code == 302
    html = page_get(client, response.headers["Location"])
    with app.app_context():
        run = db.session.query(PolicyLabRun).one()
        assert run.status == "done"
        result = run.result
    page = _charts(html)
    spec = page.specs["chart-lab-housed"]
    header, *rows = page.tables["chart-lab-housed"]
    assert [r[1] for r in rows] == [_cell(v) for v in spec["datasets"][0]["data"]] == [
        str(r["housed"]) for r in result["baseline"]]
    assert [r[2] for r in rows] == [str(r["housed"]) for r in result["changed"]]
    assert "现行规则" in html and "调整后" in html
    assert login_as("liuchu").get(response.headers["Location"]).status_code == 403
    assert login_as("admin").get("/admin/lab/999").status_code == 404


def test_bad_lab_input_gets_field_messages_and_starts_nothing(app, login_as):
    client = login_as("ty_admin")
    response = client.post("/admin/lab/", data={"city": "taiyuan", "programme": "public_rental",
                                                 "name": "public_rental.income_limit_month", "value": "abc",
                                                 "months": "99", "seed": "1"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "请填写数字" in html and "月数须在 1 至 36 之间" in html
    response = client.post("/admin/lab/", data={"city": "datong", "programme": "public_rental",
                                                 "name": "public_rental.income_limit_month", "value": "3000",
                                                 "months": "3", "seed": "1"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.query(PolicyLabRun).count() == 0


def test_a_parameter_change_preview_links_to_the_lab_prefilled(app, login_as):
    client = login_as("ty_admin")
    html = client.get("/admin/lab/?city=taiyuan&name=public_rental.income_limit_month&value=3100").get_data(
        as_text=True)
    assert 'value="3100"' in html and '<option selected value="public_rental.income_limit_month">' in html
