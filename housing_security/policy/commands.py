"""Click commands `check-eligibility` and `params`; the app's main `housing-security` group registers them.

Run standalone with `python -m housing_security.policy.commands …`.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from .batch import parse_request, run_request
from .errors import InputError, ParameterError
from .parameters import jsonable, list_cities, load_pack


class BadInput(click.ClickException):
    exit_code = 2

    def show(self, file=None):
        click.echo(self.format_message(), err=True)


def _date_option(value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD") from None


@click.command("check-eligibility")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--as-of", "as_of", help="Decision date YYYY-MM-DD (default: the file's as_of).")
@click.option("--city", help="City code (default: the file's city).")
@click.option("--programme", help="Programme (default: the file's programme).")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Also render messages in this language.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write decisions here (default: standard output).")
def check_eligibility(file, as_of, city, programme, lang, output):
    """Decide eligibility for the households in FILE (JSON; schema in housing_security/policy/README.md)."""
    try:
        data = json.load(file)
    except json.JSONDecodeError as exc:
        raise BadInput(f"record (file): field (json): not valid JSON ({exc})") from None
    try:
        day, requests, errors = parse_request(data, city=city, programme=programme,
                                              as_of=_date_option(as_of))
    except InputError as exc:
        errors = [exc]
    if errors:
        raise BadInput("\n".join(f"Error: {e}" for e in errors))
    result = run_request(day, requests, lang)
    json.dump(result, output, ensure_ascii=False, indent=2)
    output.write("\n")


@click.command("params")
@click.argument("city")
@click.option("--as-of", "as_of", help="Show values in force on this date (default: today).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", help="Label language.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole pack as JSON.")
def params(city, as_of, lang, as_json):
    """Print every parameter of CITY's pack: value, unit, effective date, status, citation, provenance."""
    try:
        pack = load_pack(city)
    except ParameterError as error:
        raise BadInput(f"Error: unknown city {city!r}; use default or one of {', '.join(list_cities())}") from error
    if as_json:
        click.echo(json.dumps(pack.to_dict(), ensure_ascii=False, indent=2))
        return
    day = _date_option(as_of) or dt.date.today()
    click.echo(f"{pack.name['zh']} {pack.name['en']} ({pack.code}), as of {day.isoformat()}, "
               f"pack hash {pack.hash[:16]}")
    for name in sorted(pack.params):
        p = pack.params[name]
        try:
            ref = p.at(day)
            value, since = json.dumps(jsonable(ref.value), ensure_ascii=False), ref.effective_from.isoformat()
        except ParameterError:
            value, since = "(no value in force)", "-"
        origin = "inherited from default" if p.defined_in != pack.code else f"set by {p.defined_in}"
        click.echo(f"\n{name} — {p.label[lang]}")
        click.echo(f"  value: {value} [{p.unit}] since {since}")
        status = p.status + (f" (source: {p.source})" if p.source else "")
        click.echo(f"  status: {status}; {origin}")
        click.echo(f"  citation: {p.citation}")


@click.group()
def cli():
    """Policy commands (standalone entry point)."""


cli.add_command(check_eligibility)
cli.add_command(params)

if __name__ == "__main__":
    sys.exit(cli())


LOTTERY_PROBLEMS = {
    "seed_hash": "the revealed seed does not match the seed hash published before the draw",
    "entries_hash": "the entry list does not match the entry-list hash published before the draw",
    "entries_order": "the drawn order is not exactly the published entries",
    "order": "the drawn order does not follow from the entries and the seed",
    "incomplete": "the record lacks entries, entries_hash, seed_hash, seed or order (is the draw held yet?)",
}


@click.command("verify-lottery")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def verify_lottery(file):
    """Re-run a published lottery draw (the JSON downloaded from its public page) and check its order.

    Exit 0 when the seed matches its published hash and the order follows from the entries and the seed,
    1 when it does not (the reasons are printed), 2 when the file is not a draw record."""
    from .ordering import verify_published_draw

    try:
        doc = json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BadInput(f"{file.name}: not JSON ({error})") from None
    if not isinstance(doc, dict):
        raise BadInput(f"{file.name}: expected a JSON object with entries, seed_hash, seed and order")
    problems = verify_published_draw(doc)
    if problems:
        for problem in problems:
            click.echo(f"FAILED: {LOTTERY_PROBLEMS.get(problem, problem)}", err=True)
        sys.exit(1)
    click.echo(f"verified: {len(doc['order'])} entries, seed sha256 {doc['seed_hash']}")
    for position, entry_id in enumerate(doc["order"], start=1):
        click.echo(f"{position}\t{entry_id}")
