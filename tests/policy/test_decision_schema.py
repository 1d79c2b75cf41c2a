"""The eligibility decision JSON, as written by `check-eligibility`, against its published JSON Schema
(docs/schemas/decision.schema.json): every documented key present, with the documented types."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from housing_security.policy import PROGRAMMES, Household, evaluate
from housing_security.policy.commands import check_eligibility

from .conftest import AS_OF, household_dict

ROOT = Path(__file__).parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "decision.schema.json").read_text(encoding="utf-8"))
FILE = Draft202012Validator(SCHEMA)
ONE = Draft202012Validator({"$schema": SCHEMA["$schema"], "$defs": SCHEMA["$defs"], "$ref": "#/$defs/decision"})


def test_the_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(SCHEMA)


def test_real_command_output_validates(tmp_path):
    out = tmp_path / "decisions.json"
    done = subprocess.run([sys.executable, "-m", "housing_security.cli", "check-eligibility",
                           str(ROOT / "examples" / "households.json"), "-o", str(out), "--lang", "zh"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    FILE.validate(data)
    assert data["count"] == len(data["decisions"]) == 4


def _batch(tmp_path, households, programme, city="taiyuan"):
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"as_of": AS_OF.isoformat(), "city": city, "programme": programme,
                                "households": households}, ensure_ascii=False), encoding="utf-8")
    result = CliRunner(mix_stderr=False).invoke(check_eligibility, [str(path), "--lang", "en"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("programme", PROGRAMMES)
def test_every_programme_and_rule_outcome_validates(tmp_path, programme):
    passing = household_dict(hid="ok", groups={"low_income": True}, approved_on="2024-01-31")
    passing["members"][0].update(employed_locally=True, talent_category="A")
    failing = household_dict(hid="no", incomes=(99999, 0), area=999, assets=99999999, other_benefit="廉租房",
                             hukou_type="rural")
    failing["members"][1]["owns_home_in_city"] = True
    failing["members"][1]["id_number"] = failing["members"][0]["id_number"]
    data = _batch(tmp_path, [passing, failing], programme)
    FILE.validate(data)
    ok, no = data["decisions"]
    assert ok["eligible"] and not no["eligible"] and no["failed_codes"]
    assert {r["code"] for r in no["rules"] if not r["passed"]} == set(no["failed_codes"])


def test_decisions_of_every_city_validate():
    from housing_security.policy import list_cities
    for city in list_cities():
        d = evaluate(Household.from_dict(household_dict(hukou_city=city)), "public_rental", city, AS_OF)
        ONE.validate(d.to_dict())


@pytest.mark.parametrize("key", ["schema_version", "household_id", "programme", "tenure", "city", "as_of",
                                 "eligible", "message_id", "failed_codes", "rules", "area_range",
                                 "priority_groups", "commitment", "talent_level", "rent_subsidy_month",
                                 "pack_hash"])
def test_every_documented_key_is_required(key):
    d = evaluate(Household.from_dict(household_dict()), "public_rental", "taiyuan", AS_OF).to_dict()
    ONE.validate(d)
    renamed = {("XX" + k + "XX" if k == key else k): v for k, v in d.items()}
    with pytest.raises(ValidationError):
        ONE.validate(renamed)


def test_rule_inputs_are_documented_per_rule():
    d = evaluate(Household.from_dict(household_dict()), "public_rental", "taiyuan", AS_OF).to_dict()
    area = next(r for r in d["rules"] if r["code"] == "housing_area_limit")
    area["inputs"]["per_capita_area"] = area["inputs"].pop("per_capita_area_m2")
    with pytest.raises(ValidationError):
        ONE.validate(d)
