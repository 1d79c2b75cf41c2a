"""The round result JSON, as written by `allocate`, against its published JSON Schema
(docs/schemas/round-result.schema.json). The contract is open (new figures may be added); the documented keys
must all be there."""
import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from housing_security.allocation import solve
from housing_security.allocation.commands import allocate

from .tiny import tiny_instance

ROOT = Path(__file__).parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "round-result.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)
EXAMPLE = ROOT / "examples" / "instance-small.json"


def test_the_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(SCHEMA)


def test_real_command_output_validates(tmp_path):
    out = tmp_path / "result.json"
    done = subprocess.run([sys.executable, "-m", "housing_security.cli", "allocate", str(EXAMPLE), "-o", str(out),
                           "--quiet"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    VALIDATOR.validate(result)
    instance = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    listed = [a["household"] for a in result["assignments"]] + [s["household"] for s in result["subsidies"]] + \
        [u["household"] for u in result["unassigned"]]
    assert sorted(listed) == sorted(h["id"] for h in instance["households"])


@pytest.mark.parametrize("method", ["optimal", "fifo"])
@pytest.mark.parametrize("seed", [3, 11])
def test_both_methods_validate(tmp_path, method, seed):
    path, out = tmp_path / "in.json", tmp_path / "out.json"
    path.write_text(json.dumps(tiny_instance(seed, adversarial=True)), encoding="utf-8")
    result = CliRunner(mix_stderr=False).invoke(allocate, [str(path), "-o", str(out), "--method", method, "--quiet"])
    assert result.exit_code == 0, result.stderr
    VALIDATOR.validate(json.loads(out.read_text(encoding="utf-8")))


def test_compare_output_holds_two_valid_results(tmp_path):
    path, out = tmp_path / "in.json", tmp_path / "out.json"
    path.write_text(json.dumps(tiny_instance(5, adversarial=True)), encoding="utf-8")
    result = CliRunner(mix_stderr=False).invoke(allocate, [str(path), "-o", str(out), "--compare", "--quiet"])
    assert result.exit_code == 0, result.stderr
    both = json.loads(out.read_text(encoding="utf-8"))
    VALIDATOR.validate(both["optimal"])
    VALIDATOR.validate(both["fifo"])


def test_empty_round_validates():
    data = tiny_instance(1)
    data["units"], data["households"] = [], []
    VALIDATOR.validate(solve(data))


@pytest.mark.parametrize("path", [("method",), ("objective", "housed"), ("objective", "seniority", "rank_sum"),
                                  ("metrics", "allocation_rate"), ("metrics", "allocation_rate_met"),
                                  ("metrics", "first_choice_share"), ("metrics", "justified_envy"),
                                  ("metrics", "subsidy_month_total"), ("metrics", "wait_days_housed"),
                                  ("solver", "status"), ("round", "next_round_date")])
def test_documented_keys_are_required(path):
    result = solve(tiny_instance(7, adversarial=True))
    VALIDATOR.validate(result)
    broken = copy.deepcopy(result)
    holder = broken
    for key in path[:-1]:
        holder = holder[key]
    holder["XX" + path[-1] + "XX"] = holder.pop(path[-1])
    with pytest.raises(ValidationError):
        VALIDATOR.validate(broken)
