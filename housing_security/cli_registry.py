"""Commands of the registry checks and notices (issue 13): the batch re-check against the newest snapshots and
the delivery of pending SMS notices. Registered by cli.register_commands."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext


def register(app) -> None:
    app.cli.add_command(registry_recheck)
    app.cli.add_command(send_notices)


def _city(city: str) -> str:
    from . import policy

    if city not in policy.list_cities():
        click.echo(f"--city: unknown city code {city!r}", err=True)
        raise SystemExit(2)
    return city


@click.command("registry-recheck")
@click.option("--city", required=True, help="City code, e.g. taiyuan.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Business date (today).")
@with_appcontext
def registry_recheck(city, as_of):
    """Re-check every active household of a city against the newest registry snapshots (idempotent)."""
    from .services import registry_checks

    counts = registry_checks.recheck_city(_city(city), as_of.date() if as_of else None)
    click.echo(json.dumps(counts, ensure_ascii=False))


@click.command("send-notices")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(1, 100000))
@with_appcontext
def send_notices(limit):
    """Send pending SMS notices through the configured channel (retries failures with back-off)."""
    from .services import notices

    click.echo(json.dumps(notices.deliver_pending(limit=limit), ensure_ascii=False))
