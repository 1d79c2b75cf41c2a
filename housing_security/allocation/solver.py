"""The optimiser: two min-cost flows over the class graph, each provably optimal, together lexicographic.

Phase 1 (due, housed, seniority). The sets of households that can all be housed at once are the independent
sets of a transversal matroid. Order households by priority (due ones first when `due` precedes `seniority` in
the policy, then by rank). The greedy basis in that order is simultaneously: a maximum set of due households
(greedy on due first), of maximum size (every greedy result is a basis), and lexicographically most senior among
those (greedy on the direct sum of the due-restriction and the due-contraction). For a matroid the greedy basis
is the unique maximum-weight basis for *any* strictly decreasing weights, so linear weights (position in the
order) reproduce the lexicographic optimum exactly — no 2^rank weights, no int64 overflow. One source arc per
household carries its weight; a bypass arc prices leaving it out.

Phase 2 (preference, fit) keeps that housed set exactly (class supplies are its counts) and minimises the two
sums in policy order with one combined cost primary·M + secondary, M larger than any secondary total.
"""
from __future__ import annotations

import time

import numpy as np
from ortools.graph.python import min_cost_flow

from .classes import ClassGraph
from .instance import Household, Instance, Unit

INT64_SAFE = 2**62


class SolveError(RuntimeError):
    pass


def priority_order(instance: Instance) -> list[Household]:
    tiers = instance.policy.tiers
    if tiers.index("due") < tiers.index("seniority"):
        return sorted(instance.households, key=lambda h: (not h.due, h.rank))
    return sorted(instance.households, key=lambda h: h.rank)


def _status_name(solver, status) -> str:
    return getattr(status, "name", str(status))


def _solve(flow: min_cost_flow.SimpleMinCostFlow, stage: str) -> str:
    if flow.num_arcs() == 0:
        return "OPTIMAL"
    status = flow.solve()
    name = _status_name(flow, status)
    if status != flow.OPTIMAL:
        raise SolveError(f"{stage}: min-cost flow answered {name}")
    return name


def _arcs(flow, tails, heads, caps, costs):
    if tails:
        return flow.add_arcs_with_capacity_and_unit_cost(
            np.asarray(tails, dtype=np.int32), np.asarray(heads, dtype=np.int32),
            np.asarray(caps, dtype=np.int64), np.asarray(costs, dtype=np.int64))
    return np.zeros(0, dtype=np.int64)


def housed_set(instance: Instance, graph: ClassGraph) -> tuple[set[str], str]:
    """Phase 1: the lexicographically best housed set on the matroid tiers."""
    class_of = {}
    for hc in graph.household_classes:
        for hh in hc.members:
            class_of[hh.id] = hc.index
    order = [h for h in priority_order(instance) if graph.edges[class_of[h.id]]]
    nh, nu = len(graph.household_classes), len(graph.unit_classes)
    source, sink, h0, u0 = 0, 1, 2, 2 + nh
    flow = min_cost_flow.SimpleMinCostFlow()
    bypass_cost = len(order) + 1
    hh_arcs = _arcs(flow, [source] * len(order), [h0 + class_of[h.id] for h in order],
                    [1] * len(order), list(range(len(order))))
    tails, heads, caps = [], [], []
    for hc in graph.household_classes:
        for uc_index, _rank, _fit in graph.edges[hc.index]:
            tails.append(h0 + hc.index)
            heads.append(u0 + uc_index)
            caps.append(min(len(hc.members), len(graph.unit_classes[uc_index].units)))
    _arcs(flow, tails, heads, caps, [0] * len(tails))
    _arcs(flow, [u0 + i for i in range(nu)], [sink] * nu, [len(uc.units) for uc in graph.unit_classes], [0] * nu)
    _arcs(flow, [source], [sink], [len(order)], [bypass_cost])
    if bypass_cost * (2 + nh + nu + 1) >= INT64_SAFE:
        raise SolveError("phase 1 weights out of int64 range")
    flow.set_node_supply(source, len(order))
    flow.set_node_supply(sink, -len(order))
    status = _solve(flow, "due/housed/seniority")
    if len(order) == 0:
        return set(), status
    flows = flow.flows(hh_arcs)
    return {h.id for h, f in zip(order, flows) if f > 0}, status


def assign_units(instance: Instance, graph: ClassGraph, housed: set[str]) -> tuple[dict[str, Unit], str]:
    """Phase 2: cheapest (preference, fit) assignment of exactly the housed set, returned household id → unit."""
    tiers = instance.policy.tiers
    pref_first = tiers.index("preference") < tiers.index("fit")
    nh, nu = len(graph.household_classes), len(graph.unit_classes)
    sink, h0, u0 = 0, 1, 1 + nh
    supplies = [sum(1 for h in hc.members if h.id in housed) for hc in graph.household_classes]
    total = sum(supplies)
    max_secondary = 1
    for row in graph.edges:
        for _uc, rank, fit in row:
            max_secondary = max(max_secondary, fit if pref_first else rank)
    scale = max_secondary * total + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    tails, heads, caps, costs, meta = [], [], [], [], []
    for hc in graph.household_classes:
        if not supplies[hc.index]:
            continue
        for uc_index, rank, fit in graph.edges[hc.index]:
            primary, secondary = (rank, fit) if pref_first else (fit, rank)
            tails.append(h0 + hc.index)
            heads.append(u0 + uc_index)
            caps.append(min(supplies[hc.index], len(graph.unit_classes[uc_index].units)))
            costs.append(primary * scale + secondary)
            meta.append((hc.index, uc_index, primary * scale + secondary))
    if costs and max(costs) * (2 + nh + nu) >= INT64_SAFE:
        raise SolveError("phase 2 costs out of int64 range")
    pair_arcs = _arcs(flow, tails, heads, caps, costs)
    _arcs(flow, [u0 + i for i in range(nu)], [sink] * nu, [len(uc.units) for uc in graph.unit_classes], [0] * nu)
    for hc in graph.household_classes:
        if supplies[hc.index]:
            flow.set_node_supply(h0 + hc.index, supplies[hc.index])
    flow.set_node_supply(sink, -total)
    status = _solve(flow, "preference/fit")
    if not total:
        return {}, status
    flows = flow.flows(pair_arcs)
    # Inside a household class members are interchangeable, so hand the cheapest arcs to the most senior;
    # inside a unit class the most senior gets the lowest floor, then the lowest id: deterministic and explainable.
    per_class: dict[int, list[tuple[int, int, int]]] = {}
    for (hci, uci, cost), f in zip(meta, flows):
        if f > 0:
            per_class.setdefault(hci, []).append((cost, uci, int(f)))
    takers: dict[int, list[Household]] = {}
    for hc in graph.household_classes:
        members = [h for h in hc.members if h.id in housed]
        cursor = 0
        for _cost, uci, f in sorted(per_class.get(hc.index, [])):
            takers.setdefault(uci, []).extend(members[cursor:cursor + f])
            cursor += f
        if cursor != len(members):
            raise SolveError(f"phase 2 left {len(members) - cursor} housed households of a class without a unit")
    result = {}
    for uci, households in takers.items():
        units = graph.unit_classes[uci].units
        for hh, unit in zip(sorted(households, key=lambda h: h.rank), units):
            result[hh.id] = unit
    return result, status


def solve_optimal(instance: Instance, graph: ClassGraph, progress=None) -> tuple[dict[str, Unit], dict]:
    if not _fast_path(instance.policy):
        return solve_general(instance, graph, progress)
    started = time.perf_counter()
    if progress:
        progress("due/housed/seniority", 0, 2)
    housed, status1 = housed_set(instance, graph)
    if progress:
        progress("preference/fit", 1, 2)
    assignment, status2 = assign_units(instance, graph, housed)
    if progress:
        progress("preference/fit", 2, 2)
    tiers = {t: (status1 if t in ("due", "housed", "seniority") else status2) for t in instance.policy.tiers}
    return assignment, {"tiers": tiers, "flow_seconds": time.perf_counter() - started}


# ---------------------------------------------------------------------------------------------------------------
# Any tier order, either preference rule: one lexicographic flow, narrowed to the optimal face tier after tier.

def _fast_path(policy) -> bool:
    """The two-phase solve above is exact when due, housed and seniority come first and preference is a sum."""
    return set(policy.tiers[:3]) == set(MATROID_ORDER) and policy.preference_rule == "sum"


MATROID_ORDER = ("due", "housed", "seniority")


def solve_general(instance: Instance, graph: ClassGraph, progress=None) -> tuple[dict[str, Unit], dict]:
    """Every tier in `policy.tiers` order, each exact on the optimal face of the ones before (lexflow.py).

    Households enter by one source arc each, ordered by rank, so `due`, `housed` and `seniority` are costs on
    those arcs (seniority: weight by queue position — on every optimal face the housed sets are the bases of a
    matroid, so any strictly decreasing weights give the lexicographically most senior set). `preference`
    ("sum") and `fit` are costs on the household→unit-class arcs. `preference` ("seniority") is lexicographic
    in queue order: households are taken one by one, most senior first, each given the best value the face
    still allows (one flow per household whose value is not already forced), which needs a node per household.
    """
    from .lexflow import LexFlow

    started = time.perf_counter()
    policy = instance.policy
    per_household = policy.preference_rule == "seniority"
    class_of = {}
    for hc in graph.household_classes:
        for hh in hc.members:
            class_of[hh.id] = hc.index
    order = [h for h in sorted(instance.households, key=lambda h: h.rank) if graph.edges[class_of[h.id]]]
    n = len(order)
    nh, nu = len(graph.household_classes), len(graph.unit_classes)
    source, sink = 0, 1
    u0 = 2 + (n if per_household else nh)
    cls = np.array([class_of[h.id] for h in order], dtype=np.int64)
    edge_uc = [np.array([e[0] for e in row], dtype=np.int64) for row in graph.edges]
    edge_rank = [np.array([e[1] for e in row], dtype=np.int64) for row in graph.edges]
    edge_fit = [np.array([e[2] for e in row], dtype=np.int64) for row in graph.edges]
    uc_size = np.array([len(uc.units) for uc in graph.unit_classes], dtype=np.int64)
    if per_household:
        owners = list(range(n))
        rows = [cls[i] for i in owners]
        pair_tail = np.concatenate([np.full(len(edge_uc[c]), 2 + i) for i, c in enumerate(rows)] or [np.zeros(0)])
        pair_cap = np.concatenate([np.ones(len(edge_uc[c])) for c in rows] or [np.zeros(0)])
    else:
        rows = list(range(nh))
        pair_tail = np.concatenate([np.full(len(edge_uc[c]), 2 + c) for c in rows] or [np.zeros(0)])
        pair_cap = np.concatenate([np.minimum(len(graph.household_classes[c].members), uc_size[edge_uc[c]])
                                   for c in rows] or [np.zeros(0)])
    pair_uc = np.concatenate([edge_uc[c] for c in rows] or [np.zeros(0)]).astype(np.int64)
    pair_rank = np.concatenate([edge_rank[c] for c in rows] or [np.zeros(0)]).astype(np.int64)
    pair_fit = np.concatenate([edge_fit[c] for c in rows] or [np.zeros(0)]).astype(np.int64)
    pair_count = np.array([len(edge_uc[c]) for c in rows], dtype=np.int64)
    pair_start = np.concatenate([[0], np.cumsum(pair_count)]).astype(np.int64)
    n_pair = len(pair_uc)
    src_head = 2 + (np.arange(n) if per_household else cls)
    tails = np.concatenate([np.full(n, source), pair_tail.astype(np.int64), u0 + np.arange(nu), [source]])
    heads = np.concatenate([src_head, u0 + pair_uc, np.full(nu, sink), [sink]])
    caps = np.concatenate([np.ones(n), pair_cap, uc_size, [n]]).astype(np.int64)
    supplies = np.zeros(u0 + nu, dtype=np.int64)
    supplies[source], supplies[sink] = n, -n
    net = LexFlow(u0 + nu, tails, heads, caps, supplies)
    m = len(tails)
    src = slice(0, n)
    pairs = slice(n, n + n_pair)
    due = np.array([h.due for h in order], dtype=np.int64)
    statuses = {}
    if progress:  # the same two stages as the two-phase solve, for the progress bar
        progress("due/housed/seniority", 0, 2)
    for tier in policy.tiers:
        if progress and tier in ("preference", "fit") and tier == [t for t in policy.tiers if t in ("preference", "fit")][0]:
            progress("preference/fit", 1, 2)
        cost = np.zeros(m, dtype=np.int64)
        if tier == "due":
            cost[src] = -due
        elif tier == "housed":
            cost[src] = -1
        elif tier == "seniority":
            cost[src] = -(n - np.arange(n))
        elif tier == "fit":
            cost[pairs] = pair_fit
        elif not per_household:
            cost[pairs] = pair_rank
        else:
            _choose_in_queue_order(net, order, n, pair_start, pair_rank, tier)
            statuses[tier] = "OPTIMAL"
            continue
        statuses[tier] = net.optimise(cost, tier)
    if progress:
        progress("preference/fit", 2, 2)
    if net.flow is None:
        net.optimise(np.zeros(m, dtype=np.int64), "feasible")
    flow = net.flow
    housed = [h for i, h in enumerate(order) if flow[i] > 0]
    pair_flow = flow[pairs]
    takers: dict[int, list[Household]] = {}
    pref_first = policy.tiers.index("preference") < policy.tiers.index("fit")
    if per_household:
        for i, hh in enumerate(order):
            used = np.flatnonzero(pair_flow[pair_start[i]:pair_start[i + 1]] > 0)
            if flow[i] > 0:
                takers.setdefault(int(pair_uc[pair_start[i] + used[0]]), []).append(hh)
    else:
        by_class: dict[int, list[Household]] = {}
        for hh in housed:
            by_class.setdefault(class_of[hh.id], []).append(hh)
        for c, members in by_class.items():
            lo, hi = pair_start[c], pair_start[c + 1]
            arcs = [(int(pair_rank[k]), int(pair_fit[k]), int(pair_uc[k]), int(pair_flow[k]))
                    for k in range(lo, hi) if pair_flow[k] > 0]
            arcs.sort(key=lambda a: (a[0], a[1]) if pref_first else (a[1], a[0]))
            cursor = 0
            for _r, _f, uci, f in arcs:
                takers.setdefault(uci, []).extend(members[cursor:cursor + f])
                cursor += f
            if cursor != len(members):
                raise SolveError("lexicographic flow left housed households of a class without a unit")
    result = {}
    for uci, households in takers.items():
        for hh, unit in zip(sorted(households, key=lambda h: h.rank), graph.unit_classes[uci].units):
            result[hh.id] = unit
    return result, {"tiers": statuses, "flow_seconds": time.perf_counter() - started, "solves": net.solves}


def _choose_in_queue_order(net, order, n, pair_start, pair_rank, tier) -> None:
    """Preference by seniority: most senior first, each household gets the best value the face allows.

    Value = preference rank if housed, len(preferences) + 2 if not. A household whose current value already is
    the best its remaining arcs allow is pinned without a solve; otherwise one flow minimises its value alone.
    """
    if net.flow is None:
        net.optimise(np.zeros(len(net.tails), dtype=np.int64), "feasible")
    lo, hi = net.lo, net.hi
    for i, hh in enumerate(order):
        if hi[i] == 0:
            continue  # cannot be housed on this face: its value is fixed
        a, b = n + pair_start[i], n + pair_start[i + 1]
        alive = np.flatnonzero(hi[a:b] > 0)
        if len(alive) == 0:
            continue
        ranks = pair_rank[pair_start[i] + alive]
        best = int(ranks.min())
        flow = net.flow
        used = np.flatnonzero(flow[a:b] > 0)
        current = int(pair_rank[pair_start[i] + used[0]]) if flow[i] > 0 and len(used) else None
        if current != best:
            cost = np.zeros(len(net.tails), dtype=np.int64)
            cost[i] = -(len(hh.preferences) + 2)
            cost[a:b] = pair_rank[pair_start[i]:pair_start[i + 1]]
            net.optimise(cost, f"{tier} (rank {hh.rank})")
            continue
        worse = a + alive[ranks > best]
        if (lo[worse] > 0).any():
            raise SolveError("a pinned arc contradicts the household's best value")
        hi[worse] = 0
        lo[i] = 1
