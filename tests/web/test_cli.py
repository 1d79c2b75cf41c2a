"""The housing-security command group: set-up commands on a real database, and the pure tools."""
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from housing_security import create_app
from housing_security.extensions import db
from housing_security.models import Application, Jurisdiction, Unit, User
from tests.conftest import FAST_HASH


def test_init_db_and_seed_demo_are_idempotent(tmp_path, monkeypatch):
    monkeypatch.setenv("HOUSING_INSTANCE_PATH", str(tmp_path))
    app = create_app({"PASSWORD_HASH_METHOD": FAST_HASH})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    first = runner.invoke(args=["seed-demo", "--households", "24"])
    assert first.exit_code == 0 and "demo data created" in first.output
    with app.app_context():
        counts = [db.session.scalar(select(func.count()).select_from(model)) for model in (User, Unit, Application)]
        assert db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "xiaodian")).name_zh == "小店区"
        roles = set(db.session.scalars(select(User.role)))
        assert roles == {"applicant", "street_caseworker", "district_reviewer", "bureau_officer", "administrator"}
        statuses = set(db.session.scalars(select(Application.status)))
        assert {"draft", "street_review", "publicity", "waitlist", "housed", "rejected"} <= statuses
    assert runner.invoke(args=["init-db"]).exit_code == 0
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    with app.app_context():
        assert counts == [db.session.scalar(select(func.count()).select_from(model))
                          for model in (User, Unit, Application)]
        db.engine.dispose()


def test_bad_cli_arguments_get_a_message_not_a_traceback(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--households", "-5"])
    assert result.exit_code == 2 and "Invalid value" in result.output
    result = runner.invoke(args=["create-user", "someone", "--role", "street_caseworker", "--name", "某人",
                                 "--jurisdiction", "atlantis", "--password", "x" * 12])
    assert result.exit_code == 2 and "atlantis" in result.output
    result = runner.invoke(args=["create-user", "new_cw", "--role", "street_caseworker", "--name", "某人",
                                 "--jurisdiction", "xiaodian", "--password", "x" * 12])
    assert result.exit_code == 2 and "jurisdiction" in result.output
    result = runner.invoke(args=["create-user", "new_cw", "--role", "street_caseworker", "--name", "某人",
                                 "--jurisdiction", "wucheng", "--password", "x" * 12])
    assert result.exit_code == 0, result.output


def test_pure_tools_are_registered_in_the_console_script(tmp_path):
    """Runs the installed `housing-security` script itself, as a user would."""
    script = Path(sys.executable).with_name("housing-security")
    environment = {**os.environ, "HOUSING_INSTANCE_PATH": str(tmp_path)}

    def run(*args):
        return subprocess.run([str(script), *args], capture_output=True, text=True, env=environment, timeout=120)

    listing = run("--help")
    for name in ("init-db", "seed-demo", "check-eligibility", "params", "allocate", "generate-instance", "simulate",
                 "close-publicity", "reverify-due", "run-round"):
        assert name in listing.stdout
    instance = tmp_path / "round.json"
    result = run("generate-instance", "--households", "40", "--units", "15", "--seed", "3", "-o", str(instance))
    assert result.returncode == 0, result.stderr
    output = tmp_path / "result.json"
    result = run("allocate", str(instance), "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert json.loads(output.read_text())["solver"]["status"] == "OPTIMAL"
    result = run("check-eligibility", str(tmp_path / "missing.json"))
    assert result.returncode == 2


def test_daily_jobs_run_from_the_command_line(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["close-publicity", "--as-of", "2099-01-01", "--city", "taiyuan"])
    assert result.exit_code == 0, result.output
    moved = json.loads(result.output)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application)
                                 .where(Application.status == "publicity")) == moved.get("held", 0)
    result = runner.invoke(args=["reverify-due", "--as-of", "not-a-date"])
    assert result.exit_code == 2 and "not-a-date" in result.output
    result = runner.invoke(args=["reverify-due", "--as-of", "2099-01-01"])
    assert result.exit_code == 0, result.output


def test_run_round_from_the_command_line(app):
    from housing_security.models import AllocationRound, Offer

    runner = app.test_cli_runner()
    result = runner.invoke(args=["run-round", "--city", "taiyuan", "--programme", "public_rental",
                                 "--date", "2026-12-01", "--next-date", "2026-11-01"])
    assert result.exit_code == 2 and "not_after_round" in result.output
    result = runner.invoke(args=["run-round", "--city", "taiyuan", "--programme", "public_rental",
                                 "--date", "2026-12-01", "--next-date", "2027-01-01", "--publish"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    with app.app_context():
        rnd = db.session.get(AllocationRound, summary["round"])
        assert rnd.status == "published"
        offers = db.session.scalar(select(func.count()).select_from(Offer).where(Offer.round_id == rnd.id))
        assert offers == summary["objective"]["housed"]
