"""Province-scale allocation round: time, peak memory and every tier, optimiser and baseline on one instance.

    .venv/bin/python benchmarks/bench_allocation.py [--households 100000] [--units 30000] [--seed 1]

Peak memory is the process's maximum resident set size (the solver's C++ memory is invisible to tracemalloc).
"""
from __future__ import annotations

import argparse
import platform
import resource
import time

from housing_security.allocation import generate_instance, load_instance
from housing_security.allocation.classes import build_classes
from housing_security.allocation.engine import _result, _run


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def show(label: str, result: dict, seconds: float) -> None:
    o = result["objective"]
    m = result["metrics"]
    print(f"{label:8s} {seconds:7.2f} s  status {result['solver']['status']:9s} tiers {result['solver']['tiers']}")
    print(f"         due {o['due']}  housed {o['housed']}  seniority rank_sum {o['seniority']['rank_sum']} "
          f"first_unhoused {o['seniority']['first_unhoused_rank']}  preference {o['preference']}  fit {o['fit']}")
    print(f"         allocation rate {m['allocation_rate']}  due subsidised {m['due_subsidised']}  "
          f"first choice {m['first_choice_share']}  justified envy {m['justified_envy']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}, "
          f"{__import__('os').cpu_count()} cores")
    started = time.perf_counter()
    data = generate_instance(args.households, args.units, args.seed)
    print(f"generate  {time.perf_counter() - started:6.2f} s  ({args.households} households, {args.units} units)")
    started = time.perf_counter()
    instance = load_instance(data)
    graph = build_classes(instance)
    print(f"load+classes {time.perf_counter() - started:6.2f} s  {len(graph.household_classes)} household classes, "
          f"{len(graph.unit_classes)} unit classes, {graph.num_edges} class edges")
    started = time.perf_counter()
    _, assignment, solver = _run(instance, "optimal", graph=graph)
    optimal = _result(instance, graph, assignment, solver, "optimal")
    total = time.perf_counter() - started
    show("optimal", optimal, total)
    print(f"         (flows {solver['seconds']} s, explanations+metrics {solver['explain_seconds']} s)")
    started = time.perf_counter()
    _, assignment, solver = _run(instance, "fifo", graph=graph)
    fifo = _result(instance, graph, assignment, solver, "fifo")
    show("fifo", fifo, time.perf_counter() - started)
    print(f"peak memory (max RSS) {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
