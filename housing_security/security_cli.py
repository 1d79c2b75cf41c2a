"""Security commands: `audit-verify` (and later `backup` / `restore`)."""
from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import with_appcontext


def register(app: Flask) -> None:
    app.cli.add_command(audit_verify)


@click.command("audit-verify")
@click.option("--seal", is_flag=True, help="First seal the rows not yet in the chains (a write).")
@with_appcontext
def audit_verify(seal: bool):
    """Recompute the hash chains of the audit log and the case events; name the first broken row (exit 1)."""
    from .extensions import db
    from .services import audit_chain

    if seal:
        audit_chain.seal()
        db.session.commit()
    breaks, summary = audit_chain.verify()
    click.echo(json.dumps(summary, ensure_ascii=False))
    for problem in breaks:
        click.echo(f"BROKEN: {problem}", err=True)
    if breaks:
        raise SystemExit(1)
    click.echo("audit chains intact")
