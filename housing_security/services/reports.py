"""统计报表: the monthly and yearly statistical report to the province, as an XLSX workbook (openpyxl).

One workbook per city or for the province (its cities one under another): a sheet of definitions and sources,
then a sheet per programme with, for each city and month of the period, the indicators of the dashboard —
the stock allocation rate from unit histories against the plan's 90% (plan §4(1)), for public rental the plan's
six-month coverage of 低保/低收入 households (plan chapter 十二 item 1) and the rent subsidies, units raised and
supplied (plan §2(3)), offers made and their outcome — and the waiting list on the day the report was made.
Read-only; the caller audits the download.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Optional

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..models import Jurisdiction
from . import indicators
from .calendar import end_of_month

PROGRAMMES = indicators.TARGET_PROGRAMMES


class ReportError(ValueError):
    def __init__(self, field: str, code: str):
        super().__init__(f"{field}: {code}")
        self.field, self.code = field, code


def period_days(period: str, year: int, month: Optional[int], today: date) -> tuple[date, date, list[date]]:
    """(first day, last day, the month ends reported) of a month or a year, never past today."""
    if period == "month":
        if month is None or not 1 <= month <= 12:
            raise ReportError("month", "invalid")
        start = date(year, month, 1)
        end = end_of_month(start)
    elif period == "year":
        start, end = date(year, 1, 1), date(year, 12, 31)
    else:
        raise ReportError("period", "invalid")
    if start > today or year < 2000:
        raise ReportError("year" if period == "year" else "month", "future")
    end = min(end, today)
    days, day = [], start
    while day <= end:
        days.append(min(end_of_month(day), end))
        day = end_of_month(day) + timedelta(days=1)
    return start, end, days


def columns(programme: str) -> list[tuple[str, str]]:
    """(key, header) of a programme sheet, in order."""
    cols = [("city", _("城市")), ("month", _("月份")), ("completed", _("已竣工政府投资房源（套）")),
            ("allocated", _("已分配（套）")), ("stock_rate", _("存量口径分配率")), ("target", _("规划目标"))]
    if programme == "public_rental":
        cols += [("due", _("期限届满家庭")), ("by_unit", _("期限内实物配租")), ("by_subsidy", _("期限内领取租赁补贴")),
                 ("plan_rate", _("规划口径保障率")), ("subsidy_households", _("领取户数")),
                 ("subsidy_total", _("租赁补贴月发放额（元）"))]
    cols += [("raised", _("当月筹集（套）")), ("supplied", _("当月供应（套）")), ("offers", _("当月发出配租通知")),
             ("accepted", _("已接受")), ("declined", _("已拒绝")), ("expired", _("逾期未答复"))]
    return cols


def definitions() -> list[tuple[str, str, str]]:
    """(indicator, definition, source) shown on the first sheet."""
    return [
        (_("存量口径分配率"),
         _("当日已分配的房源（已发配租通知、待签约、已入住）÷ 当日已竣工纳入管理的政府投资房源（不含已退出保障房源的房源），按每套房源的状态历史在月末重算。"),
         _("规划第四章（一）：保持政府投资公租房分配率在 90%以上。")),
        (_("规划口径保障率"),
         _("当月 6 个月期限届满的审核通过城镇户籍低保、低收入家庭中，期限内已实物配租或领取租赁补贴的比例。"),
         _("规划第十二章名词解释第 1 条：公租房分配率是指具有城镇户籍的低保和低收入家庭申请公租房的保障率，在6个月内实现应保尽保。")),
        (_("筹集"), _("项目竣工、房源纳入管理的套数（以项目竣工日期计）。"), _("规划 §2(3)“十四五”筹集目标。")),
        (_("供应"), _("房源首次发出配租通知、配租或出售的套数（以房源状态历史中首次进入已分配状态的日期计）。"),
         _("规划 §2(3)“十四五”供应目标。")),
        (_("租赁补贴月发放额（元）"), _("月末仍在发放期内的租赁补贴月额合计。"), _("规划第四章（一）实物保障与货币补贴相结合。")),
        (_("轮候户数"), _("报表生成当日轮候中（含领取租赁补贴仍在轮候）的家庭户数与轮候时间中位数。"), _("规划第四章（一）按轮候期保障。")),
    ]


def _row(programme: str, day: date, stock: dict, coverage: dict,
         subsidy: dict, supply: dict, offers, goal) -> dict:
    figures = stock.get(programme, [])
    s = next((r for r in figures if r["day"] == day), {"completed": 0, "allocated": 0, "rate": None})
    row = {"month": day.strftime("%Y-%m"), "completed": s["completed"], "allocated": s["allocated"],
           "stock_rate": s["rate"], "target": goal}
    if programme == "public_rental":
        row.update(due=coverage["due"], by_unit=coverage["by_unit"], by_subsidy=coverage["by_subsidy"],
                   plan_rate=coverage["rate"], subsidy_households=subsidy["households"],
                   subsidy_total=float(subsidy["total"]))
    counts = offers.get(programme, {})
    row.update(raised=supply.get(programme, {}).get("raised", 0), supplied=supply.get(programme, {}).get("supplied", 0),
               offers=sum(counts.values()) if counts else 0, accepted=counts.get("accepted", 0) if counts else 0,
               declined=counts.get("declined", 0) if counts else 0, expired=counts.get("expired", 0) if counts else 0)
    return row


def report_rows(city_codes: list[str], days: list[date]) -> dict[str, list[dict]]:
    """{programme: [row per city and month]}: the numbers of the workbook, also used by tests."""
    out: dict[str, list[dict]] = {p: [] for p in PROGRAMMES}
    stock_all = indicators.portfolio_rates_by_city(city_codes, days)
    for city in city_codes:
        coverage = {r["day"]: r for r in indicators.coverage_by_month(city, days)}
        subsidies = {r["day"]: r for r in indicators.subsidy_by_month(city, days)}
        for day in days:
            start = day.replace(day=1)
            supply = indicators.supply_between([city], start, day)[city]
            offers = indicators.offers_between(city, start, day)
            for programme in PROGRAMMES:
                row = _row(programme, day, stock_all[city], coverage[day], subsidies[day], supply,
                           offers, indicators.target(city, programme, day))
                out[programme].append({"city": city, **row})
    return out


def build_workbook(city_codes: list[str], names: dict[str, str], period: str, year: int, month: Optional[int],
                   today: date, programme_label: Callable[[str], str] = str,
                   priority_label: Callable[[str], str] = str) -> Workbook:
    """The workbook; `programme_label` / `priority_label` give the reader's names of the codes."""
    start, end, days = period_days(period, year, month, today)
    rows = report_rows(city_codes, days)
    waiting = {city: indicators.waiting_list(city, today) for city in city_codes}
    book = Workbook()
    sheet = book.active
    sheet.title = _("说明")
    title = _("保障性住房统计报表") + " · " + (_("月报") if period == "month" else _("年报"))
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("统计期"), f"{start.isoformat()} – {end.isoformat()}"])
    sheet.append([_("城市"), "、".join(names.get(c, c) for c in city_codes)])
    sheet.append([_("生成日期"), today.isoformat()])
    sheet.append([])
    sheet.append([_("指标"), _("定义"), _("依据")])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for item in definitions():
        sheet.append(list(item))
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90
    sheet.column_dimensions["C"].width = 60
    for programme in PROGRAMMES:
        ws = book.create_sheet(str(programme_label(programme))[:31])
        cols = columns(programme)
        ws.append([header for _key, header in cols])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows[programme]:
            values = []
            for key, _header in cols:
                value = names.get(row["city"], row["city"]) if key == "city" else row.get(key)
                values.append(value)
            ws.append(values)
            for (key, _header), cell in zip(cols, ws[ws.max_row]):
                if key in ("stock_rate", "plan_rate", "target") and cell.value is not None:
                    cell.number_format = "0.0%"
        ws.append([])
        ws.append([_("报表生成当日的轮候家庭")])
        ws.append([_("城市"), _("优先类别"), _("轮候户数"), _("轮候时间中位数（天）")])
        for city in city_codes:
            for g in waiting[city]["by_group"]:
                if g["programme"] == programme:
                    ws.append([names.get(city, city), str(priority_label(g["group"])), g["households"],
                               g["median_wait_days"]])
        for i, _col in enumerate(cols, start=1):
            ws.column_dimensions[get_column_letter(i)].width = 16
        ws.freeze_panes = "C2"
    return book


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def city_names(city_codes: list[str], lang: str) -> dict[str, str]:
    """Each city's name in the reader's language: its jurisdiction's, else its parameter pack's."""
    from sqlalchemy import select

    from .. import policy
    from ..extensions import db

    found = {j.code: j.name(lang) for j in db.session.scalars(
        select(Jurisdiction).where(Jurisdiction.kind == "city", Jurisdiction.code.in_(city_codes)))}
    names = {}
    for code in city_codes:
        if code in found:
            names[code] = found[code]
        else:
            try:
                pack_name = policy.load_pack(code).name
                names[code] = pack_name.get(lang) or pack_name.get("zh") or code
            except policy.PolicyError:
                names[code] = code
    return names
