"""Annual re-verification of a big city: evaluate N generated households and print the time.

    .venv/bin/python benchmarks/bench_eligibility.py [--n 100000] [--city taiyuan]

Generation is not timed; parsing (Household.from_dict), evaluation and JSON-ready output
are timed separately. Target: evaluation of 100,000 households under 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from housing_security.policy import Household, evaluate, evaluate_many, load_pack, make_id_number

# Taiyuan's districts and counties: a re-verification batch mixes a few dozen region codes.
REGIONS = ["140105", "140106", "140107", "140108", "140109", "140110", "140121", "140122", "140123",
           "140181", "140702", "141002"]
GROUPS = ("minimum_allowance", "special_hardship", "low_income", "veteran_family")


def generate(n: int, city: str, seed: int) -> list[dict]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        size = rnd.choice((1, 1, 2, 2, 3, 3, 3, 4, 5))
        born = dt.date(rnd.randint(1940, 2000), rnd.randint(1, 12), rnd.randint(1, 28))
        members = [{"name": "申请人", "relation": "self", "id_number": make_id_number(rnd.choice(REGIONS), born, i),
                    "income_month": round(rnd.uniform(0, 4000), 2), "disability": rnd.random() < 0.05}]
        for j in range(1, size):
            kid = j >= 2
            b = dt.date(rnd.randint(2005, 2020) if kid else rnd.randint(1940, 2000), rnd.randint(1, 12),
                        rnd.randint(1, 28))
            members.append({"name": f"成员{j}", "relation": "child" if kid else "spouse",
                            "id_number": make_id_number(rnd.choice(REGIONS), b, (i * 7 + j) % 1000),
                            "income_month": 0 if kid else round(rnd.uniform(0, 3000), 2)})
        out.append({
            "id": f"RV-{i:06d}", "hukou_city": city if rnd.random() < 0.9 else "jinzhong",
            "hukou_type": "urban" if rnd.random() < 0.85 else "rural", "members": members,
            "assets_yuan": rnd.randint(0, 300000), "current_area_m2": round(rnd.uniform(0, 20 * size), 1),
            "groups": {g: rnd.random() < 0.15 for g in GROUPS},
            "other_benefit": rnd.random() < 0.03,
        })
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--city", default="taiyuan")
    ap.add_argument("--programme", default="public_rental")
    ap.add_argument("--as-of", default="2024-06-01")
    ap.add_argument("--seed", type=int, default=20240601)
    args = ap.parse_args(argv)
    as_of = dt.date.fromisoformat(args.as_of)
    pack = load_pack(args.city)
    records = generate(args.n, args.city, args.seed)

    t0 = time.perf_counter()
    households = [Household.from_dict(r) for r in records]
    t1 = time.perf_counter()
    decisions = evaluate_many(households, args.programme, pack, as_of)
    t2 = time.perf_counter()
    streamed = sum(evaluate(h, args.programme, pack, as_of).eligible for h in households)
    t3 = time.perf_counter()
    for d in decisions:
        d.to_dict()
    t4 = time.perf_counter()
    assert streamed == sum(d.eligible for d in decisions)

    eligible = sum(d.eligible for d in decisions)
    print(f"households: {args.n}  city: {args.city}  programme: {args.programme}  as of: {as_of}")
    print(f"eligible: {eligible} ({eligible / args.n:.1%})")
    print(f"Household.from_dict                  {t1 - t0:6.2f} s")
    print(f"evaluate_many (all decisions kept)   {t2 - t1:6.2f} s  ({(t2 - t1) / args.n * 1e6:.1f} µs each)")
    print(f"evaluate one by one (streamed)       {t3 - t2:6.2f} s")
    print(f"Decision.to_dict for all             {t4 - t3:6.2f} s")
    print(f"parse + evaluate_many + to_dict      {(t1 - t0) + (t2 - t1) + (t4 - t3):6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
