"""The housing-security command group: set-up commands on a real database, and the pure tools."""
import json

from click.testing import CliRunner
from sqlalchemy import func, select

from housing_security import create_app
from housing_security.cli import build_group
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
    group = build_group()
    runner = CliRunner()
    listing = runner.invoke(group, ["--help"])
    for name in ("init-db", "seed-demo", "check-eligibility", "params", "allocate", "generate-instance", "simulate"):
        assert name in listing.output
    instance = tmp_path / "round.json"
    result = runner.invoke(group, ["generate-instance", "--households", "40", "--units", "15", "--seed", "3",
                                   "-o", str(instance)])
    assert result.exit_code == 0, result.output
    output = tmp_path / "result.json"
    result = runner.invoke(group, ["allocate", str(instance), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert json.loads(output.read_text())["solver"]["status"] == "OPTIMAL"
    result = runner.invoke(group, ["check-eligibility", str(tmp_path / "missing.json")])
    assert result.exit_code == 2
