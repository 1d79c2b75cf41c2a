"""The bureau's snapshot screens and the registry checks on the case page, through real HTTP."""
from __future__ import annotations

import io
from datetime import date

from sqlalchemy import func, select

from housing_security.extensions import db
from housing_security.models import RegistryCheck, RegistryRecord, RegistrySnapshot
from housing_security.services import registry_checks
from tests.services.helpers import get, new_case

TODAY = date.today()
HEADER = "身份证号,姓名,不动产坐落,建筑面积,登记日期"


def _post(client, rows: list[str], submit="confirm", kind="property", as_of=TODAY.isoformat(), name="p.csv",
          encoding="utf-8"):
    data = "\n".join([HEADER, *rows]).encode(encoding)
    return client.post("/bureau/registry/import", data={
        "kind": kind, "source": "市不动产登记中心 2026 年 12 月批次", "as_of": as_of,
        "file": (io.BytesIO(data), name), submit: "1"}, content_type="multipart/form-data")


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _case_with_head(app, status="street_review"):
    with app.app_context():
        case_id = new_case(status, size=2)
        head = get(case_id).household.members[0]
        return case_id, head.id_number, head.name


def test_the_import_page_lists_layouts_and_offers_templates(app, login_as, page_get):
    client = login_as("liuchu")
    html = page_get(client, "/bureau/registry/")
    assert "不动产坐落" in html and "人才类别" in html
    response = client.get("/bureau/registry/template/talent.csv")
    assert response.status_code == 200 and "人才类别" in response.get_data().decode("utf-8-sig")
    assert client.get("/bureau/registry/template/nonsense.csv").status_code == 404


def test_a_bad_file_is_reported_row_by_row_and_nothing_is_written(app, login_as):
    case_id, id_number, name = _case_with_head(app)
    client = login_as("liuchu")
    before = (_count(app, RegistrySnapshot), _count(app, RegistryRecord))
    response = _post(client, [f"{id_number},{name},某路,abc,2025-01-01", f"{id_number[:-1]}Y,某人,某路,80,2025-01-01"],
                     encoding="gbk")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert html.count('class="import-error"') == 2 and "建筑面积" in html and "身份证号" in html
    assert (_count(app, RegistrySnapshot), _count(app, RegistryRecord)) == before


def test_a_dry_run_then_the_import_and_the_cases_that_changed(app, login_as, page_get):
    case_id, id_number, name = _case_with_head(app)
    client = login_as("liuchu")
    before = _count(app, RegistrySnapshot)
    dry = _post(client, [f"{id_number},{name},小店区某路1号,120,2025-06-18"], submit="dry_run")
    assert dry.status_code == 200 and "试导入通过" in dry.get_data(as_text=True)
    assert _count(app, RegistrySnapshot) == before
    response = _post(client, [f"{id_number},{name},小店区某路1号,120,2025-06-18"])
    assert response.status_code == 302
    with app.app_context():
        snapshot = db.session.scalars(select(RegistrySnapshot).order_by(RegistrySnapshot.id.desc())).first()
        snapshot_id, sha256 = snapshot.id, snapshot.sha256
        reference = get(case_id).reference
    html = page_get(client, response.headers["Location"])
    assert reference in html and sha256 in html
    assert id_number not in html  # never shown unmasked
    # another city's officer sees nothing of it; street staff are not let in
    assert login_as("datong_officer").get(f"/bureau/registry/{snapshot_id}").status_code == 404
    assert login_as("wangqiang").get("/bureau/registry/").status_code == 403


def test_form_errors_are_field_level(app, login_as):
    client = login_as("liuchu")
    response = client.post("/bureau/registry/import", data={"kind": "property", "source": "", "as_of": "2026-13-01",
                                                            "confirm": "1"}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "请写明数据来源" in html and "请选择要导入的文件" in html


def test_the_case_page_shows_the_check_beside_the_declaration_and_the_task_is_resolved(app, login_as, page_get):
    case_id, id_number, name = _case_with_head(app)
    officer = login_as("liuchu")
    assert _post(officer, [f"{id_number},{name},小店区某路1号,120,2025-06-18"]).status_code == 302
    worker = login_as("wangqiang")
    html = page_get(worker, f"/cases/{case_id}")
    assert "部门数据核查" in html and "本市有住房" in html and "本市无住房" in html and "影响资格" in html
    assert id_number not in html
    inbox = page_get(worker, "/cases/")
    assert "部门数据核查任务" in inbox
    blocked = worker.post(f"/cases/{case_id}/advance", data={"advance-note": ""}, follow_redirects=True)
    assert "须先处理核查任务" in blocked.get_data(as_text=True)
    with app.app_context():
        check = db.session.scalar(select(RegistryCheck).where(RegistryCheck.application_id == case_id,
                                                              RegistryCheck.blocking.is_(True)))
        check_id = check.id
    url = f"/cases/{case_id}/registry-checks/{check_id}"
    short = worker.post(url, data={f"registry-{check_id}-resolution": "declaration_upheld",
                                   f"registry-{check_id}-reason": "已卖"})
    assert short.status_code == 400
    done = worker.post(url, data={f"registry-{check_id}-resolution": "declaration_upheld",
                                  f"registry-{check_id}-reason": "房产已于上月出售，见不动产注销登记证明。"})
    assert done.status_code == 302
    with app.app_context():
        assert not db.session.get(RegistryCheck, check_id).open_task
    assert worker.post(f"/cases/{case_id}/advance", data={"advance-note": ""}).status_code == 302
    with app.app_context():
        assert get(case_id).status in ("district_review", "bureau_review")
    # a case outside the caseworker's street: 404
    assert login_as("liuxiang_worker").post(url, data={}).status_code == 404


def test_a_manual_check_from_the_case_page(app, login_as):
    case_id, _, _ = _case_with_head(app)
    assert login_as("wangqiang").post(f"/cases/{case_id}/registry-check").status_code == 302
    with app.app_context():
        assert {c.outcome for c in registry_checks.checks_of(get(case_id))} == {"no_snapshot"}


def test_the_batch_recheck_command(app, runner):
    result = runner.invoke(args=["registry-recheck", "--city", "taiyuan"])
    assert result.exit_code == 0 and '"checked"' in result.output
    again = runner.invoke(args=["registry-recheck", "--city", "taiyuan"])
    assert again.exit_code == 0 and '"changed": 0' in again.output
    bad = runner.invoke(args=["registry-recheck", "--city", "atlantis"])
    assert bad.exit_code == 2 and "--city" in bad.output


def test_the_tenant_sees_why_with_the_date_and_source_of_the_record(app, login_as, page_get):
    """Scenario: the 年审 finds a flat bought last year; the caseworker confirms it; the exit begins with the
    buffer period and the tenant sees the record, its source and date."""
    from housing_security.services import registry as registry_service
    from housing_security.services import reverification
    from tests.services.helpers import user

    with app.test_request_context():
        case_id = new_case("housed", size=2, owner="tenant9", next_reverification_on=TODAY)
        head = get(case_id).household.members[0]
        data = f"{HEADER}\n{head.id_number},{head.name},迎泽区某街8号2-301,95,2025-08-08".encode()
        registry_service.import_snapshot("taiyuan", "property", "太原市不动产登记中心", TODAY, data, "p.csv",
                                         user("liuchu"))
        db.session.commit()
        assert reverification.reverify(get(case_id), TODAY, user("liuchu")) == "held"
        db.session.commit()
        check_id = db.session.scalar(select(RegistryCheck.id).where(RegistryCheck.application_id == case_id,
                                                                    RegistryCheck.blocking.is_(True)))
    worker = login_as("wangqiang")
    assert "可能触发退出" in page_get(worker, "/cases/")
    response = worker.post(f"/cases/{case_id}/registry-checks/{check_id}", data={
        f"registry-{check_id}-resolution": "registry_confirmed",
        f"registry-{check_id}-reason": "不动产登记显示户主去年购得住房一套，已核实。"})
    assert response.status_code == 302
    with app.app_context():
        assert get(case_id).status == "exiting" and get(case_id).exit_buffer_until is not None
        kept = [c for c in registry_checks.checks_of(get(case_id)) if c.resolution == "registry_confirmed"]
        assert [(c.kind, c.outcome) for c in kept] == [("property", "match")]
    tenant = app.test_client()
    from tests.conftest import login
    login(tenant, "tenant9")
    html = page_get(tenant, f"/me/applications/{case_id}")
    assert "部门数据核查结果" in html and "太原市不动产登记中心" in html and "本市有住房" in html
