"""Scenario 6 through the web: an administrator adds a dated parameter value, sees its impact, saves it."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from housing_security import policy
from housing_security.extensions import db
from housing_security.models import AuditLog, Jurisdiction, ParameterChange, Role
from housing_security.services import accounts, parameter_changes, parameters
from tests.conftest import DEMO_PASSWORD, login

LIMIT = "public_rental.income_limit_month"
NEXT_JANUARY = date(date.today().year + 1, 1, 1)
URL = f"/admin/parameters/taiyuan/{LIMIT}/change"


def _count(app, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(ParameterChange)
        for key, value in where.items():
            query = query.where(getattr(ParameterChange, key) == value)
        return db.session.scalar(query)


def _form(**overrides):
    data = {"value": "1800", "effective_from": NEXT_JANUARY.isoformat(),
            "citation": "太原市住房保障局关于调整公租房收入标准的通知（测试）", "note": "年度调整"}
    data.update(overrides)
    return data


def _token(html: str) -> str:
    match = re.search(r'name="token" value="([0-9a-f]+)"', html)
    assert match, "no preview token on the page"
    return match.group(1)


def test_parameter_page_offers_a_change_per_parameter(login_as, page_get):
    html = page_get(login_as("ty_admin"), "/admin/parameters?city=taiyuan")
    assert "新增调整" in html and f"/admin/parameters/taiyuan/{LIMIT}/change" in html


def test_preview_then_save_a_raised_income_limit(app, login_as, page_get):
    client = login_as("ty_admin")
    html = page_get(client, URL)
    assert "取值时间线" in html and "1549" in html and "预览影响" in html

    response = client.post(URL, data=_form(action="preview"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "影响预览" in html and "确认保存" in html and "新符合条件" in html
    with app.app_context():
        expected = parameter_changes.preview_change("taiyuan", LIMIT, NEXT_JANUARY, 1800)
    assert f"新符合条件：{expected.counts['became_eligible']} 户" in html
    assert "将失去资格：0 户" in html
    for case in expected.became_eligible[:3]:
        assert case["reference"] in html and case["name"] not in html  # names are masked
    assert _count(app) == 0

    response = client.post(URL, data=_form(action="save", token=_token(html)))
    assert response.status_code == 302
    assert _count(app, name=LIMIT, status="active") == 1
    with app.app_context():
        pack = parameters.effective_pack("taiyuan")
        assert pack.value(LIMIT, NEXT_JANUARY) == 1800
        assert pack.hash != policy.load_pack("taiyuan").hash
        row = db.session.scalar(select(AuditLog).where(AuditLog.action == "parameter.change"))
        assert row.detail["new_hash"] == pack.hash and row.detail["citation"].startswith("太原市")
    html = page_get(client, URL)
    assert "调整记录" in html and "太原市住房保障局关于调整公租房收入标准的通知" in html


def test_save_without_preview_is_refused(app, login_as):
    client = login_as("ty_admin")
    response = client.post(URL, data=_form(action="save"))
    assert response.status_code == 422
    assert "请先预览影响" in response.get_data(as_text=True)
    response = client.post(URL, data=_form(action="save", token="0" * 64))
    assert response.status_code == 422 and "重新预览" in response.get_data(as_text=True)
    assert _count(app) == 0


@pytest.mark.parametrize("url, data, field, message", [
    (URL, _form(value="-5"), "value", "数值不能为负数"),
    (URL, _form(value="abc"), "value", "请输入数字"),
    (URL, _form(citation="  "), "citation", "请填写此项"),
    (URL, _form(effective_from="2027-02-30"), "effective_from", "请输入有效日期"),
    (URL, _form(effective_from="下个月"), "effective_from", "请输入有效日期"),
    (URL, _form(effective_from="2021-01-01"), "effective_from", "已有取值"),
    ("/admin/parameters/taiyuan/public_rental.area_bands/change", _form(value="[{\"max_members\": 1,"), "value",
     "JSON 格式有误"),
    ("/admin/parameters/taiyuan/workflow.district_review_enabled/change", _form(value="maybe"), "value",
     "请选择"),
])
def test_bad_input_gets_field_messages_and_saves_nothing(app, login_as, url, data, field, message):
    client = login_as("ty_admin")
    for action in ("preview", "save"):
        response = client.post(url, data={**data, "action": action, "token": "x"})
        assert response.status_code == 422, response.status_code
        html = response.get_data(as_text=True)
        assert message in html
        assert f'id="pc-{field}-error"' in html and 'aria-invalid="true"' in html
    assert _count(app) == 0


def test_unknown_parameter_or_city_is_not_found(login_as):
    client = login_as("ty_admin")
    assert client.get("/admin/parameters/taiyuan/public_rental.nothing/change").status_code == 404
    assert client.post("/admin/parameters/taiyuan/public_rental.nothing/change", data=_form()).status_code == 404
    assert client.get(f"/admin/parameters/atlantis/{LIMIT}/change").status_code == 404


def test_another_citys_administrator_gets_404(app):
    with app.app_context():
        datong = db.session.scalar(select(Jurisdiction).where(Jurisdiction.kind == "city",
                                                              Jurisdiction.code == "datong"))
        accounts.create_user("dt_admin_test", DEMO_PASSWORD, Role.administrator, "大同市管理员", jurisdiction=datong)
        db.session.commit()
    client = app.test_client()
    login(client, "dt_admin_test")
    assert client.get(URL).status_code == 404
    assert client.post(URL, data=_form(action="preview")).status_code == 404
    assert client.get(f"/admin/parameters/datong/{LIMIT}/change").status_code == 200
    html = client.get("/admin/parameters?city=taiyuan").get_data(as_text=True)
    assert "/admin/parameters/taiyuan/" not in html  # no change links for a city outside the jurisdiction


def test_province_administrator_may_change_any_city(app, login_as, page_get):
    client = login_as("admin")
    for city, value in (("taiyuan", "1700"), ("datong", "1650")):
        url = f"/admin/parameters/{city}/{LIMIT}/change"
        assert "预览影响" in page_get(client, url)
        response = client.post(url, data=_form(action="preview", value=value))
        assert response.status_code == 200
        response = client.post(url, data=_form(action="save", value=value,
                                               token=_token(response.get_data(as_text=True))))
        assert response.status_code == 302
        assert _count(app, city_code=city, name=LIMIT, status="active") == 1
    with app.app_context():
        assert parameters.effective_pack("taiyuan").value(LIMIT, NEXT_JANUARY) == 1700
        assert parameters.effective_pack("datong").value(LIMIT, NEXT_JANUARY) == 1650
        rows = db.session.scalars(select(AuditLog).where(AuditLog.action == "parameter.change")).all()
        assert len(rows) == 2
    html = client.get("/admin/parameters?city=datong").get_data(as_text=True)
    assert f"/admin/parameters/datong/{LIMIT}/change" in html


@pytest.mark.parametrize("username", ["lixiulan", "wangqiang", "xiaodian_reviewer", "liuchu"])
def test_other_roles_are_refused(app, login_as, username):
    client = login_as(username)
    assert client.get(URL).status_code == 403
    assert client.post(URL, data=_form(action="preview")).status_code == 403
    assert client.post("/admin/parameters/changes/1/withdraw", data={"reason": "x"}).status_code == 403


def _saved_change(app) -> int:
    with app.app_context():
        from tests.services.helpers import user

        preview = parameter_changes.preview_change("taiyuan", LIMIT, NEXT_JANUARY, 1700)
        change = parameter_changes.save_change("taiyuan", LIMIT, NEXT_JANUARY, 1700, "依据", user("ty_admin"),
                                        preview.token)
        db.session.commit()
        return change.id


def test_withdrawing_a_change(app, login_as, page_get):
    change_id = _saved_change(app)
    client = login_as("ty_admin")
    assert "撤回" in page_get(client, URL)
    response = client.post(f"/admin/parameters/changes/{change_id}/withdraw", data={"reason": ""})
    assert response.status_code == 302 and _count(app, status="active") == 1
    response = client.post(f"/admin/parameters/changes/{change_id}/withdraw", data={"reason": "文件未生效"})
    assert response.status_code == 302
    assert _count(app, status="withdrawn") == 1 and _count(app) == 1
    with app.app_context():
        assert parameters.effective_pack("taiyuan").hash == policy.load_pack("taiyuan").hash
        row = db.session.scalar(select(AuditLog).where(AuditLog.action == "parameter.withdraw"))
        assert row.object_id == str(change_id) and row.detail["reason"] == "文件未生效"


def test_withdrawing_another_citys_change_is_not_found(app):
    change_id = _saved_change(app)
    with app.app_context():
        datong = db.session.scalar(select(Jurisdiction).where(Jurisdiction.kind == "city",
                                                              Jurisdiction.code == "datong"))
        accounts.create_user("dt_admin_w", DEMO_PASSWORD, Role.administrator, "大同市管理员", jurisdiction=datong)
        db.session.commit()
    client = app.test_client()
    login(client, "dt_admin_w")
    assert client.post(f"/admin/parameters/changes/{change_id}/withdraw", data={"reason": "x"}).status_code == 404
    assert _count(app, status="active") == 1
