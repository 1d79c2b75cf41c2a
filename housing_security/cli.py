"""`housing-security …` (and `flask …`): set-up, demo data, and the pure policy/allocation tools."""
from __future__ import annotations

import json

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext


def register_commands(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_user)
    app.cli.add_command(close_publicity)
    app.cli.add_command(reverify_due)
    app.cli.add_command(run_round)
    app.cli.add_command(worker_command)
    app.cli.add_command(daily)
    app.cli.add_command(import_units)
    from .cli_registry import register as register_registry_commands

    register_registry_commands(app)

    from .report_cli import report

    app.cli.add_command(report)
    from . import security_cli

    security_cli.register(app)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database schema to the newest migration."""
    from flask_migrate import upgrade

    upgrade()
    click.echo(f"database ready: {_safe_url()}")


@click.command("seed-demo")
@click.option("--households", default=360, show_default=True, type=click.IntRange(12, 20000),
              help="How many demo households to create.")
@click.option("--seed", default=20261126, show_default=True, type=int, help="Random seed for the demo data.")
@with_appcontext
def seed_demo(households: int, seed: int):
    """Fill the database with the demo city (太原); does nothing if the demo data is already there."""
    from .services import demo

    created = demo.seed(households=households, seed=seed)
    if created:
        from .services import demo_registry  # one registry snapshot of each kind (issue 13)

        created["registry"] = demo_registry.seed_snapshots()
        click.echo(f"demo data created: {created}")
    else:
        click.echo("demo data already present; nothing changed")


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["applicant", "street_caseworker", "district_reviewer",
                                                          "bureau_officer", "administrator"]))
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option("--jurisdiction", "jurisdiction_code", default=None,
              help="Code of the jurisdiction (street, district, city or province) staff are bound to.")
@click.password_option()
@with_appcontext
def create_user(username, role, display_name, jurisdiction_code, password):
    """Create an account (staff accounts need --jurisdiction)."""
    from sqlalchemy import select

    from .extensions import db
    from .models import Jurisdiction, Role
    from .services import accounts

    jurisdiction = None
    if jurisdiction_code:
        jurisdiction = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == jurisdiction_code))
        if jurisdiction is None:
            raise click.BadParameter(f"no jurisdiction with code {jurisdiction_code!r}", param_hint="--jurisdiction")
    try:
        accounts.create_user(username, password, Role(role), display_name, jurisdiction)
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.BadParameter(error.message_id.replace("_", " "), param_hint=f"--{error.field}") from error
    db.session.commit()
    click.echo(f"created {role} {username}")


AS_OF = click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                     help="The day to act as of (YYYY-MM-DD); today when omitted.")
CITY = click.option("--city", default=None, help="Limit to one city code, e.g. taiyuan.")


@click.command("close-publicity")
@AS_OF
@CITY
@with_appcontext
def close_publicity(as_of, city):
    """Daily job: cases whose publicity (公示) ended with no open objection join the waiting list."""
    from .services import publicity

    result = publicity.close_publicity(as_of.date() if as_of else None, city_code=city)
    click.echo(json.dumps(result, ensure_ascii=False, default=str))


@click.command("reverify-due")
@AS_OF
@CITY
@with_appcontext
def reverify_due(as_of, city):
    """Daily job: re-verify every case that is due (年审) and complete exits whose buffer period ended."""
    from .services import reverification

    result = reverification.reverify_due(as_of.date() if as_of else None, city_code=city)
    click.echo(json.dumps(result, ensure_ascii=False, default=str))


@click.command("daily")
@AS_OF
@CITY
@click.option("--only", multiple=True, help="Run only the named job (repeatable); every job when omitted.")
@with_appcontext
def daily(as_of, city, only):
    """Every daily job, in order, each in its own transaction; idempotent (a second run the same day changes
    nothing). Prints the counts of each job as JSON; exits 1 when a job failed."""
    from .services import daily as daily_jobs

    known = set(daily_jobs.jobs())
    unknown = [name for name in only if name not in known]
    if unknown:
        raise click.BadParameter(f"unknown job {unknown[0]!r}; jobs: {', '.join(sorted(known))}",
                                 param_hint="--only")
    result = daily_jobs.run_daily(as_of.date() if as_of else None, city_code=city, only=list(only) or None)
    click.echo(json.dumps(result, ensure_ascii=False, default=str))
    if any("error" in counts for counts in result.values()):
        raise SystemExit(1)


@click.command("import-units")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--city", default=None, help="City code the units belong to (needed when the database has several).")
@click.option("--dry-run", is_flag=True, help="Check the whole file and print the report; write nothing.")
@click.option("--valid-rows-only", is_flag=True,
              help="Import the valid rows even when some rows are bad (their report is kept).")
@with_appcontext
def import_units(file, city, dry_run, valid_rows_only):
    """Import units from a CSV or XLSX file in the documented layout. Bad rows: exit 2 naming each row and
    column, nothing written (unless --valid-rows-only)."""
    from datetime import date
    from pathlib import Path

    from flask_babel import force_locale
    from sqlalchemy import select

    from .extensions import db
    from .models import Jurisdiction
    from .services import stock_import

    cities = list(db.session.scalars(select(Jurisdiction.code).where(Jurisdiction.kind == "city")))
    if city is None and len(cities) == 1:
        city = cities[0]
    if city not in cities:
        raise click.BadParameter(f"unknown city {city!r}; cities: {', '.join(sorted(cities))}" if city else
                                 f"give the city: {', '.join(sorted(cities))}", param_hint="--city")
    path = Path(file)
    data, today = path.read_bytes(), date.today()
    report = stock_import.check_file(data, path.name, city, today)
    with force_locale("zh"):  # the report in the officers' language, outside any request
        _echo_report(report, path.name)
    if report.file_error:
        raise SystemExit(2)
    summary = {"rows": report.rows_total, "valid": len(report.valid), "bad_rows": report.bad_rows,
               "new_projects": report.new_projects, "new_buildings": report.new_buildings}
    if dry_run or (report.errors and not valid_rows_only) or not report.valid:
        click.echo(json.dumps({**summary, "written": 0}, ensure_ascii=False))
        raise SystemExit(2 if report.errors or not report.valid else 0)
    record = stock_import.write_rows(report, city, None, today, mode="valid_rows" if report.errors else "all")
    db.session.commit()
    click.echo(json.dumps({**summary, "written": record.rows_imported, "import": record.id}, ensure_ascii=False))


def _echo_report(report, name: str) -> None:
    from .web.stock import problem_text

    if report.file_error:
        click.echo(f"{name}: {problem_text(report.file_error['code'], report.file_error)}", err=True)
    for error in report.errors:
        column = f"{error['column']} ({error['letter']})" if error["letter"] else error["column"]
        click.echo(f"row {error['row']}, column {column}: {problem_text(error['code'], error['params'])}"
                   f"{' [' + error['value'] + ']' if error['value'] else ''}", err=True)


@click.command("run-round")
@click.option("--city", required=True, help="City code, e.g. taiyuan.")
@click.option("--programme", required=True,
              type=click.Choice(["public_rental", "subsidized_rental", "talent", "shared_ownership"]))
@click.option("--date", "round_date", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--next-date", "next_date", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--publish", is_flag=True, help="Publish the round at once: offers go out, due households get subsidies.")
@with_appcontext
def run_round(city, programme, round_date, next_date, publish):
    """Create and solve an allocation round (配租批次) from the database; optionally publish it."""
    from .services import round_publishing, rounds

    def progress(stage, done, total):
        click.echo(f"\r{stage}: {done}/{total}", nl=False, err=True)

    try:
        rnd = rounds.run_round_now(city, programme, round_date.date(), next_date.date(), progress=progress)
    except rounds.RoundError as error:
        raise click.BadParameter(str(error.code), param_hint=f"--{error.field.replace('_', '-')}") from error
    click.echo("", err=True)
    summary = {"round": rnd.id, "status": rnd.status, "objective": rnd.objective}
    if publish:
        summary["published"] = round_publishing.publish_round(rnd.id, actor=None)
    click.echo(json.dumps(summary, ensure_ascii=False, default=str))


@click.command("worker")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Jobs run at the same time (threads).")
@click.option("--no-periodic", is_flag=True, help="Do not schedule the daily jobs and the sweep of dead workers' jobs.")
@click.option("--drain", is_flag=True, help="Run the queued jobs, then exit (no schedule).")
@with_appcontext
def worker_command(workers, no_periodic, drain):
    """Run the job queue's consumer (Huey): round runs and publications, the daily jobs; until Ctrl-C."""
    from . import worker

    app = current_app._get_current_object()
    if drain:
        worker.configure(app)
        click.echo(f"jobs run: {worker.drain()}")
        return
    worker.run_consumer(app, workers=workers, periodic=not no_periodic)


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)


def _create_app(*args, **kwargs):
    from . import create_app

    return create_app()


def build_group() -> click.Group:
    group = FlaskGroup(create_app=_create_app,
                       help="housing_security: set-up, demo data, eligibility and allocation.")
    _register_pure_commands(group)
    return group


def _register_pure_commands(group: click.Group) -> None:
    """The policy and allocation tools need no app or database; they run on plain files."""
    from .allocation import commands as allocation_commands
    from .policy import commands as policy_commands

    group.add_command(policy_commands.check_eligibility, "check-eligibility")
    group.add_command(policy_commands.params, "params")
    group.add_command(policy_commands.verify_lottery, "verify-lottery")
    group.add_command(allocation_commands.allocate, "allocate")
    group.add_command(allocation_commands.generate_instance, "generate-instance")
    group.add_command(allocation_commands.simulate, "simulate")


def main() -> None:
    build_group()()


if __name__ == "__main__":  # pragma: no cover
    main()
