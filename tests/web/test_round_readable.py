"""Round results people can read: plain-language verdicts that agree with the stored comparison, a chart whose
numbers equal its table, every assignment column explained, and the verification panel."""
from __future__ import annotations

from datetime import date, timedelta

from housing_security.extensions import db
from housing_security.models import AllocationRound
from housing_security.web.round_insight import verdicts
from tests.web.test_dashboard_insight import _cell, _charts

TODAY = date.today()


def test_the_round_page_leads_with_verdicts_a_chart_and_a_verification_panel(app, login_as, page_get):
    client = login_as("liuchu")
    response = client.post("/bureau/rounds/new", data={"programme": "public_rental", "round_date": TODAY.isoformat(),
                                                        "next_round_date": (TODAY + timedelta(days=31)).isoformat()})
    round_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    html = page_get(client, f"/bureau/rounds/{round_id}")
    with app.app_context():
        rnd = db.session.get(AllocationRound, round_id)
        comparison, sha = rnd.comparison, rnd.instance_sha256
    tiers = comparison["tiers"]
    a, b = tiers["housed"]["optimal"], tiers["housed"]["fifo"]
    expected = (f"优化方案多安置 {a - b} 户" if a > b else f"先到先得多安置 {b - a} 户" if b > a
                else f"两种方案安置的家庭一样多：{a} 户")
    assert expected in html
    first = tiers["seniority"]["optimal"]["first_unhoused_rank"]
    if first is not None and first == tiers["seniority"]["fifo"]["first_unhoused_rank"]:
        assert f"两种方案中第一位未获配的都是轮候第 {first} 号" in html
    assert html.index("结果一览") < html.index("优化方案与先到先得对比")     # the verdicts lead
    page = _charts(html)
    spec = page.specs["chart-round-tiers"]
    header, *rows = page.tables["chart-round-tiers"]
    assert [r[1] for r in rows] == [_cell(v) for v in spec["datasets"][0]["data"]] == [
        str(tiers["due"]["optimal"]), str(tiers["housed"]["optimal"])]
    verification = html[html.index('id="round-verification"'):html.index('id="assignments-title"')]
    assert sha in verification and "housing-security allocate" in verification and "instance.json" in verification
    for column in ("轮候序号", "意向顺位", "面积", "区域"):
        assert f"<dt class=\"col-sm-2\">{column}</dt>" in html


def test_verdicts_name_the_winner_of_each_tier(app):
    comparison = {"tiers": {"due": {"optimal": 4, "fifo": 2}, "housed": {"optimal": 10, "fifo": 10},
                            "seniority": {"optimal": {"first_unhoused_rank": 2}, "fifo": {"first_unhoused_rank": 2}},
                            "preference": {"optimal": 12, "fifo": 15}, "fit": {"optimal": 30, "fifo": 41}},
                  "lexicographic": {"better": "optimal"}}
    with app.test_request_context():
        text = verdicts(comparison)
    assert text[0] == "优化方案多保障 2 户到期家庭（4 户对 2 户）。"
    assert text[1] == "两种方案安置的家庭一样多：10 户。"
    assert text[2] == "两种方案中第一位未获配的都是轮候第 2 号。"
    assert text[-1] == "结论：按上述顺序逐项比较，优化方案更优。"
    assert verdicts(None) == []
