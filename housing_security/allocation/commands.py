"""Click commands `allocate`, `generate-instance` and `simulate`; the main `housing-security` group registers them.

No Flask here: these run on files, so a bureau can re-run any published round from its JSON.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile

import click
import orjson

from .engine import METHODS, compare, solve
from .instance import InstanceError, load_instance


def stderr_progress(stage: str, done: int, total: int) -> None:
    click.echo(f"\r[{stage}] {done}/{total}", err=True, nl=done >= total)


def _write_json(path: str, payload) -> None:
    """Write through a temporary file and rename, so a failure never leaves a half-written result."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:  # orjson: UTF-8, a C encoder (json.dump was a third of a round)
            handle.write(orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _refuse(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


@click.command("allocate")
@click.argument("instance_file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Result JSON to write.")
@click.option("--method", type=click.Choice(METHODS), default="optimal", show_default=True)
@click.option("--compare", "with_compare", is_flag=True, help="Also run the other method and write both.")
@click.option("--quiet", is_flag=True, help="No progress line on stderr.")
def allocate(instance_file, output, method, with_compare, quiet):
    """Solve one allocation round from INSTANCE_FILE (the instance JSON documented in the allocation README)."""
    try:
        with open(instance_file, "rb") as handle:
            data = orjson.loads(handle.read())
    except OSError as exc:
        _refuse(f"{instance_file}: cannot read: {exc.strerror}")
    except json.JSONDecodeError as exc:  # orjson.JSONDecodeError is a subclass
        _refuse(f"{instance_file}: line {exc.lineno}: not valid JSON: {exc.msg}")
    try:
        instance = load_instance(data)
    except InstanceError as exc:
        _refuse(f"{instance_file}: {exc.record}: field '{exc.field}': {exc.message}")
    progress = None if quiet else stderr_progress
    payload = compare(instance, progress=progress) if with_compare else solve(instance, method, progress)
    _write_json(output, payload)
    result = payload["optimal"] if with_compare else payload
    objective = result["objective"]
    click.echo(f"{result['solver']['status']}: housed {objective['housed']}, due housed {objective['due']}, "
               f"preference {objective['preference']}, fit {objective['fit']}, "
               f"{result['solver']['seconds']} s → {output}", err=True)
    if with_compare:
        rules = payload["preference_rules"]
        click.echo(f"preference rule in force: {rules['rule']}", err=True)
        click.echo(f"{'':24s}{'justified envy':>16s}{'preference sum':>16s}{'first choice':>14s}{'housed':>9s}"
                   f"{'due':>7s}", err=True)
        for name, label in (("seniority", "optimal, seniority rule"), ("sum", "optimal, sum rule"),
                            ("fifo", "first come first served")):
            f = rules[name]
            share = "—" if f["first_choice_share"] is None else f"{f['first_choice_share']:.3f}"
            click.echo(f"{label:24s}{f['justified_envy']:>16d}{f['preference']:>16d}{share:>14s}{f['housed']:>9d}"
                       f"{f['due']:>7d}", err=True)


@click.command("generate-instance")
@click.option("--households", type=click.IntRange(min=0), required=True)
@click.option("--units", type=click.IntRange(min=0), required=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
def generate_instance(households, units, seed, output):
    """Write a realistic synthetic round (projects of near-identical units, skewed demand)."""
    from .generator import generate_instance as generate
    _write_json(output, generate(households, units, seed))


@click.command("simulate")
@click.option("--months", type=click.IntRange(min=1), default=24, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--households", type=click.IntRange(min=1), default=3000, show_default=True,
              help="Households waiting at the start.")
@click.option("--units", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Portfolio size (completed units) at the start.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Also write the months as JSON.")
def simulate(months, seed, households, units, output):
    """Monthly rounds with arrivals, move-outs and new projects: optimiser against first-come-first-served."""
    from .simulation import simulate as run
    rows = run(months, seed, households=households, portfolio_units=units,
               progress=lambda stage, done, total: stderr_progress(stage, done, total))
    print_months(rows, click.echo)
    if output:
        _write_json(output, rows)


def _share(value) -> str:
    return "  —  " if value is None else f"{value:.3f}"


def print_months(rows: list[dict], echo=print) -> None:
    """Per month, side by side: the optimiser choosing in queue order, the optimiser by rank sum, first come
    first served — allocation rate, commitment households covered by their deadline, justified envy."""
    names = (("seniority", "queue order"), ("sum", "rank sum"), ("fifo", "first come"))
    echo("          " + "".join(f"| {label:^26s}" for _n, label in names))
    echo("month     " + "| rate   cov6   envy        " * len(names) + "| target")
    for row in rows:
        cells = "".join(f"| {row[n]['allocation_rate']:.3f}  {_share(row[n]['covered_within_6'])}  "
                        f"{row[n]['justified_envy']:<10d} " for n, _label in names)
        echo(f"{row['month']}   {cells}| {row['allocation_rate_target']:.2f}")
