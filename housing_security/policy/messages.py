"""Texts for the message ids a Decision carries, in Chinese and English.

The web layer feeds these through Babel; the CLI prints them with `render`. Placeholders
name a rule's inputs or the last part of a parameter's name (e.g. `{income_limit_month}`).
"""

from __future__ import annotations

import string
from collections.abc import Mapping

MESSAGES: dict[str, dict[str, str]] = {
    "decision.eligible": {"zh": "符合{programme}申请条件", "en": "Eligible for {programme}"},
    "decision.ineligible": {"zh": "不符合{programme}申请条件", "en": "Not eligible for {programme}"},
    "rule.id_number_valid.passed": {
        "zh": "全部{members}名家庭成员的身份证号码有效且不重复",
        "en": "All {members} members' resident ID numbers are valid and distinct",
    },
    "rule.id_number_valid.failed": {
        "zh": "身份证号码有误：{problems}",
        "en": "Resident ID number problems: {problems}",
    },
    "rule.applicant_adult.passed": {
        "zh": "主申请人年龄{applicant_age}周岁，已满{adult_age}周岁",
        "en": "Main applicant is {applicant_age}, at least {adult_age}",
    },
    "rule.applicant_adult.failed": {
        "zh": "主申请人年龄{applicant_age}周岁，未满{adult_age}周岁",
        "en": "Main applicant is {applicant_age}, under {adult_age}",
    },
    "rule.program_offered.passed": {"zh": "本市开办此保障类别", "en": "The city offers this programme"},
    "rule.program_offered.failed": {"zh": "本市未开办此保障类别", "en": "The city does not offer this programme"},
    "rule.no_other_benefit.passed": {
        "zh": "家庭未享受其他住房保障",
        "en": "No member holds another housing-security benefit",
    },
    "rule.no_other_benefit.failed": {
        "zh": "家庭已享受其他住房保障（{other_benefit}）",
        "en": "The household already holds a housing-security benefit ({other_benefit})",
    },
    "rule.local_urban_hukou.passed": {
        "zh": "主申请人具有本市户籍（{hukou_type}）",
        "en": "Main applicant holds this city's hukou ({hukou_type})",
    },
    "rule.local_urban_hukou.failed": {
        "zh": "主申请人户籍（{hukou_city}，{hukou_type}）不符合本市要求",
        "en": "Main applicant's hukou ({hukou_city}, {hukou_type}) does not meet this city's requirement",
    },
    "rule.income_limit.passed": {
        "zh": "家庭人均月收入{per_capita_income_month}元，不高于{income_limit_month}元",
        "en": "Per-capita monthly income ¥{per_capita_income_month} is within the limit of ¥{income_limit_month}",
    },
    "rule.income_limit.failed": {
        "zh": "家庭人均月收入{per_capita_income_month}元，高于{income_limit_month}元",
        "en": "Per-capita monthly income ¥{per_capita_income_month} exceeds the limit of ¥{income_limit_month}",
    },
    "rule.housing_area_limit.passed": {
        "zh": "人均现住房面积{per_capita_area_m2}平方米，不高于{housing_area_limit}平方米",
        "en": "Existing housing of {per_capita_area_m2} m² per person is within {housing_area_limit} m²",
    },
    "rule.housing_area_limit.failed": {
        "zh": "人均现住房面积{per_capita_area_m2}平方米，高于{housing_area_limit}平方米",
        "en": "Existing housing of {per_capita_area_m2} m² per person exceeds {housing_area_limit} m²",
    },
    "rule.asset_limit.passed": {
        "zh": "家庭资产{assets_yuan}元，不高于{asset_limit}元",
        "en": "Household assets of ¥{assets_yuan} are within ¥{asset_limit}",
    },
    "rule.asset_limit.failed": {
        "zh": "家庭资产{assets_yuan}元，高于{asset_limit}元",
        "en": "Household assets of ¥{assets_yuan} exceed ¥{asset_limit}",
    },
    "rule.no_local_home.passed": {"zh": "家庭成员在本市无自有住房", "en": "No member owns a home in the city"},
    "rule.no_local_home.failed": {"zh": "有家庭成员在本市拥有住房", "en": "A member owns a home in the city"},
    "rule.local_employment.passed": {
        "zh": "主申请人在本市就业或缴纳社保",
        "en": "Main applicant works in the city (labour contract or social insurance)",
    },
    "rule.local_employment.failed": {
        "zh": "主申请人未在本市就业或缴纳社保",
        "en": "Main applicant neither works nor pays social insurance in the city",
    },
    "rule.talent_certified.passed": {
        "zh": "人才类别{talent_category}（{talent_level}）在本市人才目录内",
        "en": "Talent category {talent_category} ({talent_level}) is in the city's catalogue",
    },
    "rule.talent_certified.failed": {
        "zh": "人才类别{talent_category}不在本市人才目录内",
        "en": "Talent category {talent_category} is not in the city's catalogue",
    },
    "id_reason.length": {"zh": "长度不是18位", "en": "not 18 characters"},
    "id_reason.format": {"zh": "格式错误", "en": "wrong format"},
    "id_reason.checksum": {"zh": "校验码错误", "en": "wrong check digit"},
    "id_reason.birth_date": {"zh": "出生日期无效", "en": "impossible birth date"},
    "id_reason.region": {"zh": "地区码无效", "en": "unknown region code"},
    "id_reason.birth_date_mismatch": {"zh": "与填报的出生日期不一致", "en": "differs from the stated birth date"},
    "id_reason.duplicate": {"zh": "号码重复", "en": "repeated"},
}


# Domain terms (the project's glossary), so rendered messages never show a code name.
_TERMS = {
    "programme": {
        "public_rental": ("公共租赁住房", "public rental housing"),
        "subsidized_rental": ("保障性租赁住房", "subsidized rental housing"),
        "talent": ("人才住房", "talent housing"),
        "shared_ownership": ("共有产权住房", "shared-ownership housing"),
    },
    "hukou_type": {"urban": ("城镇户籍", "urban"), "rural": ("农村户籍", "rural")},
    "talent_level": {"high_level": ("高层次人才", "high-level talent"), "general": ("一般型人才", "general talent")},
    "group": {
        "minimum_allowance": ("低保", "minimum living allowance"),
        "special_hardship": ("特困", "special hardship"),
        "low_income": ("低收入", "low income"),
        "elderly": ("老年人", "elderly"),
        "disabled": ("残疾人", "disability"),
        "veteran_family": ("优抚对象", "veteran family"),
    },
    "city": {
        "taiyuan": ("太原市", "Taiyuan"), "jinzhong": ("晋中市", "Jinzhong"), "datong": ("大同市", "Datong"),
        "linfen": ("临汾市", "Linfen"), "changzhi": ("长治市", "Changzhi"), "yuncheng": ("运城市", "Yuncheng"),
        "jincheng": ("晋城市", "Jincheng"), "yangquan": ("阳泉市", "Yangquan"), "shuozhou": ("朔州市", "Shuozhou"),
        "xinzhou": ("忻州市", "Xinzhou"), "lvliang": ("吕梁市", "Lvliang"),
    },
}
for _kind, _entries in _TERMS.items():
    for _code, (_zh, _en) in _entries.items():
        MESSAGES[f"term.{_kind}.{_code}"] = {"zh": _zh, "en": _en}

# Which placeholder holds which kind of code.
_TERM_KIND = {"programme": "programme", "hukou_type": "hukou_type", "talent_level": "talent_level",
              "city": "city", "hukou_city": "city"}


def term(kind: str, code, lang: str = "zh"):
    entry = MESSAGES.get(f"term.{kind}.{code}")
    return entry[lang] if entry else code


class _Lenient(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def placeholders(message_id: str) -> set[str]:
    text = MESSAGES[message_id]["en"] + MESSAGES[message_id]["zh"]
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def render(message_id: str, lang: str = "zh", values: Mapping | None = None) -> str:
    """Fill a message; unknown placeholders stay visible rather than failing a whole report."""
    entry = MESSAGES.get(message_id)
    if entry is None:
        return message_id
    filled = {k: term(_TERM_KIND[k], v, lang) if k in _TERM_KIND else v for k, v in (values or {}).items()}
    return string.Formatter().vformat(entry.get(lang) or entry["en"], (), _Lenient(filled))


def rule_values(rule, lang: str = "zh") -> dict:
    """Placeholder values for a RuleResult: its inputs plus its parameters by short name."""
    values = dict(rule.inputs)
    for ref in rule.parameters:
        values[ref.name.rsplit(".", 1)[-1]] = ref.value
    if rule.code == "id_number_valid" and rule.inputs.get("problems"):
        values["problems"] = "; ".join(
            f"{p['id_number']} {render('id_reason.' + p['reason'], lang)}" for p in rule.inputs["problems"])
    for key, value in values.items():
        if value is None:
            values[key] = "—"
    return values


def render_rule(rule, lang: str = "zh") -> str:
    return render(rule.message_id, lang, rule_values(rule, lang))
