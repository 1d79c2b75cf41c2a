"""Command line, explanations and their message table."""
import json
import string

from click.testing import CliRunner

from housing_security.allocation import compare, generate_instance, solve
from housing_security.allocation.commands import allocate
from housing_security.allocation.commands import generate_instance as generate_cmd
from housing_security.allocation.commands import simulate as simulate_cmd
from housing_security.allocation.messages import CONSTRAINTS, MESSAGES, render


def runner():
    return CliRunner(mix_stderr=False)


def test_allocate_writes_result_and_progress(tmp_path):
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    assert runner().invoke(generate_cmd, ["--households", "120", "--units", "40", "--seed", "2",
                                          "-o", str(source)]).exit_code == 0
    result = runner().invoke(allocate, [str(source), "-o", str(target), "--method", "fifo"])
    assert result.exit_code == 0, result.stderr
    assert "[fifo]" in result.stderr
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["method"] == "fifo" and data["objective"]["housed"] == len(data["assignments"])


def test_bad_instance_exits_2_and_writes_nothing(tmp_path):
    data = generate_instance(10, 5, 1)
    data["units"][2]["area_m2"] = -1
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    result = runner().invoke(allocate, [str(source), "-o", str(target)])
    assert result.exit_code == 2
    assert "units[2] (U3)" in result.stderr and "area_m2" in result.stderr
    assert not target.exists() and list(tmp_path.iterdir()) == [source]
    source.write_text("{not json", encoding="utf-8")
    result = runner().invoke(allocate, [str(source), "-o", str(target)])
    assert result.exit_code == 2 and not target.exists()


def test_simulate_command_runs_a_few_months(tmp_path):
    out = tmp_path / "months.json"
    result = runner().invoke(simulate_cmd, ["--months", "3", "--households", "150", "--units", "200",
                                            "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert [r["month"] for r in rows] == ["2026-01", "2026-02", "2026-03"]
    assert {"optimal", "fifo", "allocation_rate_target"} <= set(rows[0])


def test_every_reason_code_has_both_languages_and_known_placeholders():
    data = generate_instance(300, 200, 4)
    report = compare(data)
    seen = set()
    for result in (report["optimal"], report["fifo"]):
        for entry in result["unassigned"] + result["subsidies"] + result["vacant"]:
            reason = entry["reason"]
            seen.add(reason["code"])
            for lang in ("zh", "en"):
                text = render(reason, lang)
                assert text and "{" not in text
    assert seen, "the instance should produce explanations"
    for code, texts in MESSAGES.items():
        assert set(texts) == {"zh", "en"}
        fields = [{f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in ("zh", "en")]
        assert fields[0] - {"constraint_zh"} == fields[1] - {"constraint_en"}, code
    assert set(CONSTRAINTS) >= {"program", "size_band", "district", "accessibility", "low_floor", "declined"}


def test_no_compatible_unit_names_the_constraint():
    data = generate_instance(5, 5, 1)
    for unit in data["units"]:
        unit.update(accessible=False, district="xiaodian", area_m2=35)
    hh = data["households"][0]
    hh.update(size=1, preferences=["xiaodian"], needs_accessible=True)
    result = solve(data)
    reason = next(e["reason"] for e in result["unassigned"] + result["subsidies"] if e["household"] == hh["id"])
    assert reason == {"code": "no_compatible_unit", "params": {"constraint": "accessibility", "size_band": "1-1"}}


def test_vacant_unit_reason_is_the_first_constraint_that_empties_the_waiting_list():
    data = generate_instance(3, 2, 1)
    data["units"] = [dict(data["units"][0], id="U1", district="gujiao", area_m2=35, accessible=False),
                     dict(data["units"][0], id="U2", district="xiaodian", area_m2=70)]
    for hh in data["households"]:
        hh.update(size=1, preferences=["xiaodian"], accept_any_district=False)
    result = solve(data)
    reasons = {v["unit"]: v["reason"]["code"] for v in result["vacant"]}
    assert reasons == {"U1": "district", "U2": "size_band"}
    data["households"] = []
    assert {v["reason"]["code"] for v in solve(data)["vacant"]} == {"no_demand"}


def test_progress_callback_reports_stages():
    calls = []
    solve(generate_instance(50, 20, 3), progress=lambda stage, done, total: calls.append((stage, done, total)))
    stages = [c[0] for c in calls]
    assert stages[0] == "classes" and "due/housed/seniority" in stages and stages[-1] == "explain"
    assert all(0 <= done <= total for _, done, total in calls)


def test_compare_reports_both_preference_rules_and_fifo(tmp_path):
    data = generate_instance(400, 120, 6)
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    result = runner().invoke(allocate, [str(source), "-o", str(target), "--compare", "--quiet"])
    assert result.exit_code == 0, result.stderr
    for label in ("optimal, seniority rule", "optimal, sum rule", "first come first served", "justified envy"):
        assert label in result.stderr
    rules = json.loads(target.read_text(encoding="utf-8"))["preference_rules"]
    assert rules["rule"] == data["policy"]["preference_rule"] == "seniority"
    assert rules["seniority"]["justified_envy"] == rules_envy(data, "seniority")
    assert rules["sum"]["justified_envy"] == rules_envy(data, "sum")
    # same housed set under both rules (preference comes after due, housed and seniority)
    assert rules["seniority"]["housed"] == rules["sum"]["housed"] and rules["seniority"]["due"] == rules["sum"]["due"]
    assert rules["sum"]["preference"] <= rules["seniority"]["preference"]


def rules_envy(data, rule):
    return solve(dict(data, policy=dict(data["policy"], preference_rule=rule)))["metrics"]["justified_envy"]


def test_unknown_rule_and_bad_tiers_exit_2_naming_the_field(tmp_path):
    for change, field in ((dict(preference_rule="vote"), "preference_rule"),
                          (dict(tiers=["due", "housed", "housed", "preference", "fit"]), "tiers")):
        data = generate_instance(10, 5, 1)
        data["policy"].update(change)
        source, target = tmp_path / "in.json", tmp_path / "out.json"
        source.write_text(json.dumps(data), encoding="utf-8")
        result = runner().invoke(allocate, [str(source), "-o", str(target)])
        assert result.exit_code == 2 and f"field '{field}'" in result.stderr and not target.exists()
