"""The allocation-round screens: list, new-round form, round page, progress, publish, cancel, exports."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
import time
from datetime import date, timedelta

from sqlalchemy import func, select

from housing_security import create_app
from housing_security.extensions import db
from housing_security.models import AllocationRound, Assignment, Job, Offer, Unit
from housing_security.services import jobs, round_runner, rounds, transitions
from tests.conftest import csrf_token_from, login

TODAY = date.today()
NEXT = TODAY + timedelta(days=31)


def _new_round(client, **data):
    form = {"programme": "public_rental", "round_date": TODAY.isoformat(), "next_round_date": NEXT.isoformat()}
    form.update(data)
    return client.post("/bureau/rounds/new", data=form)


def _round_id(response) -> int:
    assert response.status_code == 302, response.status_code
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_officer_creates_runs_and_reads_a_round(app, login_as, page_get):
    client = login_as("liuchu")
    assert "配租批次" in page_get(client, "/bureau/rounds/")
    form = page_get(client, "/bureau/rounds/new")
    assert 'name="round_date"' in form and "公共租赁住房" in form
    round_id = _round_id(_new_round(client))
    html = page_get(client, f"/bureau/rounds/{round_id}")
    for text in ("优化方案与先到先得对比", "到期家庭获配户数", "首位未获配的轮候序号", "规划 §4(1)", "规划 §12.1",
                 "按优先群体的获配户数", "配租结果", "仍空置的房源", "下载实例 JSON", "发布", "js/rounds.js"):
        assert text in html, text
    with app.app_context():
        rnd = db.session.get(AllocationRound, round_id)
        assert rnd.status == "solved"
        assignment = db.session.scalars(select(Assignment).where(Assignment.round_id == round_id)).first()
        assert assignment.application.reference in html
        assert assignment.unit.label in html
        vacant = rnd.result["vacant"]
    if vacant:  # reasons are rendered text, never bare codes
        assert "没有" in html or "未选择" in html or "需要" in html or "拒绝" in html
    # both preference rules and first come first served, with the justified-envy figure of each
    with app.app_context():
        rules = db.session.get(AllocationRound, round_id).comparison["preference_rules"]
    assert rules["rule"] == "seniority"
    assert "选房规则对比" in html and "优化方案：按轮候顺序选房" in html and "优化方案：意向顺位合计最小" in html
    section = html[html.index("选房规则对比"):]
    for key in ("seniority", "sum", "fifo"):
        assert f"<td>{rules[key]['justified_envy']}</td>" in section
    progress = client.get(f"/bureau/rounds/{round_id}/progress")
    assert progress.status_code == 200 and progress.is_json
    assert progress.json["state"] == "done" and progress.json["percent"] == 100
    assert progress.json["status"] == "solved"


def test_round_page_in_english_renders_reasons_in_english(app, login_as):
    client = login_as("liuchu")
    round_id = _round_id(_new_round(client))
    client.post("/language", data={"language": "en", "next": f"/bureau/rounds/{round_id}"})
    html = client.get(f"/bureau/rounds/{round_id}").get_data(as_text=True)
    with app.app_context():
        result = db.session.get(AllocationRound, round_id).result
    from html import unescape

    from housing_security.allocation.messages import MESSAGES
    from housing_security.web.rounds import TABLE_LIMIT

    shown = (result["subsidies"] + result["unassigned"])[:TABLE_LIMIT] + result["vacant"][:TABLE_LIMIT]
    assert shown, "the demo round leaves someone unhoused or some unit vacant"
    text = unescape(html)
    for code in {entry["reason"]["code"] for entry in shown}:
        english, chinese = (MESSAGES[code][lang].split("{")[0].strip() for lang in ("en", "zh"))
        assert english and english in text, code  # each reason shown is the English sentence of its code
        assert not chinese or chinese not in text, code
    assert "Preference rules compared" in html and "households choose in queue order" in html


def test_publish_sends_offers_and_the_dashboard_shows_the_indicators(app, login_as, page_get):
    client = login_as("liuchu")
    round_id = _round_id(_new_round(client))
    response = client.post(f"/bureau/rounds/{round_id}/publish", follow_redirects=True)
    assert response.status_code == 200
    assert "已发布" in response.get_data(as_text=True)
    with app.app_context():
        rnd = db.session.get(AllocationRound, round_id)
        assert rnd.status == "published"
        offers = db.session.scalar(select(func.count()).select_from(Offer).where(Offer.round_id == round_id))
        assert offers == rnd.metrics["units_allocated"] > 0
        rate = rnd.metrics["allocation_rate"]
    dashboard = page_get(client, "/bureau/")
    assert "最近一次配租批次" in dashboard and f"{rate * 100:.1f}%" in dashboard
    assert "到期家庭保障覆盖率" in dashboard
    # published rounds can be neither cancelled nor published again
    again = client.post(f"/bureau/rounds/{round_id}/cancel", follow_redirects=True)
    assert "已发布的批次不能取消" in again.get_data(as_text=True)


def test_cancel_a_solved_round(app, login_as):
    client = login_as("liuchu")
    round_id = _round_id(_new_round(client))
    client.post(f"/bureau/rounds/{round_id}/cancel")
    with app.app_context():
        assert db.session.get(AllocationRound, round_id).status == "cancelled"


def test_assignments_csv_and_json_downloads(app, login_as):
    client = login_as("liuchu")
    round_id = _round_id(_new_round(client))
    response = client.get(f"/bureau/rounds/{round_id}/assignments.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:2] == ["轮候序号", "申请编号"]
    instance = client.get(f"/bureau/rounds/{round_id}/instance.json")
    result = client.get(f"/bureau/rounds/{round_id}/result.json")
    with app.app_context():
        rnd = db.session.get(AllocationRound, round_id)
        assert len(rows) - 1 == rnd.metrics["units_allocated"]
        assert hashlib.sha256(instance.get_data()).hexdigest() == rnd.instance_sha256
    assert {a["household"] for a in json.loads(result.get_data())["assignments"]} == {
        str(a) for a in _assigned_applications(app, round_id)}


def _assigned_applications(app, round_id):
    with app.app_context():
        return set(db.session.scalars(select(Assignment.application_id).where(Assignment.round_id == round_id)))


def test_bad_form_input_gets_field_messages_never_a_500(app, login_as):
    client = login_as("liuchu")
    cases = [
        ({"round_date": "2026-13-45"}, "请按 年-月-日 格式填写日期"),
        ({"round_date": ""}, "此项为必填项"),
        ({"next_round_date": TODAY.isoformat()}, "下一批次日期须晚于本批次配租日期"),
        ({"next_round_date": (TODAY - timedelta(days=3)).isoformat()}, "下一批次日期须晚于本批次配租日期"),
        ({"next_round_date": (TODAY + timedelta(days=800)).isoformat()}, "两个批次相隔不能超过一年"),
        ({"programme": "moon_base"}, "本市未开办该保障类别"),
        ({"programme": ""}, "此项为必填项"),
    ]
    for data, message in cases:
        response = _new_round(client, **data)
        assert response.status_code == 400, data
        html = response.get_data(as_text=True)
        assert message in html, data
        assert 'aria-invalid="true"' in html and "error-summary" in html
    datong = app.test_client()
    login(datong, "datong_officer")
    response = _new_round(datong, programme="talent")  # 大同 offers public and subsidized rental only
    assert response.status_code == 400 and "本市未开办该保障类别" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AllocationRound)) == 0


def test_wrong_roles_are_refused_and_other_cities_see_404(app, login_as):
    officer = login_as("liuchu")
    round_id = _round_id(_new_round(officer))
    for username in ("wangqiang", "xiaodian_reviewer", "lixiulan", "ty_admin"):
        client = login_as(username)
        assert client.get("/bureau/rounds/").status_code == 403, username
        assert client.get(f"/bureau/rounds/{round_id}").status_code == 403, username
        assert client.post(f"/bureau/rounds/{round_id}/publish").status_code == 403, username
    datong = app.test_client()
    login(datong, "datong_officer")
    for url in ("", "/progress", "/assignments.csv", "/instance.json", "/result.json"):
        assert datong.get(f"/bureau/rounds/{round_id}{url}").status_code == 404, url
    for action in ("run", "publish", "cancel"):
        assert datong.post(f"/bureau/rounds/{round_id}/{action}").status_code == 404, action
    assert f"#{round_id}" not in datong.get("/bureau/rounds/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(AllocationRound, round_id).status == "solved"


def test_publish_needs_the_csrf_token(csrf_app):
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "liuchu", "password": "demo-password-2026",
                                "csrf_token": csrf_token_from(page)})
    with csrf_app.app_context():
        from housing_security.models import User
        officer = db.session.scalar(select(User).where(User.username == "liuchu"))
        rnd = rounds.run_round_now("taiyuan", "public_rental", TODAY, NEXT, actor=officer)
        round_id = rnd.id
    assert client.post(f"/bureau/rounds/{round_id}/publish").status_code in (302, 400)
    with csrf_app.app_context():
        assert db.session.get(AllocationRound, round_id).status == "solved"
    page = client.get(f"/bureau/rounds/{round_id}").get_data(as_text=True)
    client.post(f"/bureau/rounds/{round_id}/publish", data={"csrf_token": csrf_token_from(page)})
    with csrf_app.app_context():
        assert db.session.get(AllocationRound, round_id).status == "published"


def _drain_in_background(app):
    """The queue's consumer, in a thread of this process (as `housing-security worker` would run it)."""
    from housing_security import worker

    def consume():
        with app.app_context():
            deadline = time.time() + 60
            while time.time() < deadline and not worker.drain():
                time.sleep(0.02)

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    return thread


def test_the_background_runner_solves_outside_the_request(make_app, login_as):
    app = make_app(JOBS_IMMEDIATE=False)
    client = app.test_client()
    login(client, "liuchu")
    round_id = _round_id(_new_round(client))
    state = client.get(f"/bureau/rounds/{round_id}/progress").json
    assert (state["state"], state["stage"], state["percent"]) == ("running", "queued", 0)  # waits for the worker
    assert "排队中" in state["label"]
    thread = _drain_in_background(app)
    deadline = time.time() + 60
    while time.time() < deadline:
        state = client.get(f"/bureau/rounds/{round_id}/progress").json
        assert state["state"] in ("running", "done"), state
        if state["state"] == "done":
            break
        time.sleep(0.05)
    thread.join(timeout=60)
    assert state["percent"] == 100 and state["status"] == "solved"
    with app.app_context():
        rnd = db.session.get(AllocationRound, round_id)
        assert rnd.status == "solved"
        assert db.session.scalar(select(func.count()).select_from(Unit).where(Unit.status == "vacant")) > 0
        job = round_runner.latest_job(round_id)
        assert (job.kind, job.state, job.lock, job.percent) == ("round.run", "succeeded", None, 100)
        assert job.started_at <= job.finished_at and job.heartbeat is not None


def _solved_round(client, **data) -> int:
    return _round_id(_new_round(client, **data))


def test_publishing_through_the_web_runs_as_a_publish_job_and_reports_its_stages(app, login_as, page_get,
                                                                                 monkeypatch):
    client = login_as("liuchu")
    round_id = _solved_round(client)
    seen, real_call = [], jobs.Reporter.__call__

    def recording(self, stage, done, total):
        real_call(self, stage, done, total)
        seen.append((stage, self.percent))

    monkeypatch.setattr(jobs.Reporter, "__call__", recording)
    response = client.post(f"/bureau/rounds/{round_id}/publish")
    assert response.status_code == 302
    stages = [stage for stage, _ in seen]
    for stage in ("publish_check", "publish_offers", "publish_explain", "save"):
        assert stage in stages, stage
    percents = [percent for _, percent in seen]
    assert percents == sorted(percents) and percents[-1] == 100
    html = page_get(client, f"/bureau/rounds/{round_id}")
    with app.app_context():
        rnd = db.session.get(AllocationRound, round_id)
        offers = db.session.scalar(select(func.count()).select_from(Offer).where(Offer.round_id == round_id))
        assert rnd.status == "published" and offers == rnd.metrics["units_allocated"] > 0
        job = round_runner.latest_job(round_id)
        assert (job.kind, job.state, job.outcome["offers"]) == ("round.publish", "succeeded", offers)
    assert f"已发布：发出 {offers} 份配租通知" in html and 'id="publish-result"' in html
    state = client.get(f"/bureau/rounds/{round_id}/progress").json
    assert (state["kind"], state["state"], state["percent"], state["status"]) == ("publish", "done", 100, "published")
    assert state["result"]["offers"] == offers


def test_a_failed_web_publication_writes_nothing_and_says_so(app, login_as, page_get, monkeypatch):
    client = login_as("liuchu")
    # eight months ahead: every commitment household approved in the past is due, so subsidies are started too
    round_id = _solved_round(client, next_round_date=(TODAY + timedelta(days=245)).isoformat())
    with app.app_context():
        rnd = db.session.get(AllocationRound, round_id)
        assert rnd.result["subsidies"]  # the crash below comes after every offer was added to the session
        statuses = dict(db.session.execute(select(Unit.id, Unit.status)).all())
    real_move = transitions.move

    def failing_move(application, to_status, *args, **kwargs):
        if to_status == "subsidised":
            raise RuntimeError("simulated crash")
        return real_move(application, to_status, *args, **kwargs)

    monkeypatch.setattr(transitions, "move", failing_move)
    response = client.post(f"/bureau/rounds/{round_id}/publish", follow_redirects=True)
    assert response.status_code == 200 and "发布失败，没有发出任何配租通知。" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(AllocationRound, round_id).status == "solved"
        assert db.session.scalar(select(func.count()).select_from(Offer).where(Offer.round_id == round_id)) == 0
        assert dict(db.session.execute(select(Unit.id, Unit.status)).all()) == statuses
    state = client.get(f"/bureau/rounds/{round_id}/progress").json
    assert (state["kind"], state["state"], state["status"]) == ("publish", "error", "solved") and state["error"]
    html = page_get(client, f"/bureau/rounds/{round_id}")
    assert "上次发布失败" in html and f"/bureau/rounds/{round_id}/publish" in html  # may be published again
    monkeypatch.setattr(transitions, "move", real_move)
    client.post(f"/bureau/rounds/{round_id}/publish")
    with app.app_context():
        assert db.session.get(AllocationRound, round_id).status == "published"


def test_publishing_a_round_that_is_not_solved_is_refused_at_once(app, login_as):
    client = login_as("liuchu")
    round_id = _solved_round(client)
    client.post(f"/bureau/rounds/{round_id}/cancel")
    response = client.post(f"/bureau/rounds/{round_id}/publish", follow_redirects=True)
    assert "只有已求解、尚未发布的批次可以发布" in response.get_data(as_text=True)
    with app.app_context():
        assert round_runner.latest_job(round_id).kind == "round.run"  # no publication job was started


def test_a_queued_publication_survives_a_web_worker_restart(make_app):
    """The job lives in the database: a second app instance (another web worker, or the server after a restart)
    shows the publication queued, then its progress and outcome once the queue's consumer has run it."""
    app = make_app(JOBS_IMMEDIATE=False)
    client = app.test_client()
    login(client, "liuchu")
    with app.app_context():
        from housing_security.models import User
        officer = db.session.scalar(select(User).where(User.username == "liuchu"))
        round_id = rounds.run_round_now("taiyuan", "public_rental", TODAY, NEXT, actor=officer).id
    response = client.post(f"/bureau/rounds/{round_id}/publish", follow_redirects=True)
    assert response.status_code == 200 and "正在发布" in response.get_data(as_text=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # the first web worker is gone
    restarted = create_app({**app.config, "JOBS_IMMEDIATE": False})
    other = restarted.test_client()
    login(other, "liuchu")
    state = other.get(f"/bureau/rounds/{round_id}/progress").json
    assert (state["kind"], state["state"], state["stage"], state["status"]) == ("publish", "running", "queued",
                                                                                 "solved")
    assert "排队中" in other.get(f"/bureau/rounds/{round_id}").get_data(as_text=True)
    assert other.post(f"/bureau/rounds/{round_id}/publish").status_code == 302  # refused: one is queued
    with restarted.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job).where(Job.subject == f"round:{round_id}",
                                                                             Job.kind == "round.publish")) == 1
    _drain_in_background(restarted).join(timeout=60)
    state = other.get(f"/bureau/rounds/{round_id}/progress").json
    assert state["percent"] == 100 and state["status"] == "published" and state["result"]["offers"] > 0
    assert state["state"] == "done" and state["kind"] == "publish"
    with restarted.app_context():
        db.session.remove()
        db.engine.dispose()
