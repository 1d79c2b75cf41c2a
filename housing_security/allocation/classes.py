"""Aggregation: interchangeable units and households become classes, so the flow graph stays small.

Two units are interchangeable when they agree on everything compatibility and cost look at (program, district,
accessibility, low-floor suitability, which size bands their area fits and the rounded fit to each band's target).
A unit that some household declined is kept as a class of its own, so `declined_units` stays exact.
Two households are interchangeable when they agree on program, size band, ordered preferences, any-district,
needs and declined units; they differ only in rank and due status, which the solver handles per household.
"""
from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .compatibility import area_fit, in_band, preference_rank
from .instance import Household, Instance, Unit, natural_key


@dataclass
class UnitClass:
    index: int
    program: str
    district: str
    accessible: bool
    low_floor_ok: bool
    fits: tuple  # per size band: rounded fit to its target, or None when the area is outside the band
    declined_id: str | None
    kind: str = "residential"
    tenure: str = "rental"
    group: int = 0
    units: list[Unit] = field(default_factory=list)


@dataclass
class HouseholdClass:
    index: int
    program: str
    band: int
    preferences: tuple
    accept_any: bool
    needs_accessible: bool
    needs_low_floor: bool
    declined: frozenset
    kinds: tuple = ("residential",)
    tenures: tuple = ("rental",)
    bands: tuple = (0,)
    members: list[Household] = field(default_factory=list)


@dataclass
class ClassGraph:
    unit_classes: list[UnitClass]
    household_classes: list[HouseholdClass]
    # edges[h] = [(unit class index, preference rank, fit), ...] for every compatible pair of classes
    edges: list[list[tuple[int, int, int]]]

    @property
    def num_edges(self) -> int:
        return sum(len(e) for e in self.edges)

    @cached_property
    def arrays(self) -> dict[str, np.ndarray]:
        """The edges as flat arrays (household class, unit class, rank, fit; rows in class order) and sizes."""
        counts = np.fromiter((len(row) for row in self.edges), dtype=np.int64, count=len(self.edges))
        flat = np.fromiter(itertools.chain.from_iterable(itertools.chain.from_iterable(self.edges)),
                           dtype=np.int64, count=3 * int(counts.sum())).reshape(-1, 3)
        return {"hc": np.repeat(np.arange(len(self.edges), dtype=np.int64), counts), "uc": flat[:, 0],
                "rank": flat[:, 1], "fit": flat[:, 2], "start": np.concatenate([[0], np.cumsum(counts)]),
                "hc_size": np.array([len(hc.members) for hc in self.household_classes], dtype=np.int64),
                "uc_size": np.array([len(uc.units) for uc in self.unit_classes], dtype=np.int64)}


def unit_sort_key(unit: Unit):
    """Within a class, units are handed out lowest floor first, then by id."""
    return (unit.floor, natural_key(unit.id))


def build_classes(instance: Instance) -> ClassGraph:
    bands = instance.policy.size_bands
    declined_somewhere = set()
    for hh in instance.households:
        declined_somewhere |= hh.declined_units
    by_key: dict[tuple, UnitClass] = {}
    for unit in instance.units:
        group = instance.policy.groups[unit.group] if unit.group >= 0 else None
        fits = tuple(area_fit(unit.area_m2, b.target_area) if b.group == group and in_band(unit, b) else None
                     for b in bands)
        declined_id = unit.id if unit.id in declined_somewhere else None
        key = (unit.program, unit.district, unit.accessible, unit.low_floor_ok, fits, declined_id, unit.kind,
               unit.tenure, unit.group)
        uc = by_key.get(key)
        if uc is None:
            uc = by_key[key] = UnitClass(0, *key)
        uc.units.append(unit)
    unit_classes = sorted(by_key.values(), key=lambda c: min(natural_key(u.id) for u in c.units))
    for i, uc in enumerate(unit_classes):
        uc.index = i
        uc.units.sort(key=unit_sort_key)

    index: dict[tuple, list[UnitClass]] = defaultdict(list)
    districts_of_program: dict[str, set] = defaultdict(set)
    for uc in unit_classes:
        districts_of_program[uc.program].add(uc.district)
        for b, fit in enumerate(uc.fits):
            if fit is not None:
                index[(uc.program, b, uc.district)].append(uc)

    hh_by_key: dict[tuple, HouseholdClass] = {}
    unit_ids = {u.id for u in instance.units}
    for hh in instance.households:
        key = (hh.program, hh.band, hh.preferences, hh.accept_any_district, hh.needs_accessible,
               hh.needs_low_floor, hh.declined_units & unit_ids if hh.declined_units else frozenset(), hh.kinds,
               hh.tenures, hh.bands)
        hc = hh_by_key.get(key)
        if hc is None:
            hc = hh_by_key[key] = HouseholdClass(0, *key)
        hc.members.append(hh)
    household_classes = sorted(hh_by_key.values(), key=lambda c: min(h.rank for h in c.members))
    edges = []
    for i, hc in enumerate(household_classes):
        hc.index = i
        hc.members.sort(key=lambda h: h.rank)
        sample = hc.members[0]
        districts = list(hc.preferences)
        if hc.accept_any:
            districts += sorted(districts_of_program[hc.program] - set(hc.preferences))
        row = []
        for district in districts:
            rank = preference_rank(sample, district)
            ucs = [uc for b in dict.fromkeys(hc.bands) if b >= 0 for uc in index.get((hc.program, b, district), ())]
            for uc in sorted(ucs, key=lambda c: c.index) if len(hc.bands) > 1 else ucs:
                b = hc.bands[uc.group]
                if uc.kind not in hc.kinds or uc.tenure not in hc.tenures:
                    continue
                if hc.needs_accessible and not uc.accessible:
                    continue
                if hc.needs_low_floor and not uc.low_floor_ok:
                    continue
                if uc.declined_id is not None and uc.declined_id in hc.declined:
                    continue
                row.append((uc.index, rank, uc.fits[b]))
        edges.append(row)
    return ClassGraph(unit_classes, household_classes, edges)
