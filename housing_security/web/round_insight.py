"""Round results people can read: plain-language verdicts of the optimiser against first come, first served on
each tier, and the chart that leads the page (its table carries the same numbers)."""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _

from .insight import chart


def _pair(tier: dict) -> tuple[Optional[float], Optional[float]]:
    return tier.get("optimal"), tier.get("fifo")


def verdicts(comparison: Optional[dict]) -> list[str]:
    """One sentence per tier, in the order the tiers are compared, then the overall verdict."""
    if not comparison or "tiers" not in comparison:
        return []
    tiers, out = comparison["tiers"], []
    due = tiers.get("due")
    if due:
        a, b = _pair(due)
        if a == b:
            out.append(_("两种方案保障的到期家庭一样多：%(n)s 户。", n=a))
        elif a > b:
            out.append(_("优化方案多保障 %(n)s 户到期家庭（%(a)s 户对 %(b)s 户）。", n=a - b, a=a, b=b))
        else:
            out.append(_("先到先得多保障 %(n)s 户到期家庭（%(b)s 户对 %(a)s 户）。", n=b - a, a=a, b=b))
    housed = tiers.get("housed")
    if housed:
        a, b = _pair(housed)
        if a == b:
            out.append(_("两种方案安置的家庭一样多：%(n)s 户。", n=a))
        elif a > b:
            out.append(_("优化方案多安置 %(n)s 户（%(a)s 户对 %(b)s 户）。", n=a - b, a=a, b=b))
        else:
            out.append(_("先到先得多安置 %(n)s 户（%(b)s 户对 %(a)s 户）。", n=b - a, a=a, b=b))
    seniority = tiers.get("seniority")
    if seniority:
        a = (seniority.get("optimal") or {}).get("first_unhoused_rank")
        b = (seniority.get("fifo") or {}).get("first_unhoused_rank")
        if a is None and b is None:
            out.append(_("两种方案都安置了全部轮候家庭。"))
        elif a == b:
            out.append(_("两种方案中第一位未获配的都是轮候第 %(r)s 号。", r=a))
        else:
            out.append(_("第一位未获配的家庭：优化方案是轮候第 %(a)s 号，先到先得是第 %(b)s 号（号数越大，排在前面的家庭越多获配）。",
                         a=a if a is not None else "—", b=b if b is not None else "—"))
    preference = tiers.get("preference")
    if preference:
        a, b = _pair(preference)
        out.append(_("获配家庭的意向顺位合计：优化方案 %(a)s，先到先得 %(b)s（越小表示越多家庭配到靠前的意向区域）。", a=a, b=b))
    fit = tiers.get("fit")
    if fit:
        a, b = _pair(fit)
        out.append(_("房源面积与家庭标准面积的偏差合计：优化方案 %(a)s m²，先到先得 %(b)s m²（越小越贴合）。", a=a, b=b))
    better = (comparison.get("lexicographic") or {}).get("better")
    out.append({"optimal": _("结论：按上述顺序逐项比较，优化方案更优。"),
                "fifo": _("结论：按上述顺序逐项比较，先到先得更优。")}.get(better, _("结论：按上述顺序逐项比较，两种方案相同。")))
    return out


def tier_chart(comparison: Optional[dict]) -> Optional[dict]:
    """Households due and housed under each method: the chart that leads the round page."""
    if not comparison or "tiers" not in comparison:
        return None
    tiers = comparison["tiers"]
    keys = [(k, text) for k, text in (("due", _("到期家庭获配户数")), ("housed", _("配租户数"))) if k in tiers]
    labels = [text for _k, text in keys]
    datasets = [{"label": _("优化方案"), "data": [tiers[k].get("optimal") for k, _t in keys]},
                {"label": _("先到先得"), "data": [tiers[k].get("fifo") for k, _t in keys]}]
    rows = [[labels[i], datasets[0]["data"][i], datasets[1]["data"][i]] for i in range(len(labels))]
    return chart("round-tiers", "bar", _("优化方案与先到先得：到期家庭获配户数和配租户数"), labels, datasets,
                 [_("指标"), datasets[0]["label"], datasets[1]["label"]], rows)
