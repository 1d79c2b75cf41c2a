"""One round end to end: load, aggregate, solve (optimal or baseline), explain, measure; and the comparison."""
from __future__ import annotations

import dataclasses
import time

from .baseline import solve_fifo
from .classes import build_classes
from .compatibility import pair_fit, preference_rank
from .explain import household_reasons, unit_reasons
from .instance import PREFERENCE_RULES, Instance, load_instance, natural_key
from .metrics import compare_seniority, justified_envy, objective, round_metrics
from .solver import solve_optimal

METHODS = ("optimal", "fifo")


def _as_instance(instance) -> Instance:
    return instance if isinstance(instance, Instance) else load_instance(instance)


def _run(instance: Instance, method: str, progress=None, graph=None):
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {METHODS}")
    started = time.perf_counter()
    if progress:
        progress("classes", 0, 1)
    graph = graph or build_classes(instance)
    if progress:
        progress("classes", 1, 1)
    if method == "optimal":
        assignment, info = solve_optimal(instance, graph, progress)
        solver = {"name": "ortools.min_cost_flow (matroid-weighted, two phases)", "status": "OPTIMAL",
                  "tiers": info["tiers"]}
    else:
        assignment = solve_fifo(instance, graph, progress)
        solver = {"name": "first-come-first-served", "status": "HEURISTIC",
                  "tiers": {t: "NOT_OPTIMISED" for t in instance.policy.tiers}}
    solver["seconds"] = round(time.perf_counter() - started, 3)
    solver["classes"] = {"household_classes": len(graph.household_classes),
                         "unit_classes": len(graph.unit_classes), "edges": graph.num_edges}
    return graph, assignment, solver


def solve(instance, method: str = "optimal", progress=None) -> dict:
    """The result JSON of the allocation contract; `progress(stage, done, total)` is called as stages advance."""
    instance = _as_instance(instance)
    graph, assignment, solver = _run(instance, method, progress)
    return _result(instance, graph, assignment, solver, method, progress)


def _result(instance, graph, assignment, solver, method, progress=None) -> dict:
    started = time.perf_counter()
    if progress:
        progress("explain", 0, 1)
    households = sorted(instance.households, key=lambda h: h.rank)
    why = household_reasons(instance, graph, assignment)
    subsidies = {h.id: h.subsidy_month for h in households if h.due and h.id not in assignment}
    vacant = unit_reasons(instance, graph, assignment)
    result = {
        "round": {"city": instance.city, "program": instance.program, "date": instance.date.isoformat(),
                  "next_round_date": instance.next_round_date.isoformat()},
        "method": method,
        "assignments": [{"household": h.id, "unit": assignment[h.id].id,
                         "preference_rank": preference_rank(h, assignment[h.id].district),
                         "fit": pair_fit(h, assignment[h.id], instance.policy)}
                        for h in households if h.id in assignment],
        "subsidies": [{"household": h.id, "amount_month": subsidies[h.id], "reason": why[h.id]}
                      for h in households if h.id in subsidies],
        "unassigned": [{"household": h.id, "reason": why[h.id]}
                       for h in households if h.id not in assignment and h.id not in subsidies],
        "vacant": [{"unit": u.id, "reason": vacant[u.id]}
                   for u in sorted(instance.units, key=lambda u: natural_key(u.id)) if u.id in vacant],
        "objective": objective(instance, assignment),
        "metrics": round_metrics(instance, graph, assignment, subsidies, vacant),
        "solver": solver,
    }
    solver["explain_seconds"] = round(time.perf_counter() - started, 3)
    if progress:
        progress("explain", 1, 1)
    return result


def assignment_of(instance: Instance, result: dict) -> dict:
    units = {u.id: u for u in instance.units}
    return {a["household"]: units[a["unit"]] for a in result["assignments"]}


def _better(tier: str, a, b) -> str:
    if tier == "seniority":
        return "equal"  # decided by compare_seniority below
    if a == b:
        return "equal"
    maximise = tier in ("due", "housed")
    return "optimal" if (a > b) == maximise else "fifo"


def with_rule(instance: Instance, rule: str) -> Instance:
    """The same round under the other preference rule (classes and compatibility do not depend on it)."""
    return dataclasses.replace(instance, policy=dataclasses.replace(instance.policy, preference_rule=rule))


def rule_figures(instance: Instance, graph, assignment: dict) -> dict:
    """What a reader compares between the preference rules and first come first served."""
    households = {h.id: h for h in instance.households}
    first = sum(1 for hid, unit in assignment.items()
                if households[hid].preferences and unit.district == households[hid].preferences[0])
    values = objective(instance, assignment)
    return {"justified_envy": justified_envy(instance, graph, assignment), "preference": values["preference"],
            "first_choice_share": round(first / len(assignment), 6) if assignment else None,
            "housed": values["housed"], "due": values["due"], "fit": values["fit"]}


def compare(instance, progress=None) -> dict:
    """Optimal against first-come-first-served on every tier and metric of the same instance, and the optimum
    under the other preference rule (`preference_rules`: justified envy and more for both rules and FIFO)."""
    instance = _as_instance(instance)
    graph, opt_assign, opt_solver = _run(instance, "optimal", progress)
    _, fifo_assign, fifo_solver = _run(instance, "fifo", progress, graph=graph)
    rule = instance.policy.preference_rule
    other = next(r for r in PREFERENCE_RULES if r != rule)
    other_instance = with_rule(instance, other)
    _, other_assign, _other_solver = _run(other_instance, "optimal", graph=graph)
    optimal = _result(instance, graph, opt_assign, opt_solver, "optimal", progress)
    fifo = _result(instance, graph, fifo_assign, fifo_solver, "fifo", progress)
    rules = {"rule": rule, rule: rule_figures(instance, graph, opt_assign),
             other: rule_figures(other_instance, graph, other_assign),
             "fifo": rule_figures(instance, graph, fifo_assign)}
    tiers = {}
    for tier in instance.policy.tiers:
        a, b = optimal["objective"][tier], fifo["objective"][tier]
        tiers[tier] = {"optimal": a, "fifo": b, "better": _better(tier, a, b)}
    first = compare_seniority(instance, opt_assign, fifo_assign)
    tiers["seniority"]["better"] = {"first": "optimal", "second": "fifo", None: "equal"}[first["housed_by"]]
    tiers["seniority"]["first_difference"] = {"rank": first["rank"], "household": first["household"]}
    decisive = next((t for t in instance.policy.tiers if tiers[t]["better"] != "equal"), None)
    overall = tiers[decisive]["better"] if decisive else "equal"
    metrics = {name: {"optimal": optimal["metrics"][name], "fifo": fifo["metrics"][name]}
               for name in optimal["metrics"]}
    return {"tiers": tiers, "lexicographic": {"better": overall, "decided_by": decisive}, "metrics": metrics,
            "solver": {"optimal": optimal["solver"], "fifo": fifo["solver"]},
            "preference_rules": rules, "optimal": optimal, "fifo": fifo}
