"""`housing-security …` (and `flask …`): set-up, demo data, and the pure policy/allocation tools."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext


def register_commands(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_user)


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
        raise click.BadParameter(error.message_id.replace("_", " "), param_hint=f"--{error.field}")
    db.session.commit()
    click.echo(f"created {role} {username}")


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
    group.add_command(allocation_commands.allocate, "allocate")
    group.add_command(allocation_commands.generate_instance, "generate-instance")
    group.add_command(allocation_commands.simulate, "simulate")


def main() -> None:
    build_group()()


if __name__ == "__main__":  # pragma: no cover
    main()
