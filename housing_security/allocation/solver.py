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
    if len(tails):
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
    arr = graph.arrays
    _arcs(flow, h0 + arr["hc"], u0 + arr["uc"], np.minimum(arr["hc_size"][arr["hc"]], arr["uc_size"][arr["uc"]]),
          np.zeros(len(arr["uc"]), dtype=np.int64))
    _arcs(flow, u0 + np.arange(nu), np.full(nu, sink), arr["uc_size"], np.zeros(nu, dtype=np.int64))
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
    supplies = np.array([sum(1 for h in hc.members if h.id in housed) for hc in graph.household_classes],
                        dtype=np.int64)
    total = int(supplies.sum())
    arr = graph.arrays
    keep = np.flatnonzero(supplies[arr["hc"]] > 0)
    hcs, ucs, ranks, fits = arr["hc"][keep], arr["uc"][keep], arr["rank"][keep], arr["fit"][keep]
    primary, secondary = (ranks, fits) if pref_first else (fits, ranks)
    max_secondary = max(1, int(arr["fit" if pref_first else "rank"].max(initial=0)))
    scale = max_secondary * total + 1
    costs = primary * scale + secondary
    if len(costs) and int(costs.max()) * (2 + nh + nu) >= INT64_SAFE:
        raise SolveError("phase 2 costs out of int64 range")
    flow = min_cost_flow.SimpleMinCostFlow()
    pair_arcs = _arcs(flow, h0 + hcs, u0 + ucs, np.minimum(supplies[hcs], arr["uc_size"][ucs]), costs)
    _arcs(flow, u0 + np.arange(nu), np.full(nu, sink), arr["uc_size"], np.zeros(nu, dtype=np.int64))
    nonzero = np.flatnonzero(supplies)
    if len(nonzero):
        flow.set_nodes_supplies((h0 + nonzero).astype(np.int32), supplies[nonzero])
    flow.set_node_supply(sink, -total)
    status = _solve(flow, "preference/fit")
    if not total:
        return {}, status
    flows = flow.flows(pair_arcs)
    used = np.flatnonzero(flows > 0)
    # Inside a household class members are interchangeable, so hand the cheapest arcs to the most senior;
    # inside a unit class the most senior gets the lowest floor, then the lowest id: deterministic and explainable.
    per_class: dict[int, list[tuple[int, int, int]]] = {}
    for hci, uci, cost, f in zip(hcs[used].tolist(), ucs[used].tolist(), costs[used].tolist(), flows[used].tolist()):
        per_class.setdefault(hci, []).append((cost, uci, f))
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
    queue = _queue_fast_path(instance.policy)
    if not (queue or _fast_path(instance.policy)):
        return solve_general(instance, graph, progress)
    started = time.perf_counter()
    if progress:
        progress("due/housed/seniority", 0, 2)
    housed, status1 = housed_set(instance, graph)
    if progress:
        progress("preference/fit", 1, 2)
    assignment, status2 = (assign_in_queue_order if queue else assign_units)(instance, graph, housed)
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


# ---------------------------------------------------------------------------------------------------------------
# Preference by seniority on a fixed housed set (default order): serial dictatorship over unit classes.

def _queue_fast_path(policy) -> bool:
    return (set(policy.tiers[:3]) == set(MATROID_ORDER) and policy.preference_rule == "seniority"
            and policy.tiers.index("preference") < policy.tiers.index("fit"))


def choose_in_queue_order(instance: Instance, graph: ClassGraph, start: dict[str, Unit]) -> dict[str, int]:
    """Housed households, most senior first, each take the best-ranked district still reachable.

    `start` is any assignment of the (already optimal) housed set. For household h at unit class u with rank r,
    a better rank r' is reachable iff some unit class v of rank r' for h's class has a chain of moves ending
    in u (freed by h) or in a class with a free unit, where each move takes one household out of a class into
    another it is compatible with — a household not yet served anywhere, a served one only within its own rank.
    The moves graph lives on unit classes (counts of enabling groups), so each search is a BFS on ~10^3 nodes.
    Returns household id → unit class index; within household classes the senior members hold the better ranks.
    """
    nu = len(graph.unit_classes)
    class_of_unit = {}
    for uc in graph.unit_classes:
        for unit in uc.units:
            class_of_unit[unit.id] = uc.index
    class_of = {}
    for hc in graph.household_classes:
        for hh in hc.members:
            class_of[hh.id] = hc.index
    arr = graph.arrays
    arcs = [arr["uc"][arr["start"][c]:arr["start"][c + 1]] for c in range(len(graph.edges))]
    arc_ranks = [arr["rank"][arr["start"][c]:arr["start"][c + 1]] for c in range(len(graph.edges))]
    rank_of = [dict(zip(a.tolist(), r.tolist())) for a, r in zip(arcs, arc_ranks)]
    by_level: list[dict[int, np.ndarray]] = []
    for row in graph.edges:
        levels: dict[int, list[int]] = {}
        for uci, rank, _fit in row:
            levels.setdefault(rank, []).append(uci)
        by_level.append({k: np.array(v, dtype=np.int64) for k, v in levels.items()})
    best_rank = [min(r.values()) if r else 0 for r in rank_of]
    spare = np.array([len(uc.units) for uc in graph.unit_classes], dtype=np.int64)
    moves = np.zeros((nu, nu), dtype=np.int32)
    enabled = np.zeros((nu, nu), dtype=bool)  # moves > 0, kept in step
    enabled_back = np.zeros((nu, nu), dtype=bool)  # its transpose: row gathers for the backward search
    stamp = [0]  # bumped whenever the moves graph changes
    groups: dict[tuple, list[str]] = {}
    present: list[dict[tuple, None]] = [dict() for _ in range(nu)]
    where: dict[str, int] = {}
    state: dict[str, int] = {}  # 0 = not yet served, else the rank it holds

    def targets(c, s):
        return arcs[c] if s == 0 else by_level[c][s]

    def join(hid, uci, s):
        c = class_of[hid]
        key = (uci, c, s)
        members = groups.get(key)
        if not members:
            groups[key] = members = []
            present[uci][(c, s)] = None
            t = targets(c, s)
            moves[uci, t] += 1
            enabled[uci, t] = True
            enabled_back[t, uci] = True
            stamp[0] += 1
        members.append(hid)
        where[hid], state[hid] = uci, s

    def leave(hid):
        uci, s, c = where[hid], state[hid], class_of[hid]
        key = (uci, c, s)
        members = groups[key]
        members.remove(hid)
        if not members:
            del groups[key]
            del present[uci][(c, s)]
            t = targets(c, s)
            moves[uci, t] -= 1
            off = t[moves[uci, t] == 0]
            enabled[uci, off] = False
            enabled_back[off, uci] = False
            stamp[0] += 1

    for hid, unit in start.items():
        uci = class_of_unit[unit.id]
        spare[uci] -= 1
        join(hid, uci, 0)

    def reach_back(goal: np.ndarray) -> np.ndarray:
        seen = goal.copy()
        frontier = np.flatnonzero(goal)
        while len(frontier):
            found = enabled_back[frontier].any(axis=0) & ~seen
            seen |= found
            frontier = np.flatnonzero(found)
        return seen

    def path_from(source: int, goal: np.ndarray, allowed: np.ndarray):
        """Shortest chain of unit classes source → … → a goal, by level-synchronous BFS on the moves graph."""
        parent = np.full(nu, -1, dtype=np.int64)
        seen = np.zeros(nu, dtype=bool)
        seen[source] = True
        frontier = np.array([source], dtype=np.int64)
        while len(frontier):
            step = enabled[frontier] & (allowed & ~seen)
            reached = np.flatnonzero(step.any(axis=0))
            if not len(reached):
                return None
            parent[reached] = frontier[step[:, reached].argmax(axis=0)]
            seen[reached] = True
            done = reached[goal[reached]]
            if len(done):
                chain = [int(done[0])]
                while chain[-1] != source:
                    chain.append(int(parent[chain[-1]]))
                return chain[::-1]
            frontier = reached
        return None

    def mover(a: int, b: int) -> str:
        for (c, s) in present[a]:
            if (s == 0 and b in rank_of[c]) or (s and rank_of[c].get(b) == s):
                return groups[(a, c, s)][0]
        raise SolveError("no household can make a move the moves graph promised")

    failed: set[tuple] = set()
    epoch = 0
    cache: dict[int, tuple] = {}  # u → (epoch, stamp, reach): fixes only remove moves, so an older reach of the
    # same epoch is a superset — good for candidates, each then checked by an actual path
    for hh in sorted((h for h in instance.households if h.id in start), key=lambda h: h.rank):
        hid, c = hh.id, class_of[hh.id]
        u = where[hid]
        current = rank_of[c][u]
        if current > best_rank[c] and (c, u, current, epoch) not in failed:
            goal = spare > 0
            goal[u] = True
            chain = None
            for _attempt in range(2):
                cached = cache.get(u)
                if cached is None or cached[0] != epoch or (_attempt and cached[1] != stamp[0]):
                    cached = cache[u] = (epoch, stamp[0], reach_back(goal))
                reach = cached[2]
                mask = reach[arcs[c]] & (arc_ranks[c] < current)
                candidates = arcs[c][mask][np.argsort(arc_ranks[c][mask], kind="stable")]
                for v in candidates.tolist():
                    chain = [v] if goal[v] else path_from(v, goal, reach)
                    if chain:
                        break
                if chain or cached[1] == stamp[0]:
                    break
            if chain:
                # h takes a unit in chain[0]; each next household steps along; the last lands in a free unit
                plan = [(mover(a, b), b) for a, b in zip(chain, chain[1:])]
                leave(hid)
                spare[u] += 1
                join(hid, chain[0], 0)
                spare[chain[0]] -= 1
                for g, b in plan:
                    a = where[g]
                    s = state[g]
                    leave(g)
                    spare[a] += 1
                    join(g, b, s)
                    spare[b] -= 1
                if (spare < 0).any():
                    raise SolveError("a chain of moves overfilled a unit class")
                epoch += 1
                u = where[hid]
            else:
                failed.add((c, u, current, epoch))
        leave(hid)
        join(hid, u, rank_of[c][u])
    return where


def assign_in_queue_order(instance: Instance, graph: ClassGraph, housed: set[str]) -> tuple[dict[str, Unit], str]:
    """Preference by seniority, then fit: dictatorship fixes each household's rank, one flow minimises fit."""
    start, _status = assign_units(instance, graph, housed)
    where = choose_in_queue_order(instance, graph, start)
    class_of = {h.id: hc.index for hc in graph.household_classes for h in hc.members}
    rank_of = [{e[0]: e[1] for e in row} for row in graph.edges]
    quota: dict[tuple[int, int], list[Household]] = {}
    households = {h.id: h for h in instance.households}
    for hid, uci in where.items():
        c = class_of[hid]
        quota.setdefault((c, rank_of[c][uci]), []).append(households[hid])
    keys = sorted(quota)
    nu = len(graph.unit_classes)
    sink, u0 = 0, 1 + len(keys)
    tails, heads, caps, costs, meta = [], [], [], [], []
    for k, (c, level) in enumerate(keys):
        for uci, rank, fit in graph.edges[c]:
            if rank == level:
                tails.append(1 + k)
                heads.append(u0 + uci)
                caps.append(min(len(quota[(c, level)]), len(graph.unit_classes[uci].units)))
                costs.append(fit)
                meta.append((k, uci, fit))
    flow = min_cost_flow.SimpleMinCostFlow()
    pair_arcs = _arcs(flow, tails, heads, caps, costs)
    _arcs(flow, [u0 + i for i in range(nu)], [sink] * nu, [len(uc.units) for uc in graph.unit_classes], [0] * nu)
    for k, key in enumerate(keys):
        flow.set_node_supply(1 + k, len(quota[key]))
    flow.set_node_supply(sink, -len(where))
    status = _solve(flow, "fit")
    per_key: dict[int, list[tuple[int, int, int]]] = {}
    if meta:
        for (k, uci, fit), f in zip(meta, flow.flows(pair_arcs)):
            if f > 0:
                per_key.setdefault(k, []).append((fit, uci, int(f)))
    takers: dict[int, list[Household]] = {}
    for k, key in enumerate(keys):
        members = sorted(quota[key], key=lambda h: h.rank)
        cursor = 0
        for _fit, uci, f in sorted(per_key.get(k, [])):
            takers.setdefault(uci, []).extend(members[cursor:cursor + f])
            cursor += f
        if cursor != len(members):
            raise SolveError("fit flow left households of a rank without a unit")
    result = {}
    for uci, group in takers.items():
        for hh, unit in zip(sorted(group, key=lambda h: h.rank), graph.unit_classes[uci].units):
            result[hh.id] = unit
    return result, status
