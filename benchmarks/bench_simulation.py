"""Two years of monthly rounds, optimiser against first-come-first-served, with timing.

    .venv/bin/python benchmarks/bench_simulation.py [--months 24] [--households 3000] [--units 5000] [--seed 1]
"""
from __future__ import annotations

import argparse
import resource
import time

from housing_security.allocation import simulate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--households", type=int, default=3000)
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    rows = simulate(args.months, args.seed, households=args.households, portfolio_units=args.units)
    seconds = time.perf_counter() - started
    print("month    rate opt/fifo (target)   covered≤6m opt/fifo   housed≤6m opt/fifo   waiting opt/fifo")

    def share(v):
        return "  —  " if v is None else f"{v:.3f}"

    for row in rows:
        o, f = row["optimal"], row["fifo"]
        print(f"{row['month']}  {o['allocation_rate']:.3f}/{f['allocation_rate']:.3f} ({row['allocation_rate_target']})"
              f"      {share(o['covered_within_6'])}/{share(f['covered_within_6'])}"
              f"          {share(o['housed_within_6'])}/{share(f['housed_within_6'])}"
              f"         {o['waiting']}/{f['waiting']}")
    for method in ("optimal", "fifo"):
        cohort = sum(r[method]["deadline_cohort"] for r in rows)
        housed = sum((r[method]["housed_within_6"] or 0) * r[method]["deadline_cohort"] for r in rows)
        covered = sum((r[method]["covered_within_6"] or 0) * r[method]["deadline_cohort"] for r in rows)
        below = sum(1 for r in rows if r[method]["allocation_rate"] < r["allocation_rate_target"])
        print(f"{method:8s} commitment households reaching their deadline {cohort}: covered {covered / cohort:.3f}, "
              f"housed in a unit {housed / cohort:.3f}; months below the rate target {below}")
    print(f"{args.months} months × 2 methods in {seconds:.1f} s, peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
