"""Why a household got no unit and why a unit stayed vacant: a stable code plus parameters, never prose.

The texts live in messages.py; here we only find the facts. Both explanations walk the constraints in
compatibility.STAGES order and report the first one that leaves nothing, so the answer names one rule a person
can check against their own file.
"""
from __future__ import annotations

import numpy as np

from .classes import ClassGraph
from .compatibility import COMPATIBLE, STAGES, failing_stage
from .instance import Household, Instance, Unit

VACANT_CODES = {0: "no_demand", 1: "kind", 2: "tenure", 3: "size_band", 4: "district", 5: "accessibility",
                6: "low_floor", 7: "declined"}


def _holders(graph: ClassGraph, assignment: dict[str, Unit], households: dict[str, Household]):
    """Per unit class: (largest rank among non-due holders, number of due holders, units assigned)."""
    class_of_unit = {u.id: uc.index for uc in graph.unit_classes for u in uc.units}
    worst = [None] * len(graph.unit_classes)
    due = [0] * len(graph.unit_classes)
    for hid, unit in assignment.items():
        uci, hh = class_of_unit[unit.id], households[hid]
        if hh.due:
            due[uci] += 1
        elif worst[uci] is None or hh.rank > worst[uci]:
            worst[uci] = hh.rank
    return worst, due


def household_reasons(instance: Instance, graph: ClassGraph, assignment: dict[str, Unit]) -> dict[str, dict]:
    """Reason for every household without a unit (subsidised or waiting)."""
    households = {h.id: h for h in instance.households}
    worst, due = _holders(graph, assignment, households)
    band_labels = [b.label for b in instance.policy.size_bands]
    reasons: dict[str, dict] = {}
    for hc in graph.household_classes:
        left = [h for h in hc.members if h.id not in assignment]
        if not left:
            continue
        if not graph.edges[hc.index]:
            sample = left[0]
            stage = max((failing_stage(sample, uc.units[0], instance.policy) for uc in graph.unit_classes), default=0)
            reason = {"code": "no_compatible_unit",
                      "params": {"constraint": STAGES[stage], "size_band": band_labels[hc.band]}}
            for hh in left:
                reasons[hh.id] = reason
            continue
        by_district: dict[str, dict] = {}
        for uci, rank, _fit in graph.edges[hc.index]:
            district = graph.unit_classes[uci].district
            entry = by_district.setdefault(district, {"district": district, "preference_rank": rank,
                                                      "units": 0, "due_holders": 0, "cutoff_rank": None})
            entry["units"] += len(graph.unit_classes[uci].units)
            entry["due_holders"] += due[uci]
            if worst[uci] is not None and (entry["cutoff_rank"] is None or worst[uci] > entry["cutoff_rank"]):
                entry["cutoff_rank"] = worst[uci]
        listing = sorted(by_district.values(), key=lambda e: (e["preference_rank"], e["district"]))
        first = listing[0]
        reason = {"code": "outranked",
                  "params": {"size_band": band_labels[hc.band], "district": first["district"],
                             "cutoff_rank": first["cutoff_rank"], "due_holders": first["due_holders"],
                             "by_district": listing}}
        for hh in left:
            reasons[hh.id] = reason
    return reasons


def _waiting_arrays(graph: ClassGraph, assignment: dict[str, Unit]):
    waiting = [(hc, sum(1 for h in hc.members if h.id not in assignment)) for hc in graph.household_classes]
    waiting = [(hc, n) for hc, n in waiting if n]
    counts = np.array([n for _hc, n in waiting], dtype=np.int64)
    return waiting, counts


def unit_reasons(instance: Instance, graph: ClassGraph, assignment: dict[str, Unit]) -> dict[str, dict]:
    """Reason for every vacant unit, judged against the households left without a unit."""
    used = {u.id for u in assignment.values()}
    vacant_classes = [uc for uc in graph.unit_classes if any(u.id not in used for u in uc.units)]
    if not vacant_classes:
        return {}
    waiting, counts = _waiting_arrays(graph, assignment)
    reasons: dict[str, dict] = {}
    if waiting:
        program = np.array([hc.program for hc, _ in waiting])
        bands = np.array([hc.bands for hc, _ in waiting], dtype=np.int64).reshape(len(waiting), -1)
        kinds = {k: np.array([k in hc.kinds for hc, _ in waiting]) for k in ("residential", "dormitory")}
        tenures = {t: np.array([t in hc.tenures for hc, _ in waiting])
                   for t in ("rental", "full_property", "shared_ownership")}
        any_district = np.array([hc.accept_any for hc, _ in waiting])
        needs_acc = np.array([hc.needs_accessible for hc, _ in waiting])
        needs_low = np.array([hc.needs_low_floor for hc, _ in waiting])
        district_cache: dict[str, np.ndarray] = {}
    for uc in vacant_classes:
        if not waiting:
            stage, passed = 0, 0
        else:
            if uc.district not in district_cache:
                district_cache[uc.district] = any_district | np.array(
                    [uc.district in hc.preferences for hc, _ in waiting])
            band_fits = np.array([f is not None for f in uc.fits] + [False])  # index -1: no band there
            band_mask = band_fits[bands[:, uc.group]] if uc.group >= 0 else np.zeros(len(waiting), dtype=bool)
            masks = [program == uc.program, kinds[uc.kind], tenures[uc.tenure], band_mask,
                     district_cache[uc.district],
                     ~needs_acc | uc.accessible, ~needs_low | uc.low_floor_ok,
                     np.array([uc.declined_id not in hc.declined for hc, _ in waiting])
                     if uc.declined_id else np.ones(len(waiting), dtype=bool)]
            alive = np.ones(len(waiting), dtype=bool)
            stage, passed = COMPATIBLE, int(counts.sum())
            for index, mask in enumerate(masks):
                narrowed = alive & mask
                if not narrowed.any():
                    stage = index
                    break
                alive, passed = narrowed, int(counts[narrowed].sum())
        if stage == COMPATIBLE:
            reason = {"code": "not_chosen", "params": {"compatible_waiting": passed}}
        else:
            params = {"waiting": int(counts.sum()) if waiting else 0, "passed_previous_checks": passed}
            if stage:
                params["district"] = uc.district
            reason = {"code": VACANT_CODES[stage], "params": params}
        for unit in uc.units:
            if unit.id not in used:
                reasons[unit.id] = reason
    return reasons
