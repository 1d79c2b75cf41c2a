"""Lexicographic min-cost flow: minimise one cost vector after another, each on the optimal face of the last.

The optimal flows of a min-cost flow problem are exactly the feasible flows that satisfy complementary
slackness with one optimal dual: with node potentials π, an arc of positive reduced cost c + π(tail) − π(head)
carries its lower bound, an arc of negative reduced cost its upper bound, and only the arcs of zero reduced cost
stay free. OR-Tools' SimpleMinCostFlow gives the optimal flow but no potentials, so they are recovered as
shortest-path distances in the residual graph (no negative cycle at an optimum; Bellman–Ford, vectorised).
Fixing the bounds that way after each tier leaves a network whose feasible flows are exactly the flows optimal
on every tier so far, and the next tier is solved there. Every tier is therefore exact, in any order.
"""
from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

INT64_SAFE = 2**62


class FlowError(RuntimeError):
    pass


def _potentials(n_nodes: int, tails, heads, costs) -> np.ndarray:
    """Shortest distances from a virtual root joined to every node at cost 0 (Jacobi Bellman–Ford)."""
    dist = np.zeros(n_nodes, dtype=np.int64)
    if len(tails) == 0:
        return dist
    order = np.argsort(heads, kind="stable")
    t, h, c = tails[order], heads[order], costs[order]
    targets, starts = np.unique(h, return_index=True)
    for _ in range(n_nodes + 1):
        best = np.minimum.reduceat(dist[t] + c, starts)
        improve = best < dist[targets]
        if not improve.any():
            return dist
        dist[targets[improve]] = best[improve]
    raise FlowError("negative cycle in the residual graph: the flow was not optimal")


class LexFlow:
    """A network with lower and upper bounds per arc, narrowed tier after tier to the optimal face."""

    def __init__(self, n_nodes: int, tails, heads, caps, supplies):
        self.n_nodes = n_nodes
        self.tails = np.asarray(tails, dtype=np.int64)
        self.heads = np.asarray(heads, dtype=np.int64)
        self.lo = np.zeros(len(self.tails), dtype=np.int64)
        self.hi = np.asarray(caps, dtype=np.int64).copy()
        self.supplies = np.asarray(supplies, dtype=np.int64)
        self.flow = None
        self.solves = 0

    def optimise(self, cost, stage: str = "") -> str:
        """Minimise `cost` (per arc) over the current face, then narrow the face to its optimal flows."""
        cost = np.asarray(cost, dtype=np.int64)
        free = self.hi - self.lo
        active = np.flatnonzero(free > 0)
        supply = self.supplies.copy()
        np.subtract.at(supply, self.tails, self.lo)
        np.add.at(supply, self.heads, self.lo)
        t, h, c, cap = self.tails[active], self.heads[active], cost[active], free[active]
        if len(c) and int(np.abs(c).max()) * (self.n_nodes + 1) >= INT64_SAFE:
            raise FlowError(f"{stage}: costs out of int64 range")
        flow = min_cost_flow.SimpleMinCostFlow()
        if len(active):
            flow.add_arcs_with_capacity_and_unit_cost(t.astype(np.int32), h.astype(np.int32), cap, c)
        nonzero = np.flatnonzero(supply)
        if len(nonzero):
            flow.set_nodes_supplies(nonzero.astype(np.int32), supply[nonzero])
        if len(active) == 0:
            if len(nonzero):
                raise FlowError(f"{stage}: infeasible (no free arc left)")
            g = np.zeros(0, dtype=np.int64)
        else:
            status = flow.solve()
            self.solves += 1
            if status != flow.OPTIMAL:
                raise FlowError(f"{stage}: min-cost flow answered {getattr(status, 'name', status)}")
            g = flow.flows(np.arange(len(active)))
        full = self.lo.copy()
        full[active] += g
        self.flow = full
        if len(active):
            fwd = g < cap
            back = g > 0
            rt = np.concatenate([t[fwd], h[back]])
            rh = np.concatenate([h[fwd], t[back]])
            rc = np.concatenate([c[fwd], -c[back]])
            pi = _potentials(self.n_nodes, rt, rh, rc)
            reduced = c + pi[t] - pi[h]
            pos, neg = active[reduced > 0], active[reduced < 0]
            self.hi[pos] = self.lo[pos]
            self.lo[neg] = self.hi[neg]
        return "OPTIMAL"

    def fix(self, arcs, value) -> None:
        """Pin arcs to one flow value (must be within their bounds and keep the current flow feasible)."""
        self.lo[arcs] = value
        self.hi[arcs] = value
