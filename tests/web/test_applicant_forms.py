"""Every form refuses bad input with a message on the field, saves nothing half-way, never answers 500."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from housing_security.extensions import db
from housing_security.models import Application

from .conftest_applicant import CHILD_ID, SELF_ID, SPOUSE_ID, post_ok, start, street_id, wrong_check_digit


def snapshot(app, application_id):
    with app.app_context():
        a = db.session.get(Application, application_id)
        h = a.household
        return (h.street_id, h.address, h.phone, h.hukou_city, h.hukou_type, h.assets_yuan, h.current_area_m2,
                tuple((m.name, m.id_number, m.relation, m.income_month, m.owns_home_in_city) for m in h.members),
                tuple(a.preferences or []), a.accept_any_district, a.tenure, a.status)


def refused(client, url, data, message):
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    assert 'id="error-summary"' in html and "is-invalid" in html or "invalid-feedback" in html, html[:3000]
    assert message in html, f"{message!r} not on the page"
    return html


@pytest.fixture
def draft(app, applicant):
    application_id = start(applicant, app)
    edit = f"/me/applications/{application_id}/edit"
    post_ok(applicant, f"{edit}/members/new", {"name": "李秀兰", "id_number": SELF_ID, "relation": "self"})
    return applicant, application_id, edit


@pytest.mark.parametrize("number, message", [
    (SPOUSE_ID[:17], "应为 18 位"),
    (wrong_check_digit(SPOUSE_ID), "校验码"),
    ("14010519721332" + SPOUSE_ID[14:], "出生日期"),
    ("1401051972060A" + SPOUSE_ID[14:], "前 17 位应为数字"),
    (SELF_ID, "已登记为家庭成员"),
])
def test_member_id_number_problems_are_exact(app, draft, number, message):
    client, application_id, edit = draft
    before = snapshot(app, application_id)
    refused(client, f"{edit}/members/new", {"name": "王建国", "id_number": number, "relation": "spouse"}, message)
    assert snapshot(app, application_id) == before


def test_member_other_refusals(app, draft):
    client, application_id, edit = draft
    before = snapshot(app, application_id)
    refused(client, f"{edit}/members/new", {"name": "", "id_number": SPOUSE_ID, "relation": "spouse"}, "请填写姓名")
    refused(client, f"{edit}/members/new", {"name": "甲", "id_number": SPOUSE_ID, "relation": "boss"},
            "请选择与申请人的关系")
    refused(client, f"{edit}/members/new", {"name": "甲", "id_number": SPOUSE_ID, "relation": "self"}, "只能有一名主申请人")
    assert snapshot(app, application_id) == before


def test_member_birth_date_comes_from_the_id_number(app, draft):
    client, application_id, edit = draft
    post_ok(client, f"{edit}/members/new", {"name": "王小明", "id_number": CHILD_ID.lower(), "relation": "child"})
    with app.app_context():
        child = db.session.get(Application, application_id).household.members[-1]
        assert child.birth_date.isoformat() == "2011-01-20" and child.id_number == CHILD_ID.upper()
    # edit and remove
    html = client.get(f"{edit}/members").get_data(as_text=True)
    assert "2011年1月20日" in html
    post_ok(client, f"{edit}/members/{child.id}", {"name": "王小明", "id_number": CHILD_ID, "relation": "child",
                                                   "disability": "y"})
    post_ok(client, f"{edit}/members/{child.id}/remove", {})
    with app.app_context():
        assert len(db.session.get(Application, application_id).household.members) == 1


def test_income_refusals(app, draft):
    client, application_id, edit = draft
    with app.app_context():
        member_id = db.session.get(Application, application_id).household.members[0].id
    before = snapshot(app, application_id)
    refused(client, f"{edit}/income", {f"income_{member_id}": "-5"}, "不能为负数")
    refused(client, f"{edit}/income", {f"income_{member_id}": "abc"}, "请输入数字")
    refused(client, f"{edit}/income", {f"income_{member_id}": "NaN"}, "请输入数字")
    refused(client, f"{edit}/income", {f"income_{member_id}": "1e30"}, "数值过大")
    refused(client, f"{edit}/income", {}, "请填写 李秀兰 的月收入；没有收入填 0")  # the error names the member
    # a stranger's member id posted alongside changes nothing for the stranger
    post_ok(client, f"{edit}/income", {f"income_{member_id}": "800", "income_1": "99999"})
    with app.app_context():
        assert db.session.get(Application, application_id).household.members[0].income_month == Decimal("800.00")
    assert snapshot(app, application_id)[:-1] != before[:-1]


def test_assets_and_area_refusals(app, draft):
    client, application_id, edit = draft
    before = snapshot(app, application_id)
    refused(client, f"{edit}/assets", {"assets_yuan": "-1"}, "不能为负数")
    refused(client, f"{edit}/assets", {"assets_yuan": "一万"}, "请输入数字")
    refused(client, f"{edit}/housing", {"current_area_m2": "twenty"}, "请输入数字")
    refused(client, f"{edit}/housing", {"current_area_m2": "-3"}, "不能为负数")
    assert snapshot(app, application_id) == before


def test_address_refusals(app, draft):
    client, application_id, edit = draft
    before = snapshot(app, application_id)
    good = {"street_id": street_id(app), "address": "坞城路 1 号", "phone": "13900000000"}
    refused(client, f"{edit}/address", {**good, "street_id": "999999"}, "请选择本市的街道办事处")
    refused(client, f"{edit}/address", {**good, "street_id": "abc"}, "请选择本市的街道办事处")
    refused(client, f"{edit}/address", {**good, "street_id": street_id(app, "nanguan")}, "请选择本市的街道办事处")
    refused(client, f"{edit}/address", {**good, "phone": "12345"}, "11 位手机号码")
    refused(client, f"{edit}/address", {**good, "address": ""}, "请填写现居住地址")
    assert snapshot(app, application_id) == before


def test_hukou_refusals(app, draft):
    client, application_id, edit = draft
    before = snapshot(app, application_id)
    refused(client, f"{edit}/hukou", {"hukou_city": "atlantis", "hukou_type": "urban"}, "请选择户籍所在城市")
    refused(client, f"{edit}/hukou", {"hukou_city": "taiyuan", "hukou_type": "martian"}, "请选择户籍类型")
    assert snapshot(app, application_id) == before


def test_preferences_refusals(app, draft):
    client, application_id, edit = draft
    before = snapshot(app, application_id)
    refused(client, f"{edit}/preferences", {"preferences": ["xiaodian", "yingze", "jinyuan", "wanbailin"]}, "最多选择 3 个")
    refused(client, f"{edit}/preferences", {"preferences": ["xiaodian", "xiaodian"]}, "不能重复")
    refused(client, f"{edit}/preferences", {"preferences": ["pingcheng"]}, "请选择本市的区")
    refused(client, f"{edit}/preferences", {"preferences": ["", ""]}, "请至少选择一个意向区")
    assert snapshot(app, application_id) == before


def test_talent_employment_refusals(app, applicant):
    application_id = start(applicant, app, programme="talent")
    edit = f"/me/applications/{application_id}/edit"
    post_ok(applicant, f"{edit}/members/new", {"name": "陈静", "id_number": SELF_ID, "relation": "self"})
    before = snapshot(app, application_id)
    refused(applicant, f"{edit}/employment", {"talent_category": "Z", "tenure": "rental"}, "人才目录")
    refused(applicant, f"{edit}/employment", {"talent_category": "A", "tenure": "castle"}, "请选择保障方式")
    assert snapshot(app, application_id) == before


def test_start_refusals_and_tampered_token(app, applicant):
    response = applicant.post("/me/apply", data={"programme": "shared_ownership", "street_id": street_id(app)})
    assert response.status_code == 200 and "请选择保障类别" in response.get_data(as_text=True)
    response = applicant.post("/me/apply", data={"programme": "public_rental", "street_id": "-1"})
    assert response.status_code == 200 and "请选择本市的街道办事处" in response.get_data(as_text=True)
    application_id = start(applicant, app)
    response = applicant.post(f"/me/applications/{application_id}/edit/submit", data={"token": "<script>"})
    assert response.status_code == 422 and "提交凭证无效" in response.get_data(as_text=True)


def test_submitted_application_cannot_be_edited(app, filled):
    client, application_id = filled
    edit = f"/me/applications/{application_id}/edit"
    from .conftest_applicant import submission_token

    client.post(f"{edit}/submit", data={"token": submission_token(client.get(f"{edit}/check").get_data(as_text=True))})
    before = snapshot(app, application_id)
    response = client.post(f"{edit}/assets", data={"assets_yuan": "1"})
    assert response.status_code == 302
    assert snapshot(app, application_id) == before


def test_unanswered_sections_show_no_answer_until_saved(app, draft):
    """No pre-selected answers: a section never saved shows empty amounts and no chosen city."""
    client, application_id, edit = draft
    with app.app_context():
        member_id = db.session.get(Application, application_id).household.members[0].id
    assets = client.get(f"{edit}/assets").get_data(as_text=True)
    assert 'name="assets_yuan" type="text" value=""' in assets or re.search(r'name="assets_yuan"[^>]*value=""', assets)
    assert re.search(r'name="current_area_m2"[^>]*value=""', client.get(f"{edit}/housing").get_data(as_text=True))
    assert re.search(rf'name="income_{member_id}"[^>]*value=""', client.get(f"{edit}/income").get_data(as_text=True))
    hukou = client.get(f"{edit}/hukou").get_data(as_text=True)
    assert not re.search(r"<option selected value=\"taiyuan\"|<option[^>]*value=\"taiyuan\"[^>]*selected", hukou)
    refused(client, f"{edit}/hukou", {"hukou_city": "", "hukou_type": "urban"}, "请选择户籍所在城市")
    post_ok(client, f"{edit}/assets", {"assets_yuan": "0"})
    assert re.search(r'name="assets_yuan"[^>]*value="0(\.00)?"', client.get(f"{edit}/assets").get_data(as_text=True))
