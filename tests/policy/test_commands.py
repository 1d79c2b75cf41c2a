import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from housing_security.policy.commands import check_eligibility, params

from .conftest import household_dict

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "households.json"


def run(cmd, args):
    return CliRunner(mix_stderr=False).invoke(cmd, args)


def write(tmp_path, data):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_example_file(tmp_path):
    out = tmp_path / "out.json"
    result = run(check_eligibility, [str(EXAMPLE), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema_version"] == 1 and data["count"] == 4
    by_id = {d["household_id"]: d for d in data["decisions"]}
    assert by_id["TY-001"]["eligible"] and by_id["TY-001"]["commitment"]["applies"]
    assert by_id["TY-003"]["failed_codes"] == ["income_limit"]
    assert by_id["TY-011"]["programme"] == "subsidized_rental"
    assert by_id["TY-015"]["talent_level"] == "high_level"
    assert by_id["TY-003"]["rules"][5]["message"].startswith("Per-capita monthly income")


def test_list_input_with_options(tmp_path):
    path = write(tmp_path, [household_dict(hid="A"), household_dict(hid="B", incomes=(9000, 9000))])
    result = run(check_eligibility, [path, "--city", "taiyuan", "--programme", "public_rental",
                                     "--as-of", "2024-06-01"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [d["eligible"] for d in data["decisions"]] == [True, False]
    assert data["eligible"] == 1


@pytest.mark.parametrize("mutate,expected", [
    (lambda d: d.update(city="beijing"), "record A: field city: unknown city 'beijing'"),
    (lambda d: d.update(programme="villa"), "record A: field programme: unknown programme"),
    (lambda d: d["households"][0]["members"][0].update(id_number="1401051985"),
     "record A: field members[0].id_number"),
    (lambda d: d["households"][0]["members"][1].update(income_month=-1),
     "record A: field members[1].income_month: must not be negative"),
    (lambda d: d["households"][0].pop("current_area_m2"), "record A: field current_area_m2: missing"),
    (lambda d: d.pop("as_of"), "record (file): field as_of: missing"),
    (lambda d: d["households"][1].pop("id"), "record #1: field id: missing"),
])
def test_bad_input_is_refused_with_status_2(tmp_path, mutate, expected):
    data = {"city": "taiyuan", "programme": "public_rental", "as_of": "2024-06-01",
            "households": [household_dict(hid="A"), household_dict(hid="B")]}
    mutate(data)
    result = run(check_eligibility, [write(tmp_path, data)])
    assert result.exit_code == 2
    assert expected in result.stderr
    assert result.stdout == ""


def test_every_bad_record_is_reported(tmp_path):
    bad = [household_dict(hid="A", assets=-1), household_dict(hid="B", hukou_type="x")]
    result = run(check_eligibility, [write(tmp_path, bad), "--city", "taiyuan", "--programme",
                                     "public_rental", "--as-of", "2024-06-01"])
    assert result.exit_code == 2
    assert "record A" in result.stderr and "record B" in result.stderr


def test_not_json(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{nope", encoding="utf-8")
    assert run(check_eligibility, [str(path)]).exit_code == 2


def test_params_shows_provenance():
    result = run(params, ["taiyuan", "--as-of", "2024-06-01"])
    assert result.exit_code == 0
    out = result.stdout
    assert "programmes.offered" in out and "set by taiyuan" in out
    assert "talent.full_property_markup" in out and "0.03" in out and "plan box 1" in out
    assert "status: example (source: Xuzhou)" in out and "inherited from default" in out
    assert "since 2021-01-01" in out


def test_params_json_and_unknown_city():
    data = json.loads(run(params, ["datong", "--json"]).stdout)
    assert data["code"] == "datong" and data["inherits"] == "default" and len(data["hash"]) == 64
    assert run(params, ["atlantis"]).exit_code == 2


def test_module_entry_point():
    proc = subprocess.run([sys.executable, "-m", "housing_security.policy.commands", "check-eligibility",
                           str(EXAMPLE)], capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["count"] == 4


def test_params_default_in_chinese():
    result = run(params, ["default", "--lang", "zh", "--as-of", "2024-06-01"])
    assert result.exit_code == 0 and "家庭人均月收入上限" in result.stdout
