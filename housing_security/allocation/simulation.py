"""Months of rounds: arrivals, move-outs, new projects and declined offers, the optimiser against the baseline.

Three worlds — the optimiser with households choosing in queue order (`preference_rule: "seniority"`), the
optimiser minimising the sum of preference ranks (`"sum"`), and first come first served — see the same arrivals
and completions (drawn once per month); move-outs and declines are drawn from per-month seeds, so the methods
are compared on identical fortunes. Rows keep `optimal` (the policy's own rule) next to `seniority`, `sum` and
`fifo`. Records are validated once, when they enter the world (not every month), and a month computes only the
figures it reports (no explanations), so a 50,000-household city runs in well under a minute. Each month reports the portfolio
allocation rate against the policy target and, for commitment households whose coverage deadline falls in that
month, the share covered (unit or subsidy) and the share housed by then.
"""
from __future__ import annotations

import datetime as dt
import random

from .engine import _run
from .generator import assign_ranks, default_policy, make_household, make_units
from .instance import Household, Instance, _load_household, _load_policy, _load_unit, add_months, is_due
from .metrics import justified_envy

WORLDS = (("seniority", "optimal", "seniority"), ("sum", "optimal", "sum"), ("fifo", "fifo", None))


class _World:
    def __init__(self, name: str, method: str, occupied: list[dict], vacant: list[dict], waiting: list[dict],
                 policy, loaded: tuple[dict, dict]):
        self.name, self.method, self.policy = name, method, policy
        # validated records, shared by the worlds (they do not depend on the preference rule)
        self.loaded_units, self.loaded_households = loaded
        self.occupied = [dict(u) for u in occupied]
        self.vacant = [dict(u) for u in vacant]
        self.waiting = {h["id"]: dict(h, declined_units=list(h["declined_units"])) for h in waiting}
        self.covered_on: dict[str, dt.date] = {}
        self.housed_on: dict[str, dt.date] = {}


def _month_rng(seed: int, month: int, salt: str) -> random.Random:
    return random.Random(f"{seed}:{month}:{salt}")


def simulate(months: int = 24, seed: int = 0, households: int = 3000, portfolio_units: int = 5000,
             start: str = "2026-01-01", initial_occupancy: float = 0.84, arrivals_per_month: int | None = None,
             move_out_rate: float = 0.008, completion_every: int = 6, completion_share: float = 0.05,
             decline_rate: float = 0.04, policy: dict | None = None, progress=None) -> list[dict]:
    policy = policy or default_policy()
    rng = random.Random(seed)
    first = dt.date.fromisoformat(start)
    units = make_units(rng, portfolio_units)
    rng.shuffle(units)
    n_occupied = int(portfolio_units * initial_occupancy)
    waiting = []
    for n in range(1, households + 1):
        days = min(int(rng.expovariate(1 / 200)), 4 * 365)
        waiting.append(make_household(rng, n, first - dt.timedelta(days=days + 1)))
    lottery = {}
    shared: tuple[dict, dict] = ({}, {})
    worlds = [_World(name, method, units[:n_occupied], units[n_occupied:], waiting,
                     _load_policy(dict(policy, preference_rule=rule or policy.get("preference_rule", "sum"))), shared)
              for name, method, rule in WORLDS]
    own_rule = policy.get("preference_rule", "sum")
    total_units, next_unit, next_household = portfolio_units, portfolio_units + 1, households + 1
    arrivals_per_month = arrivals_per_month if arrivals_per_month is not None else max(1, households // 12)
    commitment_deadlines: dict[str, dt.date] = {h["id"]: add_months(dt.date.fromisoformat(h["approved_on"]),
                                                                      policy["coverage_months"])
                                                for h in waiting if h["commitment"]}
    rows = []
    for month in range(months):
        date = add_months(first, month)
        next_date = add_months(first, month + 1)
        arrivals_rng = _month_rng(seed, month, "arrivals")
        arrivals = [make_household(arrivals_rng, next_household + i,
                                   date - dt.timedelta(days=arrivals_rng.randint(1, 28)))
                    for i in range(arrivals_per_month)]
        next_household += len(arrivals)
        for hh in arrivals:
            if hh["commitment"]:
                commitment_deadlines[hh["id"]] = add_months(dt.date.fromisoformat(hh["approved_on"]),
                                                            policy["coverage_months"])
        completed = []
        if completion_every and month and month % completion_every == 0:
            completed = make_units(_month_rng(seed, month, "projects"), int(portfolio_units * completion_share),
                                   start=next_unit, project_prefix="N")
            next_unit += len(completed)
            total_units += len(completed)
        row = {"month": date.strftime("%Y-%m"), "date": date.isoformat(),
               "allocation_rate_target": policy["allocation_rate_target"], "total_units": total_units}
        for world in worlds:
            row[world.name] = _run_month(world, seed, month, date, next_date, arrivals, completed, policy,
                                         total_units, move_out_rate, decline_rate, commitment_deadlines, lottery)
        row["optimal"] = row[own_rule]
        rows.append(row)
        if progress:
            progress("simulate", month + 1, months)
    return rows


def _run_month(world: _World, seed, month, date, next_date, arrivals, completed, policy, total_units,
               move_out_rate, decline_rate, deadlines, lottery) -> dict:
    for hh in arrivals:
        world.waiting[hh["id"]] = dict(hh, declined_units=[])
    world.vacant.extend(dict(u) for u in completed)
    moves = _month_rng(seed, month, "moves")
    staying = []
    for unit in world.occupied:
        (world.vacant if moves.random() < move_out_rate else staying).append(unit)
    world.occupied = staying
    households = list(world.waiting.values())
    assign_ranks(households, _month_rng(seed, month, "lottery"))
    loaded = _instance(world, date, next_date, total_units, households)
    due = {h.id: h.subsidy_month for h in loaded.households if h.due}
    result = _solve_month(loaded, world.method)
    declines = _month_rng(seed, month, "declines")
    units = {u["id"]: u for u in world.vacant}
    housed = 0
    # Commitment B (plan §12.1) is coverage by a unit OR a subsidy: a due household left without a unit for
    # any reason, declining its offer included, starts its rent subsidy this month.
    decline_subsidies = []
    for a in result["assignments"]:
        hh = world.waiting[a["household"]]
        if declines.random() < decline_rate:
            hh["declined_units"].append(a["unit"])
            if hh["id"] in due:
                decline_subsidies.append(hh["id"])
                world.covered_on.setdefault(hh["id"], date)
            continue
        world.occupied.append(units.pop(a["unit"]))
        world.housed_on[hh["id"]] = date
        world.covered_on.setdefault(hh["id"], date)
        del world.waiting[hh["id"]]
        housed += 1
    for s in result["subsidies"]:
        world.covered_on.setdefault(s["household"], date)
    world.vacant = list(units.values())
    # Commitment households whose deadline falls before the next round: were they covered in time?
    cohort = [hid for hid, deadline in deadlines.items() if date <= deadline < next_date]
    covered = sum(1 for hid in cohort if hid in world.covered_on and world.covered_on[hid] <= deadlines[hid])
    in_unit = sum(1 for hid in cohort if hid in world.housed_on and world.housed_on[hid] <= deadlines[hid])
    metrics = result["metrics"]
    return {"allocation_rate": len(world.occupied) / total_units if total_units else None,
            "allocated": metrics["units_allocated"], "accepted": housed,
            "declined": metrics["units_allocated"] - housed, "vacant_after": len(world.vacant),
            "waiting": len(world.waiting), "due": metrics["due_households"], "due_housed": metrics["due_housed"],
            "due_subsidised": metrics["due_subsidised"] + len(decline_subsidies),
            "due_declined_subsidised": len(decline_subsidies), "deadline_cohort": len(cohort),
            "covered_within_6": covered / len(cohort) if cohort else None,
            "housed_within_6": in_unit / len(cohort) if cohort else None,
            "subsidy_month_total": round(metrics["subsidy_month_total"] + sum(due[h] for h in decline_subsidies), 2),
            "justified_envy": metrics["justified_envy"], "seconds": result["solver"]["seconds"]}


def _instance(world: _World, date: dt.date, next_date: dt.date, total_units: int, households: list[dict]) -> Instance:
    """This month's round from records validated once (rank, due status and declined units change monthly)."""
    policy = world.policy
    units = []
    for i, raw in enumerate(world.vacant):
        unit = world.loaded_units.get(raw["id"])
        if unit is None:
            unit = world.loaded_units[raw["id"]] = _load_unit(raw, i, policy)
        units.append(unit)
    loaded = []
    due_by_approval: dict[dt.date, bool] = {}
    for i, raw in enumerate(households):
        hh = world.loaded_households.get(raw["id"])
        if hh is None:
            hh = world.loaded_households[raw["id"]] = _load_household(raw, i, policy, next_date)
        due = due_by_approval.get(hh.approved_on)
        if due is None:
            due = due_by_approval[hh.approved_on] = is_due(hh.approved_on, True, policy, next_date)
        # a copy with this month's rank, due status and declined units (dataclasses.replace is too slow here)
        month = object.__new__(Household)
        month.__dict__.update(hh.__dict__, rank=raw["rank"], due=due and hh.commitment,
                              declined_units=frozenset(raw["declined_units"]))
        loaded.append(month)
    return Instance(city="taiyuan", program="public_rental", date=date, next_round_date=next_date, policy=policy,
                    total_units=total_units, occupied_units=len(world.occupied), units=units, households=loaded)


def _solve_month(instance: Instance, method: str) -> dict:
    """The assignments and the few metrics a month reports (no explanations: nobody reads them here)."""
    graph, assignment, solver = _run(instance, method)
    subsidies = {h.id: h.subsidy_month for h in instance.households if h.due and h.id not in assignment}
    due = [h for h in instance.households if h.due]
    rank = {h.id: h.rank for h in instance.households}
    return {"assignments": [{"household": hid, "unit": assignment[hid].id}
                            for hid in sorted(assignment, key=rank.__getitem__)],
            "subsidies": [{"household": hid} for hid in subsidies],
            "solver": solver,
            "metrics": {"units_allocated": len(assignment), "due_households": len(due),
                        "due_housed": sum(1 for h in due if h.id in assignment), "due_subsidised": len(subsidies),
                        "subsidy_month_total": round(sum(subsidies.values()), 2),
                        "justified_envy": justified_envy(instance, graph, assignment)}}
