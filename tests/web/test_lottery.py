"""The public lottery through the web: the bureau schedules a draw, the public page shows the masked entries and
the seed hash (never the seed) before the draw, the draw reveals it, and the downloaded record passes
`housing-security verify-lottery`; a tampered download fails it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from housing_security.extensions import db
from housing_security.models import LotteryDraw
from housing_security.services import parameter_changes
from tests.conftest import audit_page
from tests.services.helpers import user

TODAY = date.today()


def _lottery_city(app):
    with app.app_context():
        since, citation = TODAY - timedelta(days=30), "太原市住房保障局公告（测试）"
        preview = parameter_changes.preview_change("taiyuan", "ordering.method", since, "lottery", citation)
        parameter_changes.save_change("taiyuan", "ordering.method", since, "lottery", citation, user("ty_admin"),
                                      preview.token, note="测试")
        db.session.commit()


def _verify(tmp_path, doc) -> subprocess.CompletedProcess:
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    script = Path(sys.executable).with_name("housing-security")
    return subprocess.run([str(script), "verify-lottery", str(path)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HOUSING_INSTANCE_PATH": str(tmp_path)})


def test_schedule_publish_draw_and_verify_from_the_public_page(app, login_as, tmp_path):
    _lottery_city(app)
    officer = login_as("liuchu")
    page = officer.get("/bureau/lottery")
    assert page.status_code == 200
    audit_page(page.get_data(as_text=True))
    response = officer.post("/bureau/lottery", data={"programme": "public_rental", "draw_on": TODAY.isoformat()})
    assert response.status_code == 302
    with app.app_context():
        draw = db.session.query(LotteryDraw).one()
        draw_id, seed, entries = draw.id, draw.seed, draw.entries
    anonymous = app.test_client()
    before = anonymous.get(f"/lottery/{draw_id}")
    html = before.get_data(as_text=True)
    assert before.status_code == 200 and seed not in html
    audit_page(html)
    assert entries[0]["id"] in html and entries[0]["name"] in html
    doc = anonymous.get(f"/lottery/{draw_id}.json").get_json()
    assert "seed" not in doc and doc["seed_hash"]
    assert _verify(tmp_path, doc).returncode == 1                 # nothing to verify before the draw
    assert officer.post(f"/bureau/lottery/{draw_id}/draw").status_code == 302
    html = anonymous.get(f"/lottery/{draw_id}").get_data(as_text=True)
    assert seed in html and "verify-lottery" in html
    doc = anonymous.get(f"/lottery/{draw_id}.json").get_json()
    result = _verify(tmp_path, doc)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].split("\t") == ["1", doc["order"][0]]
    doc["entries"] = doc["entries"][:-1]
    tampered = _verify(tmp_path, doc)
    assert tampered.returncode == 1 and "entry list" in tampered.stderr
    assert _verify(tmp_path, ["not", "a", "draw"]).returncode == 2


def test_bad_draw_input_gets_field_messages_and_writes_nothing(app, login_as):
    officer = login_as("liuchu")
    response = officer.post("/bureau/lottery", data={"programme": "public_rental", "draw_on": TODAY.isoformat()})
    assert response.status_code == 400          # taiyuan orders by priority: no draw to schedule
    response = officer.post("/bureau/lottery", data={"programme": "nope", "draw_on": "2026-13-01"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.query(LotteryDraw).count() == 0
    assert app.test_client().get("/lottery/999").status_code == 404
