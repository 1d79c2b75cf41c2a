"""`housing-security report`: the monthly or yearly statistical report (统计报表) as an XLSX file."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext


@click.command("report")
@click.option("--city", required=True, help="City code (e.g. taiyuan), or 'province' for every city.")
@click.option("--year", required=True, type=click.IntRange(2021, 2100))
@click.option("--month", type=click.IntRange(1, 12), default=None, help="A monthly report; a yearly one without.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def report(city, year, month, lang, output):
    """Write the statistical report of a city or of the province for a month (--month) or a year."""
    from flask_babel import force_locale

    from . import policy
    from .services import reports
    from .web.labels import PRIORITY_LABELS, PROGRAMME_LABELS, label

    cities = list(policy.list_cities()) if city == "province" else [city]
    if city != "province" and city not in policy.list_cities():
        raise click.BadParameter(f"unknown city {city!r}; cities: {', '.join(policy.list_cities())}",
                                 param_hint="--city")
    with force_locale(lang):
        try:
            book = reports.build_workbook(
                cities, reports.city_names(cities, lang), "month" if month else "year", year, month, date.today(),
                programme_label=lambda code: str(label(PROGRAMME_LABELS, code)),
                priority_label=lambda code: str(label(PRIORITY_LABELS, code)))
        except reports.ReportError as error:
            raise click.BadParameter("the period lies in the future", param_hint=f"--{error.field}") from None
    book.save(output)
    click.echo(f"report written: {output}")
