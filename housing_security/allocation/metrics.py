"""Tier values and the round metrics of the allocation contract, computed from any assignment (optimal or baseline)."""
from __future__ import annotations

import hashlib
from collections import Counter

from .classes import ClassGraph
from .compatibility import pair_fit, preference_rank
from .instance import Household, Instance, Unit


def objective(instance: Instance, assignment: dict[str, Unit]) -> dict:
    households = {h.id: h for h in instance.households}
    housed = [households[hid] for hid in assignment]
    ranks = sorted(h.rank for h in housed)
    unhoused = sorted(h.rank for h in instance.households if h.id not in assignment)
    return {
        "due": sum(1 for h in housed if h.due),
        "housed": len(housed),
        # The tier itself is the set of housed ranks; these fields identify it without listing 30,000 numbers.
        "seniority": {"housed_ranks_sha256": hashlib.sha256(",".join(map(str, ranks)).encode()).hexdigest(),
                      "rank_sum": sum(ranks), "first_unhoused_rank": unhoused[0] if unhoused else None},
        "preference": sum(preference_rank(households[hid], u.district) for hid, u in assignment.items()),
        "fit": sum(pair_fit(households[hid], u, instance.policy) for hid, u in assignment.items()),
    }


def compare_seniority(instance: Instance, a: dict[str, Unit], b: dict[str, Unit]) -> dict:
    """Lexicographic comparison on the seniority tier: the first household in rank order housed by one only."""
    for hh in sorted(instance.households, key=lambda h: h.rank):
        if (hh.id in a) != (hh.id in b):
            return {"rank": hh.rank, "household": hh.id, "housed_by": "first" if hh.id in a else "second"}
    return {"rank": None, "household": None, "housed_by": None}


def _stats(days: list[int]) -> dict:
    return {"mean": round(sum(days) / len(days), 1) if days else None, "max": max(days) if days else None}


def justified_envy(instance: Instance, graph: ClassGraph, assignment: dict[str, Unit]) -> int:
    """Households compatible with a unit held by a less senior, non-due household, while unhoused or housed in a
    district they ranked lower. Exact at class level: units of one class are interchangeable for compatibility."""
    households = {h.id: h for h in instance.households}
    class_of_unit = {u.id: uc.index for uc in graph.unit_classes for u in uc.units}
    worst = [0] * len(graph.unit_classes)
    for hid, unit in assignment.items():
        hh = households[hid]
        if not hh.due:
            uci = class_of_unit[unit.id]
            worst[uci] = max(worst[uci], hh.rank)
    envious = 0
    for hc in graph.household_classes:
        row = graph.edges[hc.index]
        if not row:
            continue
        # per preference rank ℓ of this class: the least senior non-due holder among districts ranked before ℓ
        best_below: dict[int, int] = {}
        by_rank: dict[int, int] = {}
        for uci, rank, _ in row:
            if worst[uci] > by_rank.get(rank, 0):
                by_rank[rank] = worst[uci]
        running = 0
        for rank in sorted(by_rank):
            best_below[rank] = running
            running = max(running, by_rank[rank])
        top = running
        ranks = sorted(by_rank)
        for hh in hc.members:
            own = assignment.get(hh.id)
            if own is None:
                envious += top > hh.rank
                continue
            limit = preference_rank(hh, own.district)
            # districts ranked strictly better than the own one: the largest rank below `limit` and all before it
            below = [r for r in ranks if r < limit]
            if below:
                envious += max(best_below[below[-1]], by_rank[below[-1]]) > hh.rank
    return envious


def round_metrics(instance: Instance, graph: ClassGraph, assignment: dict[str, Unit],
                  subsidies: dict[str, float], vacant: dict[str, dict]) -> dict:
    policy = instance.policy
    housed = [h for h in instance.households if h.id in assignment]
    waiting = [h for h in instance.households if h.id not in assignment]
    due = [h for h in instance.households if h.due]
    due_housed = sum(1 for h in due if h.id in assignment)
    due_subsidised = sum(1 for h in due if h.id in subsidies)
    rate = ((instance.occupied_units + len(assignment)) / instance.total_units) if instance.total_units else None

    def wait(h: Household) -> int:
        return (instance.date - h.approved_on).days

    persons = sum(h.size for h in housed)
    return {
        "units_offered": len(instance.units),
        "units_allocated": len(assignment),
        "allocation_rate": round(rate, 6) if rate is not None else None,
        "allocation_rate_target": policy.allocation_rate_target,
        "allocation_rate_met": rate is not None and rate >= policy.allocation_rate_target,
        "due_households": len(due),
        "due_housed": due_housed,
        "due_subsidised": due_subsidised,
        "commitment_b_coverage": round((due_housed + due_subsidised) / len(due), 6) if due else 1.0,
        "housed_by_priority": dict(sorted(Counter(h.priority for h in housed).items())),
        "wait_days_housed": _stats([wait(h) for h in housed]),
        "wait_days_waiting": _stats([wait(h) for h in waiting]),
        "first_choice_share": round(sum(1 for h in housed if assignment[h.id].district == (h.preferences or
                                    (None,))[0]) / len(housed), 6) if housed else None,
        "mean_area_per_person": round(sum(assignment[h.id].area_m2 for h in housed) / persons, 2) if persons else None,
        "subsidy_month_total": round(sum(subsidies.values()), 2),
        "justified_envy": justified_envy(instance, graph, assignment),
        "vacant_by_reason": dict(sorted(Counter(r["code"] for r in vacant.values()).items())),
    }
