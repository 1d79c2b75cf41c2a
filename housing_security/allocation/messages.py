"""Texts for the reason codes of explain.py, in Chinese and English. Placeholders name keys of `params`.

Codes are stable identifiers stored with a round; change a text freely, never a code.
"""
from __future__ import annotations

MESSAGES = {
    # Households left without a unit
    "no_compatible_unit": {
        "zh": "本批次没有符合条件的房源：所有房源均不满足“{constraint_zh}”要求。",
        "en": "No unit in this round is compatible: every unit fails the {constraint_en} requirement.",
    },
    "outranked": {
        "zh": "符合条件的房源已配给轮候顺序更靠前或已到保障期限的家庭；{district}（{size_band}人户型）"
              "的截止轮候序号为 {cutoff_rank}，另有 {due_holders} 套配给到期家庭。",
        "en": "Compatible units went to households ranked ahead or due for coverage; in {district} "
              "(band {size_band} persons) the cut-off rank was {cutoff_rank}, and {due_holders} units went to "
              "due households.",
    },
    "subsidy_granted": {
        "zh": "本批次未能配租实物房源，已按承诺发放租赁补贴，每月 {amount_month} 元。",
        "en": "No unit could be offered in this round; a rent subsidy of ¥{amount_month} a month is granted.",
    },
    # Vacant units
    "no_demand": {
        "zh": "没有正在轮候的家庭可以承租该房源。",
        "en": "No household still waiting could take this unit.",
    },
    "kind": {
        "zh": "同类别的轮候家庭都未申请该类型房源（住宅或宿舍）。",
        "en": "No waiting household of this programme asked for this kind of unit (residential or dormitory).",
    },
    "tenure": {
        "zh": "剩余的轮候家庭都未申请该房源的供应方式（租赁、产权或共有产权）。",
        "en": "The remaining waiting households did not apply for this unit's tenure (rental, full property or "
              "shared ownership).",
    },
    "size_band": {
        "zh": "该房源面积不在任何轮候家庭的户型面积标准内。",
        "en": "The unit's area is outside the size band of every waiting household.",
    },
    "district": {
        "zh": "面积合适的轮候家庭都未选择{district}。",
        "en": "No waiting household of a fitting size chose {district}.",
    },
    "accessibility": {
        "zh": "剩余的合适家庭都需要无障碍住房，而该房源不是无障碍住房。",
        "en": "The remaining fitting households all need an accessible unit, and this unit is not accessible.",
    },
    "low_floor": {
        "zh": "剩余的合适家庭都需要低楼层或有电梯的住房。",
        "en": "The remaining fitting households all need a low floor or a lift.",
    },
    "declined": {
        "zh": "剩余的合适家庭此前都已拒绝过该房源。",
        "en": "The remaining fitting households had all declined this unit before.",
    },
    "not_chosen": {
        "zh": "仍有 {compatible_waiting} 户合适家庭在轮候，但该房源未被选用。",
        "en": "{compatible_waiting} compatible households are still waiting, but this unit was not used.",
    },
}

# Names of the constraints in `no_compatible_unit`'s `constraint` parameter.
CONSTRAINTS = {
    "program": {"zh": "保障类别", "en": "programme"},
    "kind": {"zh": "房源类型（住宅或宿舍）", "en": "kind of unit (residential or dormitory)"},
    "tenure": {"zh": "供应方式（租赁、产权或共有产权）", "en": "tenure (rental, full property or shared ownership)"},
    "size_band": {"zh": "户型面积标准", "en": "size band"},
    "district": {"zh": "意向区域", "en": "district"},
    "accessibility": {"zh": "无障碍", "en": "accessibility"},
    "low_floor": {"zh": "低楼层或电梯", "en": "low floor or lift"},
    "declined": {"zh": "未曾拒绝", "en": "not previously declined"},
}


def render(reason: dict, lang: str = "zh") -> str:
    """Fill a reason's message; missing parameters show as '—' rather than failing a page."""
    params = dict(reason.get("params", {}))
    constraint = params.get("constraint")
    if constraint in CONSTRAINTS:
        params["constraint_zh"] = CONSTRAINTS[constraint]["zh"]
        params["constraint_en"] = CONSTRAINTS[constraint]["en"]

    class _Safe(dict):
        def __missing__(self, key):
            return "—"

    params = {k: ("—" if v is None else v) for k, v in params.items()}
    return MESSAGES[reason["code"]][lang].format_map(_Safe(params))
