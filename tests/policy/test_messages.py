import ast
from pathlib import Path

from housing_security.policy import MESSAGES, PRIORITY_GROUPS, RULE_CODES, evaluate, render, render_rule
from housing_security.policy.messages import placeholders

from .conftest import AS_OF

# What each rule can offer a message: its inputs and the short names of its parameters.
PLACEHOLDERS = {
    "id_number_valid": {"members", "problems"},
    "applicant_adult": {"applicant_age", "birth_date", "adult_age"},
    "program_offered": {"programme", "city", "offered"},
    "no_other_benefit": {"other_benefit"},
    "local_urban_hukou": {"hukou_city", "hukou_type", "city", "hukou_types"},
    "income_limit": {"per_capita_income_month", "income_limit_month"},
    "housing_area_limit": {"current_area_m2", "members", "per_capita_area_m2", "housing_area_limit"},
    "asset_limit": {"assets_yuan", "asset_limit"},
    "no_local_home": {"owners"},
    "local_employment": {"employed_locally", "social_insurance_local"},
    "talent_certified": {"talent_category", "talent_level", "catalogue"},
}


def test_every_rule_has_both_messages_in_both_languages():
    for code in RULE_CODES:
        for outcome in ("passed", "failed"):
            entry = MESSAGES[f"rule.{code}.{outcome}"]
            assert entry["zh"] and entry["en"]
            assert placeholders(f"rule.{code}.{outcome}") <= PLACEHOLDERS[code], (code, outcome)
            assert "<" not in entry["zh"] + entry["en"]


def test_placeholders_are_filled(make_household):
    for programme in ("public_rental", "talent"):
        d = evaluate(make_household(incomes=(9000,)), programme, "taiyuan", AS_OF)
        for rule in d.rules:
            for lang in ("zh", "en"):
                text = render_rule(rule, lang)
                assert "{" not in text, (rule.code, text)
    income = next(r for r in evaluate(make_household(incomes=(9000,)), "public_rental", "taiyuan", AS_OF).rules
                  if r.code == "income_limit")
    assert render_rule(income, "en") == "Per-capita monthly income ¥9000.00 exceeds the limit of ¥1549"
    assert render("no.such.id") == "no.such.id"
    assert render("decision.eligible", "zh", {"programme": "公租房"}) == "符合公租房申请条件"


def test_policy_package_is_pure():
    root = Path(__file__).parents[2] / "housing_security" / "policy"
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in {"flask", "sqlalchemy", "flask_sqlalchemy"}, path
                assert not name.startswith("housing_security.") or name.startswith("housing_security.policy"), path


def test_code_names_are_translated(make_household):
    d = evaluate(make_household(), "public_rental", "taiyuan", AS_OF)
    assert render(d.message_id, "zh", {"programme": d.programme}) == "符合公共租赁住房申请条件"
    hukou = next(r for r in d.rules if r.code == "local_urban_hukou")
    assert render_rule(hukou, "zh") == "主申请人具有本市户籍（城镇户籍）"
    assert render_rule(hukou, "en") == "Main applicant holds this city's hukou (urban)"
    for group in PRIORITY_GROUPS:
        assert MESSAGES[f"term.group.{group}"]["zh"]
