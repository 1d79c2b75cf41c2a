"""First come, first served: the rule most bureaus apply by hand, kept as the baseline the optimiser must beat.

Households are walked in rank order; each takes the compatible vacant unit with its best preference rank, then
best fit, then lowest unit id. Due status plays no part, which is exactly why it loses due households.
"""
from __future__ import annotations

from .classes import ClassGraph
from .instance import Instance, Unit, natural_key


def solve_fifo(instance: Instance, graph: ClassGraph, progress=None) -> dict[str, Unit]:
    by_id = [sorted(uc.units, key=lambda u: natural_key(u.id)) for uc in graph.unit_classes]
    heads = [natural_key(units[0].id) if units else None for units in by_id]
    taken = [0] * len(by_id)
    rows = [sorted(row, key=lambda e: (e[1], e[2])) for row in graph.edges]
    starts = [0] * len(rows)
    class_of = {h.id: hc.index for hc in graph.household_classes for h in hc.members}
    result: dict[str, Unit] = {}
    walk = sorted(instance.households, key=lambda h: h.rank)
    step = max(1, len(walk) // 20)
    for n, hh in enumerate(walk):
        if progress and n % step == 0:
            progress("fifo", n, len(walk))
        hci = class_of[hh.id]
        row, i = rows[hci], starts[hci]
        while i < len(row) and taken[row[i][0]] == len(by_id[row[i][0]]):
            i += 1
        starts[hci] = i
        best, best_cost = None, None
        for uci, rank, fit in row[i:]:
            if best_cost is not None and (rank, fit) != best_cost:
                break
            if taken[uci] < len(by_id[uci]) and (best is None or heads[uci] < heads[best]):
                best, best_cost = uci, (rank, fit)
        if best is None:
            continue
        result[hh.id] = by_id[best][taken[best]]
        taken[best] += 1
        if taken[best] < len(by_id[best]):
            heads[best] = natural_key(by_id[best][taken[best]].id)
    if progress:
        progress("fifo", len(walk), len(walk))
    return result
