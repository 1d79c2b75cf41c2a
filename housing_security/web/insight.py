"""Charts of the bureau dashboard and the province view: each is a Chart.js spec (drawn by static/js/charts.js from
a data-chart attribute, no inline script) and the table that carries exactly the same numbers (the accessible
fallback), built from one list of rows so the two cannot disagree."""
from __future__ import annotations

from datetime import date
from typing import Optional

from flask_babel import gettext as _

from ..models import ApplicationStatus
from ..services import indicators
from .labels import PRIORITY_LABELS, PROGRAMME_LABELS, label


def pct(rate: Optional[float]) -> Optional[float]:
    return None if rate is None else round(rate * 100, 1)


def month_label(day: date, today: date) -> str:
    return _("%(month)s（至今）", month=day.strftime("%Y-%m")) if day == today else day.strftime("%Y-%m")


def chart(key: str, kind: str, caption: str, labels: list[str], datasets: list[dict], headers: list[str],
          rows: list[list], **options) -> dict:
    """One chart and its table. `rows[i]` is [labels[i], dataset values at i…] unless rows are given otherwise."""
    return {"id": f"chart-{key}", "caption": caption, "headers": headers, "rows": rows,
            "spec": {"type": kind, "labels": labels, "datasets": datasets, **options}}


def allocation_rate_chart(city_code: str, days: list[date], today: date) -> dict:
    rates = indicators.portfolio_rates(city_code, days)
    labels = [month_label(d, today) for d in days]
    datasets, programmes = [], sorted(rates)
    for programme in programmes:
        datasets.append({"label": label(PROGRAMME_LABELS, programme), "data": [pct(r["rate"]) for r in rates[programme]]})
    goal = indicators.target(city_code, "public_rental", today)
    if goal is not None:
        datasets.append({"label": _("规划目标 %(p)s%%", p=round(goal * 100)), "data": [round(goal * 100, 1)] * len(days),
                         "target": True})
    rows = [[labels[i]] + [ds["data"][i] for ds in datasets] for i in range(len(days))]
    return chart("allocation-rate", "line", _("政府投资保障房分配率（存量口径）逐月变化，虚线为规划 90% 目标（规划 §4(1)）"),
                 labels, datasets, [_("月份")] + [ds["label"] for ds in datasets], rows, unit="%", y_max=100)


def plan_coverage_chart(city_code: str, days: list[date], today: date) -> dict:
    rows_in = indicators.coverage_by_month(city_code, days)
    labels = [month_label(r["day"], today) for r in rows_in]
    datasets = [
        {"label": _("期限内实物配租"), "data": [r["by_unit"] for r in rows_in], "stack": "due"},
        {"label": _("期限内领取租赁补贴"), "data": [r["by_subsidy"] for r in rows_in], "stack": "due"},
        {"label": _("期限内未保障"), "data": [r["due"] - r["covered"] for r in rows_in], "stack": "due"},
    ]
    rows = [[labels[i], rows_in[i]["by_unit"], rows_in[i]["by_subsidy"], rows_in[i]["due"] - rows_in[i]["covered"],
             pct(rows_in[i]["rate"])] for i in range(len(rows_in))]
    return chart("plan-coverage", "bar", _("当月 6 个月期限届满的低保、低收入家庭：期限内保障情况（规划口径，规划第十二章名词解释 1）"),
                 labels, datasets, [_("月份"), datasets[0]["label"], datasets[1]["label"], datasets[2]["label"],
                                    _("保障率（%）")], rows, stacked=True)


def coverage_now_chart(city_code: str, today: date) -> dict:
    now = indicators.coverage_now(city_code, today)
    labels = [(_("%(low)s–%(high)s 天", low=b["low"], high=b["high"]) if b["high"] < 10_000
               else _("%(low)s 天以上", low=b["low"])) for b in now["buckets"]]
    datasets = [
        {"label": _("已实物配租"), "data": [b["unit"] for b in now["buckets"]], "stack": "now"},
        {"label": _("已领取租赁补贴"), "data": [b["subsidy"] for b in now["buckets"]], "stack": "now"},
        {"label": _("尚未保障"), "data": [b["not_yet"] for b in now["buckets"]], "stack": "now"},
    ]
    rows = [[labels[i]] + [ds["data"][i] for ds in datasets] for i in range(len(labels))]
    result = chart("coverage-now", "bar", _("仍在 6 个月期限内的低保、低收入家庭，按距期限天数（规划 §12.1）"),
                   labels, datasets, [_("距期限")] + [ds["label"] for ds in datasets], rows, stacked=True,
                   horizontal=True)
    result["overdue"] = now["overdue"]
    return result


def waiting_chart(city_code: str, today: date, lang: str) -> tuple[dict, list[dict]]:
    waiting = indicators.waiting_list(city_code, today)
    groups = waiting["by_group"]
    labels = [f"{label(PROGRAMME_LABELS, g['programme'])} · {label(PRIORITY_LABELS, g['group'])}" for g in groups]
    datasets = [{"label": _("轮候户数"), "data": [g["households"] for g in groups]},
                {"label": _("轮候时间中位数（天）"), "data": [g["median_wait_days"] for g in groups]}]
    rows = [[labels[i], groups[i]["households"], groups[i]["median_wait_days"]] for i in range(len(groups))]
    result = chart("waiting", "bar", _("轮候家庭：按保障类别和优先类别的户数与轮候时间中位数"), labels, datasets,
                   [_("保障类别 · 优先类别"), datasets[0]["label"], datasets[1]["label"]], rows, horizontal=True)
    districts = [{"programme": d["programme"], "district": d["district"].name(lang) if d["district"] else "—",
                  "households": d["households"], "median_wait_days": d["median_wait_days"]}
                 for d in waiting["by_district"]]
    return result, districts


def waiting_month_chart(city_code: str, days: list[date], today: date) -> dict:
    months = indicators.waiting_by_month(city_code, days)
    labels = [month_label(d, today) for d in days]
    programmes = list(months)
    datasets = [{"label": _("%(programme)s 轮候户数", programme=label(PROGRAMME_LABELS, p)),
                 "data": [m["households"] for m in months[p]]} for p in programmes]
    headers = [_("月份")]
    for p, dataset in zip(programmes, datasets):
        headers += [dataset["label"], _("%(programme)s 轮候时间中位数（天）", programme=label(PROGRAMME_LABELS, p))]
    rows = [[labels[i]] + [value for p in programmes
                           for value in (months[p][i]["households"], months[p][i]["median_wait_days"])]
            for i in range(len(days))]
    return chart("waiting-months", "line", _("每月月末的轮候家庭户数（按保障类别），表中另列轮候时间中位数"), labels,
                 datasets, headers, rows)


def offers_chart(city_code: str) -> dict:
    per_round = indicators.offers_by_round(city_code)
    labels = [_("第 %(id)s 批 %(programme)s %(day)s", id=r["round"].id, programme=label(PROGRAMME_LABELS, r["round"].programme),
                day=r["round"].round_date.isoformat()) for r in per_round]
    keys = (("accepted", _("已接受")), ("declined", _("已拒绝")), ("expired", _("逾期未答复")),
            ("pending", _("待答复")))
    datasets = [{"label": text, "data": [r[key] for r in per_round], "stack": "offers"} for key, text in keys]
    rows = [[labels[i]] + [ds["data"][i] for ds in datasets] for i in range(len(labels))]
    return chart("offers", "bar", _("各配租批次的配租通知答复情况"), labels, datasets,
                 [_("批次")] + [ds["label"] for ds in datasets], rows, stacked=True)


def subsidy_chart(city_code: str, days: list[date], today: date) -> dict:
    months = indicators.subsidy_by_month(city_code, days)
    labels = [month_label(m["day"], today) for m in months]
    datasets = [{"label": _("租赁补贴月发放额（元）"), "data": [float(m["total"]) for m in months]}]
    rows = [[labels[i], months[i]["households"], datasets[0]["data"][i]] for i in range(len(months))]
    return chart("subsidy", "line", _("每月租赁补贴发放总额"), labels, datasets,
                 [_("月份"), _("领取户数"), datasets[0]["label"]], rows)


# Status cards in workflow order; drafts are the applicant's own and are in no staff list.
CARD_STATUSES = [s.value for s in ApplicationStatus if s is not ApplicationStatus.draft]


def status_cards(by_status: dict) -> list[tuple[str, int]]:
    return [(code, by_status.get(code, 0)) for code in CARD_STATUSES if by_status.get(code)]


def measures(city_code: str, days: list[date], today: date) -> list[dict]:
    """Both 分配率 measures today, per programme, against the plan's target (plan §4(1))."""
    stock = indicators.portfolio_rate_on(city_code, today)
    coverage = indicators.coverage_by_month(city_code, days)
    due = sum(r["due"] for r in coverage)
    covered = sum(r["covered"] for r in coverage)
    out = []
    for programme in sorted(stock):
        goal = indicators.target(city_code, programme, today)
        row = {"programme": programme, "completed": stock[programme]["completed"],
               "allocated": stock[programme]["allocated"], "stock_rate": stock[programme]["rate"], "target": goal,
               "due": None, "covered": None, "plan_rate": None}
        if programme == "public_rental":
            row.update(due=due, covered=covered, plan_rate=covered / due if due else None)
        out.append(row)
    return out


def dashboard(city_code: str, today: date, lang: str) -> dict:
    days = indicators.month_ends(today, 12)
    waiting, districts = waiting_chart(city_code, today, lang)
    coverage_now = coverage_now_chart(city_code, today)
    return {
        "measures": measures(city_code, days, today),
        "charts": [allocation_rate_chart(city_code, days, today), plan_coverage_chart(city_code, days, today),
                   coverage_now, waiting, waiting_month_chart(city_code, days, today), offers_chart(city_code),
                   subsidy_chart(city_code, days, today)],
        "overdue": coverage_now["overdue"], "districts": districts,
    }


def province_charts(summary: list[dict], names: dict[str, str]) -> list[dict]:
    """The cities' stock allocation rate today against 90%, and units raised per year across the province."""
    labels = [names.get(s["city"], s["city"]) for s in summary]
    programmes = sorted({p for s in summary for p in s["stock"]})
    datasets = [{"label": label(PROGRAMME_LABELS, p),
                 "data": [pct(s["stock"][p]["rate"]) if p in s["stock"] else None for s in summary]}
                for p in programmes]
    rows = [[labels[i]] + [ds["data"][i] for ds in datasets] for i in range(len(labels))]
    rates = chart("province-rates", "bar", _("各市政府投资保障房分配率（存量口径，今日），规划目标 90%（规划 §4(1)）"), labels,
                  datasets, [_("城市")] + [ds["label"] for ds in datasets], rows, unit="%", y_max=100)
    years = sorted({y for s in summary for per in s["supply"].values() for y in per})
    year_labels = [str(y) for y in years]
    raised = [{"label": label(PROGRAMME_LABELS, p),
               "data": [sum(s["supply"].get(p, {}).get(y, {}).get("raised", 0) for s in summary) for y in years]}
              for p in ("public_rental", "subsidized_rental", "talent")]
    supply_rows = [[year_labels[i]] + [ds["data"][i] for ds in raised] for i in range(len(years))]
    supply = chart("province-raised", "bar", _("全省各年筹集（竣工纳入管理）的保障房套数，按保障类别"), year_labels, raised,
                   [_("年份")] + [ds["label"] for ds in raised], supply_rows)
    return [rates, supply]
