"""Two years of monthly rounds: the optimiser under both preference rules and first come first served, timed.

    .venv/bin/python benchmarks/bench_simulation.py [--months 24] [--households 50000] [--units 30000] [--seed 1]
"""
from __future__ import annotations

import argparse
import resource
import time

from housing_security.allocation import simulate
from housing_security.allocation.commands import print_months


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--units", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    rows = simulate(args.months, args.seed, households=args.households, portfolio_units=args.units)
    seconds = time.perf_counter() - started
    print_months(rows)
    for method in ("seniority", "sum", "fifo"):
        cohort = sum(r[method]["deadline_cohort"] for r in rows)
        housed = sum((r[method]["housed_within_6"] or 0) * r[method]["deadline_cohort"] for r in rows)
        covered = sum((r[method]["covered_within_6"] or 0) * r[method]["deadline_cohort"] for r in rows)
        below = sum(1 for r in rows if r[method]["allocation_rate"] < r["allocation_rate_target"])
        print(f"{method:8s} commitment households reaching their deadline {cohort}: covered {covered / cohort:.3f}, "
              f"housed in a unit {housed / cohort:.3f}; months below the rate target {below}")
    print(f"{args.months} months × 3 methods in {seconds:.1f} s (CPU {time.process_time():.1f} s), peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
