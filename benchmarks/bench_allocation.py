"""Province-scale allocation round: the whole `housing-security allocate` process, then each stage in-process.

    .venv/bin/python benchmarks/bench_allocation.py [--households 100000] [--units 30000] [--seed 1]
                                                    [--rule seniority|sum] [--repeat 3]

Part 1 runs the real command line (`python -m housing_security.cli allocate IN -o OUT --quiet`) as a child
process `--repeat` times and prints its wall time (median) and peak resident memory (max RSS of the children,
resource.getrusage(RUSAGE_CHILDREN)). Part 2 repeats the same work stage by stage in this process: read the
JSON, validate, aggregate into classes, solve, explain and measure, write the JSON — and the baseline.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import orjson

from housing_security.allocation import generate_instance, load_instance
from housing_security.allocation.classes import build_classes
from housing_security.allocation.engine import _result, _run


def show(label: str, result: dict) -> None:
    o, m = result["objective"], result["metrics"]
    print(f"  {label:8s} status {result['solver']['status']:9s} tiers {result['solver']['tiers']}")
    print(f"           due {o['due']}  housed {o['housed']}  rank_sum {o['seniority']['rank_sum']}  first unhoused "
          f"{o['seniority']['first_unhoused_rank']}  preference {o['preference']}  fit {o['fit']}")
    print(f"           allocation rate {m['allocation_rate']}  due subsidised {m['due_subsidised']}  first choice "
          f"{m['first_choice_share']}  justified envy {m['justified_envy']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rule", choices=("seniority", "sum"), default="seniority")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}, "
          f"{os.cpu_count()} cores")
    folder = tempfile.mkdtemp(prefix="bench-allocation-")
    source, target = os.path.join(folder, "in.json"), os.path.join(folder, "out.json")
    started = time.perf_counter()
    data = generate_instance(args.households, args.units, args.seed)
    data["policy"]["preference_rule"] = args.rule
    with open(source, "wb") as handle:
        handle.write(orjson.dumps(data))
    print(f"generate {time.perf_counter() - started:6.2f} s  ({args.households} households, {args.units} units, "
          f"rule {args.rule}, {os.path.getsize(source) / 1e6:.0f} MB)")

    walls, cpus = [], []
    for _ in range(args.repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "housing_security.cli", "allocate", source, "-o", target, "--quiet"],
                       check=True, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    # CPU time too: on a shared machine the wall time says more about the neighbours than about the round
    print(f"whole command: wall median {statistics.median(walls):.2f} s (runs {', '.join(f'{w:.2f}' for w in walls)}),"
          f" CPU median {statistics.median(cpus):.2f} s, peak RSS {peak:.0f} MB, load average {os.getloadavg()[0]:.1f}")

    stages = {}
    started = time.perf_counter()
    with open(source, "rb") as handle:
        raw = orjson.loads(handle.read())
    stages["read JSON"] = time.perf_counter() - started
    started = time.perf_counter()
    instance = load_instance(raw)
    stages["validate"] = time.perf_counter() - started
    started = time.perf_counter()
    graph = build_classes(instance)
    stages["classes"] = time.perf_counter() - started
    started = time.perf_counter()
    _, assignment, solver = _run(instance, "optimal", graph=graph)
    stages["solve"] = time.perf_counter() - started
    started = time.perf_counter()
    optimal = _result(instance, graph, assignment, solver, "optimal")
    stages["explain + metrics"] = time.perf_counter() - started
    started = time.perf_counter()
    with open(target, "wb") as handle:
        handle.write(orjson.dumps(optimal, option=orjson.OPT_INDENT_2))
    stages["write JSON"] = time.perf_counter() - started
    print("stages (in-process): " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
    print(f"  {len(graph.household_classes)} household classes, {len(graph.unit_classes)} unit classes, "
          f"{graph.num_edges} class edges")
    show("optimal", optimal)
    started = time.perf_counter()
    _, assignment, solver = _run(instance, "fifo", graph=graph)
    fifo = _result(instance, graph, assignment, solver, "fifo")
    print(f"  fifo baseline {time.perf_counter() - started:.2f} s")
    show("fifo", fifo)


if __name__ == "__main__":
    main()
